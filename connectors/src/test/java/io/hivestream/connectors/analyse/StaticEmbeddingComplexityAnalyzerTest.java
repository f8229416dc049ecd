package io.hivestream.connectors.analyse;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.connectors.analyse.ComplexityTrainer.Model;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.Analysis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The static embedding analyser: the shipped model, and the models it refuses. */
class StaticEmbeddingComplexityAnalyzerTest {
    private static final AnalysisPolicy POLICY = new AnalysisPolicy(0.5, false, 0.85);

    @Test
    void theShippedModelSendsAGreetingToEdgeAndAProofToCloudAndNamesItself() {
        try (StaticEmbeddingComplexityAnalyzer analyzer =
                StaticEmbeddingComplexityAnalyzer.shipped(POLICY)) {
            Analysis easy = analyzer.analyse(task("t1", "chat", "Hi! How are you today?").build());
            Analysis hard =
                    analyzer.analyse(
                            task(
                                            "t2",
                                            "chat",
                                            "Prove that there are infinitely many primes, then"
                                                    + " derive the prime number theorem's error term"
                                                    + " and discuss its dependence on the Riemann"
                                                    + " hypothesis step by step.")
                                    .build());
            assertThat(easy.getTier()).isEqualTo(Tier.EDGE);
            assertThat(hard.getTier()).isEqualTo(Tier.CLOUD);
            assertThat(easy.getModel()).isEqualTo("shipped-static");
            assertThat(analyzer.version())
                    .isEqualTo(StaticEmbeddingComplexityAnalyzer.SHIPPED_VERSION);
        }
    }

    @Test
    void aModelOfTheTransformersEmbeddingIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("minilm.onnx");
        Files.write(
                file,
                EmbeddingComplexityAnalyzer.toOnnx(
                        new Model(new float[EmbeddingComplexityAnalyzer.WIDTH], 0f), Map.of()));
        assertThatThrownBy(() -> StaticEmbeddingComplexityAnalyzer.fromFile(file, POLICY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "complexity model "
                                + file
                                + " cannot be used: it was trained on the embedding"
                                + " all-MiniLM-L6-v2 (a model for the embedding analyser"
                                + " (onnx-embedding)), this analyser computes"
                                + " all-MiniLM-L6-v2-static-sif");
    }

    @Test
    void aStaticModelGivenToTheFeatureAnalyserNamesItsOwnAnalyser(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("static.onnx");
        Files.write(
                file,
                StaticEmbeddingComplexityAnalyzer.toOnnx(
                        new Model(new float[StaticEmbeddingComplexityAnalyzer.WIDTH], 0f),
                        Map.of()));
        assertThatThrownBy(() -> OnnxComplexityAnalyzer.fromFile(file, POLICY))
                .hasMessage(
                        "complexity model "
                                + file
                                + " cannot be used: it reads the all-MiniLM-L6-v2-static-sif"
                                + " embedding of the input besides the features; it is a model for"
                                + " the static embedding analyser (onnx-static)");
    }
}
