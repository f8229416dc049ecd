package io.hivestream.connectors.analyse;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hivestream.connectors.analyse.ComplexityTrainer.Model;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.TaskFeatures;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.Analysis;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.lang3.SerializationUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exported model, run by ONNX Runtime, scores as the trainer does. */
class OnnxComplexityAnalyzerTest {
    private static final AnalysisPolicy POLICY = new AnalysisPolicy(0.5, false, 0.85);

    @Test
    void theExportedModelScoresAsTheTrainer(@TempDir Path dir) throws Exception {
        List<LabelledPrompt> prompts = ComplexityTrainerTest.prompts();
        Model model = new ComplexityTrainer().train(prompts);
        Path file = dir.resolve("model.onnx");
        Files.write(file, model.toOnnx(Map.of("note", "test")));

        OnnxComplexityAnalyzer analyzer = OnnxComplexityAnalyzer.fromFile(file, POLICY);
        float[][] rows = prompts.stream().map(LabelledPrompt::features).toArray(float[][]::new);
        float[] scores = analyzer.scoreAll(rows);
        for (int i = 0; i < rows.length; i++) {
            assertThat((double) scores[i]).isCloseTo(model.score(rows[i]), within(1e-5));
            assertThat(analyzer.score(rows[i])).isCloseTo(model.score(rows[i]), within(1e-5));
        }
        analyzer.close();
    }

    @Test
    void rowsScoredOneAtATimeInAnyOrderScoreAsInOneRun() {
        OnnxComplexityAnalyzer analyzer = OnnxComplexityAnalyzer.shipped(POLICY);
        float[][] rows =
                ComplexityTrainerTest.prompts().stream()
                        .map(LabelledPrompt::features)
                        .toArray(float[][]::new);
        float[] together = analyzer.scoreAll(rows);

        // One row a run reuses its tensors: no row may see another's input or score.
        for (int i = rows.length - 1; i >= 0; i--) {
            assertThat(analyzer.score(rows[i])).isCloseTo(together[i], within(1e-6));
        }
        for (int i = 0; i < rows.length; i++) {
            assertThat(analyzer.scoreAll(new float[][] {rows[i]})[0])
                    .isCloseTo(together[i], within(1e-6f));
        }
        assertThat(together).hasSize(rows.length);
        analyzer.close();
    }

    @Test
    void theShippedModelIsTheOneItsMetadataDescribes() throws Exception {
        JsonNode meta;
        try (InputStream in =
                getClass()
                        .getResourceAsStream("/io/hivestream/connectors/analyse/complexity.json")) {
            meta = new ObjectMapper().readTree(in);
        }
        assertThat(meta.get("featuresVersion").asInt()).isEqualTo(TaskFeatures.VERSION);
        float[] weights = new float[TaskFeatures.SIZE];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) meta.get("weights").get(TaskFeatures.NAMES.get(i)).asDouble();
        }
        Model described = new Model(weights, (float) meta.get("bias").asDouble());

        OnnxComplexityAnalyzer shipped = OnnxComplexityAnalyzer.shipped(POLICY);
        for (LabelledPrompt prompt : ComplexityTrainerTest.prompts()) {
            float[] x = prompt.features();
            assertThat(shipped.score(x)).isCloseTo(described.score(x), within(1e-5));
        }
        shipped.close();
    }

    @Test
    void analysesATaskThroughThePolicyAndHonoursHints() {
        OnnxComplexityAnalyzer analyzer = OnnxComplexityAnalyzer.shipped(POLICY);
        var greeting = task("t", "chat", "Hi, how are you today?");
        var hard =
                task(
                        "t",
                        "code",
                        "Implement a lock-free multi-producer queue in C++ with memory-order"
                                + " annotations, prove it is linearizable, and explain the ABA"
                                + " problem and how your design avoids it.");

        Analysis easy = analyzer.analyse(greeting.build());
        assertThat(easy.getComplexity())
                .isCloseTo(analyzer.score(TaskFeatures.of(greeting.build())), within(1e-12));
        assertThat(easy.getTier()).isEqualTo(Tier.EDGE);
        assertThat(analyzer.analyse(hard.build()).getTier()).isEqualTo(Tier.CLOUD);
        assertThat(analyzer.analyse(greeting.setTier(Tier.CLOUD).setReplicas(3).build()))
                .satisfies(
                        a -> {
                            assertThat(a.getTier()).isEqualTo(Tier.CLOUD);
                            assertThat(a.getStrategy()).isEqualTo(Strategy.CONSENSUS);
                            assertThat(a.getQuorum()).isEqualTo(2);
                        });
        analyzer.close();
    }

    @Test
    void survivesSerialisationAndReopensItsSessionAfterClose() {
        OnnxComplexityAnalyzer analyzer = OnnxComplexityAnalyzer.shipped(POLICY);
        float[] x = TaskFeatures.of("What is 2 + 2?", "math", List.of());
        double before = analyzer.score(x);
        analyzer.close();

        OnnxComplexityAnalyzer copy = SerializationUtils.clone(analyzer);

        assertThat(copy.score(x)).isEqualTo(before);
        assertThat(analyzer.score(x)).isEqualTo(before);
        copy.close();
        analyzer.close();
    }

    @Test
    void refusesModelsOfOtherFeatures(@TempDir Path dir) throws Exception {
        Path narrow = dir.resolve("narrow.onnx");
        Files.write(narrow, OnnxModelWriter.logisticRegression(new float[3], 0f, Map.of()));
        Path oldVersion = dir.resolve("old.onnx");
        Files.write(
                oldVersion,
                OnnxModelWriter.logisticRegression(
                        new float[TaskFeatures.SIZE],
                        0f,
                        Map.of(OnnxComplexityAnalyzer.FEATURES_VERSION_KEY, "0")));
        Path garbage = dir.resolve("garbage.onnx");
        Files.writeString(garbage, "not a model");

        assertThatThrownBy(() -> OnnxComplexityAnalyzer.fromFile(narrow, POLICY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("complexity model " + narrow + " cannot be used: its input")
                .hasMessageEndingWith("expected floats of shape [N, " + TaskFeatures.SIZE + "]");
        assertThatThrownBy(() -> OnnxComplexityAnalyzer.fromFile(oldVersion, POLICY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "complexity model "
                                + oldVersion
                                + " cannot be used: it was trained on features version 0, this"
                                + " build computes version "
                                + TaskFeatures.VERSION);
        assertThatThrownBy(() -> OnnxComplexityAnalyzer.fromFile(garbage, POLICY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("complexity model " + garbage + " cannot be used: ");
        assertThatThrownBy(
                        () -> OnnxComplexityAnalyzer.fromFile(dir.resolve("missing.onnx"), POLICY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot read model " + dir.resolve("missing.onnx"));
    }
}
