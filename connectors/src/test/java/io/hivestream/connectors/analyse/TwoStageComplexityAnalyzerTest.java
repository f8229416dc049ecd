package io.hivestream.connectors.analyse;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.connectors.analyse.ComplexityTrainer.Model;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.TaskFeatures;
import io.hivestream.operators.analyse.UncertainBand;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two-stage decision on models of constant scores: the feature model's 0.2-ish and the
 * embedding model's 0.8-ish tell which stage decided.
 */
class TwoStageComplexityAnalyzerTest {
    private static final AnalysisPolicy POLICY = new AnalysisPolicy(0.5, false, 0.85);
    private static final Task TASK = task("t1", "chat", "What is the capital of Peru?").build();

    @TempDir static Path dir;
    private static byte[] featureModel;
    private static Path embeddingModel;
    private static double first;
    private static double second;

    @BeforeAll
    static void models() throws Exception {
        featureModel =
                new Model(new float[TaskFeatures.SIZE], (float) Math.log(0.2 / 0.8))
                        .toOnnx(Map.of());
        embeddingModel = dir.resolve("embedding.onnx");
        Files.write(
                embeddingModel,
                EmbeddingComplexityAnalyzer.toOnnx(
                        new Model(
                                new float[EmbeddingComplexityAnalyzer.WIDTH],
                                (float) Math.log(0.8 / 0.2)),
                        Map.of()));
        OnnxComplexityAnalyzer features = new OnnxComplexityAnalyzer(featureModel, "f", POLICY);
        first = features.score(TaskFeatures.of(TASK));
        features.close();
        EmbeddingComplexityAnalyzer embedding =
                EmbeddingComplexityAnalyzer.fromFile(embeddingModel, POLICY);
        second = embedding.score(new float[EmbeddingComplexityAnalyzer.WIDTH]);
        embedding.close();
        assertThat(first).isBetween(0.19, 0.21);
        assertThat(second).isBetween(0.79, 0.81);
    }

    private static TwoStageComplexityAnalyzer analyzer(UncertainBand band) {
        return new TwoStageComplexityAnalyzer(
                new OnnxComplexityAnalyzer(featureModel, "f", POLICY),
                EmbeddingComplexityAnalyzer.fromFile(embeddingModel, POLICY),
                band);
    }

    @Test
    void aFirstScoreOnTheBandsLowerEdgeGoesToTheEmbeddingModel() {
        try (TwoStageComplexityAnalyzer analyzer = analyzer(new UncertainBand(first, 0.9))) {
            assertThat(analyzer.score(TASK)).isEqualTo(second);
            assertThat(analyzer.analyse(TASK).getTier()).isEqualTo(Tier.CLOUD);
            // The embedding model decided: results name it, by its file's name.
            assertThat(analyzer.analyse(TASK).getModel()).isEqualTo("embedding.onnx");
            assertThat(analyzer.tasks()).isEqualTo(3);
            assertThat(analyzer.secondStage()).isEqualTo(3);
            // The later times, the input's embedding came from the cache.
            assertThat(analyzer.embedded()).isEqualTo(1);
        }
    }

    @Test
    void aFirstScoreJustUnderTheLowerEdgeIsKept() {
        try (TwoStageComplexityAnalyzer analyzer =
                analyzer(new UncertainBand(Math.nextUp(first), 0.9))) {
            assertThat(analyzer.score(TASK)).isEqualTo(first);
            assertThat(analyzer.analyse(TASK).getTier()).isEqualTo(Tier.EDGE);
            assertThat(analyzer.analyse(TASK).getModel()).isEqualTo("f");
            assertThat(analyzer.secondStage()).isZero();
            assertThat(analyzer.embedded()).isZero();
        }
    }

    @Test
    void aFirstScoreOnTheBandsUpperEdgeIsKeptAndJustUnderItIsNot() {
        try (TwoStageComplexityAnalyzer analyzer = analyzer(new UncertainBand(0.0, first))) {
            assertThat(analyzer.score(TASK)).isEqualTo(first);
            assertThat(analyzer.secondStage()).isZero();
        }
        try (TwoStageComplexityAnalyzer analyzer =
                analyzer(new UncertainBand(0.0, Math.nextUp(first)))) {
            assertThat(analyzer.score(TASK)).isEqualTo(second);
            assertThat(analyzer.secondStage()).isEqualTo(1);
        }
    }

    @Test
    void anEmptyBandNeverEmbeds() {
        try (TwoStageComplexityAnalyzer analyzer = analyzer(new UncertainBand(first, first))) {
            assertThat(analyzer.score(TASK)).isEqualTo(first);
            assertThat(analyzer.embedded()).isZero();
        }
    }

    @Test
    void theShippedModelsLoadWithTheDefaultBand() {
        try (TwoStageComplexityAnalyzer analyzer =
                TwoStageComplexityAnalyzer.shipped(UncertainBand.DEFAULT, POLICY)) {
            assertThat(analyzer.band()).isEqualTo(new UncertainBand(0.1, 0.9));
            double score = analyzer.score(TASK);
            // The shipped feature model's score of an easy question, under the band: it decides.
            OnnxComplexityAnalyzer features = OnnxComplexityAnalyzer.shipped(POLICY);
            double expected = features.score(TaskFeatures.of(TASK));
            features.close();
            assertThat(expected).isLessThan(UncertainBand.DEFAULT.lower());
            assertThat(score).isEqualTo(expected);
            assertThat(analyzer.secondStage()).isZero();
            assertThat(analyzer.tasks()).isEqualTo(1);
        }
    }
}
