package io.hivestream.connectors.agents.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** Static embeddings: the word vectors read out of the model, weighted, averaged, unit length. */
class StaticMiniLmEmbedderTest {
    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }

    @Test
    void theWordVectorsAreTheModelsInitializer() throws Exception {
        byte[] model;
        try (InputStream in = MiniLmEmbedder.resource(MiniLmEmbedder.MODEL_RESOURCE)) {
            model = in.readAllBytes();
        }
        OnnxInitializers.FloatTensor words =
                OnnxInitializers.floats(model, "word_embeddings.weight");
        assertThat(words.name()).isEqualTo("embeddings.word_embeddings.weight");
        assertThat(words.dims()).containsExactly(30522, 384);
        assertThat(words.values()).hasSize(30522 * 384);
        assertThatThrownBy(() -> OnnxInitializers.floats(model, "no_such.weight"))
                .hasMessage("the model has no initializer named *no_such.weight");
    }

    @Test
    void anEmbeddingIsUnitLengthTheSameEachTimeAndAWeightedMeanOfItsPieces() {
        StaticMiniLmEmbedder embedder = StaticMiniLmEmbedder.shared();
        float[] hello = embedder.embed("Hello, world!");
        assertThat(hello).hasSize(384);
        assertThat(dot(hello, hello)).isCloseTo(1.0, within(1e-5));
        assertThat(embedder.embed("Hello, world!")).containsExactly(hello);
        // Case and accents are normalised away before the pieces are looked up.
        assertThat(embedder.embed("HELLO, WORLD!")).containsExactly(hello);
        assertThat(embedder.embed("")).containsOnly(0f);
    }

    @Test
    void relatedTextsAreCloserThanUnrelatedOnes() {
        StaticMiniLmEmbedder embedder = StaticMiniLmEmbedder.shared();
        float[] refund = embedder.embed("I was charged twice, please refund my payment");
        float[] money = embedder.embed("Give me my money back for the double charge");
        float[] proof = embedder.embed("Prove that there are infinitely many prime numbers");
        assertThat(dot(refund, money)).isGreaterThan(dot(refund, proof));
    }

    @Test
    void commonPiecesWeighLessThanRareOnes() {
        float[] weights = StaticMiniLmEmbedder.zipfWeights(30522, StaticMiniLmEmbedder.SIF_A);
        double norm = 0;
        for (int i = 0; i < 30522; i++) {
            norm += 1.0 / (i + 2);
        }
        double p0 = 1.0 / 2 / norm;
        assertThat(weights[0]).isEqualTo((float) (1e-4 / (1e-4 + p0)));
        assertThat(weights[1000]).isGreaterThan(weights[100]).isGreaterThan(weights[10]);
        assertThat(weights[30521]).isLessThan(1f);
    }
}
