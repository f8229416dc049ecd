package io.hivestream.connectors.agents.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class MiniLmEmbedderTest {
    private static final MiniLmEmbedder EMBEDDER = MiniLmEmbedder.shared();

    @Test
    void theSameTextGivesTheSameVector() {
        assertThat(EMBEDDER.embed("How do I reset my password?"))
                .containsExactly(EMBEDDER.embed("How do I reset my password?"));
    }

    @Test
    void aVectorHas384FloatsOfUnitLength() {
        float[] vector = EMBEDDER.embed("Where is my parcel?");

        double squares = 0;
        for (float x : vector) {
            squares += (double) x * x;
        }
        assertThat(vector).hasSize(384);
        assertThat(Math.sqrt(squares)).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void aParaphraseIsCloserThanAnUnrelatedSentence() {
        float[] cat = EMBEDDER.embed("The cat sits on the mat.");

        double paraphrase =
                MiniLmEmbedder.cosine(cat, EMBEDDER.embed("A cat is sitting on a rug."));
        double unrelated =
                MiniLmEmbedder.cosine(cat, EMBEDDER.embed("Interest rates rose again this month."));

        assertThat(paraphrase).isGreaterThan(unrelated);
        assertThat(paraphrase).isCloseTo(0.7689, within(1e-3));
        assertThat(unrelated).isCloseTo(0.0167, within(1e-3));
    }

    @Test
    void aBatchGivesEachTextTheVectorItGetsAlone() {
        List<float[]> batch =
                EMBEDDER.embedAll(
                        List.of(
                                "Where is my parcel?",
                                "A longer sentence, so that the first one is padded in the batch."));

        assertThat(batch).hasSize(2);
        assertThat(MiniLmEmbedder.cosine(batch.get(0), EMBEDDER.embed("Where is my parcel?")))
                .isCloseTo(1.0, within(1e-6));
    }

    @Test
    void anEmptyBatchGivesNoVectors() {
        assertThat(EMBEDDER.embedAll(List.of())).isEmpty();
    }

    @Test
    void tokensAreCountedWithTheTwoMarkers() {
        // [CLS] hello , world ! [SEP]
        assertThat(EMBEDDER.countTokens("Hello, world!")).isEqualTo(6);
    }

    @Test
    void theSharedEmbedderIsOnePerThreadCount() {
        assertThat(MiniLmEmbedder.shared(1)).isSameAs(EMBEDDER);
        assertThatThrownBy(() -> MiniLmEmbedder.shared(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("intraOpThreads must be 1 or more, got 0");
    }

    @Test
    void cosineIsTheAngleBetweenVectors() {
        assertThat(MiniLmEmbedder.cosine(new float[] {1, 2}, new float[] {2, 4})).isEqualTo(1.0);
        assertThat(MiniLmEmbedder.cosine(new float[] {1, 0}, new float[] {0, 3})).isEqualTo(0.0);
        assertThat(MiniLmEmbedder.cosine(new float[] {1, 0}, new float[] {-2, 0})).isEqualTo(-1.0);
        assertThat(MiniLmEmbedder.cosine(new float[] {0, 0}, new float[] {1, 0})).isEqualTo(0.0);
    }

    @Test
    void cosineRefusesVectorsOfDifferentLengths() {
        assertThatThrownBy(() -> MiniLmEmbedder.cosine(new float[2], new float[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("vectors differ in length: 2 and 3");
    }
}
