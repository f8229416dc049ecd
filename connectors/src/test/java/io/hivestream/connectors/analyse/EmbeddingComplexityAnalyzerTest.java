package io.hivestream.connectors.analyse;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hivestream.connectors.agents.onnx.MiniLmEmbedder;
import io.hivestream.connectors.analyse.ComplexityTrainer.Model;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.TaskFeatures;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.Analysis;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.lang3.SerializationUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding model: trainer and ONNX Runtime agree, the policy decides, wrong models fail. */
class EmbeddingComplexityAnalyzerTest {
    private static final AnalysisPolicy POLICY = new AnalysisPolicy(0.5, false, 0.85);
    private static final String GREETING = "Hi, how are you today?";
    private static final String HARD =
            "Implement a lock-free multi-producer queue in C++ with memory-order annotations, prove"
                    + " it is linearizable, and explain the ABA problem and how your design avoids"
                    + " it.";

    private static List<LabelledPrompt> prompts;
    private static float[][] rows;
    private static Model model;

    @BeforeAll
    static void train() {
        prompts = ComplexityTrainerTest.prompts();
        rows = EmbeddingComplexityAnalyzer.inputs(prompts);
        boolean[] labels = new boolean[prompts.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = prompts.get(i).cloud();
        }
        model = new ComplexityTrainer().train(rows, labels);
    }

    @Test
    void theInputsAreTheEmbeddingThenTheFeatures() {
        LabelledPrompt prompt = prompts.get(0);
        float[] embedding = MiniLmEmbedder.shared().embed(prompt.input());
        float[] features = prompt.features();

        assertThat(rows[0]).hasSize(MiniLmEmbedder.DIMENSIONS + TaskFeatures.SIZE);
        assertThat(java.util.Arrays.copyOfRange(rows[0], 0, MiniLmEmbedder.DIMENSIONS))
                .containsExactly(embedding);
        assertThat(java.util.Arrays.copyOfRange(rows[0], MiniLmEmbedder.DIMENSIONS, rows[0].length))
                .containsExactly(features);
    }

    @Test
    void theExportedModelScoresAsTheTrainer(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("embedding.onnx");
        Files.write(file, EmbeddingComplexityAnalyzer.toOnnx(model, Map.of("note", "test")));

        EmbeddingComplexityAnalyzer analyzer = EmbeddingComplexityAnalyzer.fromFile(file, POLICY);
        float[] scores = analyzer.scoreAll(rows);
        for (int i = 0; i < rows.length; i++) {
            double expected = model.score(rows[i]);
            assertThat((double) scores[i]).isCloseTo(expected, within(1e-5));
            assertThat(analyzer.score(rows[i])).isCloseTo(expected, within(1e-5));
            // The whole analyser: the task's own embedding and features, then the model.
            Task task =
                    task("t" + i, prompts.get(i).kind(), prompts.get(i).input())
                            .setCapabilities(prompts.get(i).capabilities())
                            .build();
            assertThat(analyzer.analyse(task).getComplexity()).isCloseTo(expected, within(1e-5));
        }
        // The training set is separable: the trainer's model gets every prompt right.
        assertThat(ComplexityTrainer.evaluate(model, rows, labels(), 0.5).accuracy())
                .isEqualTo(1.0);
        analyzer.close();
    }

    @Test
    void theShippedModelIsTheOneItsMetadataDescribes() throws Exception {
        JsonNode meta;
        try (InputStream in =
                getClass()
                        .getResourceAsStream(
                                "/io/hivestream/connectors/analyse/complexity-embedding.json")) {
            meta = new ObjectMapper().readTree(in);
        }
        assertThat(meta.get("embedding").asText()).isEqualTo(MiniLmEmbedder.MODEL);
        assertThat(meta.get("featuresVersion").asInt()).isEqualTo(TaskFeatures.VERSION);
        float[] weights = new float[EmbeddingComplexityAnalyzer.WIDTH];
        for (int i = 0; i < MiniLmEmbedder.DIMENSIONS; i++) {
            weights[i] = (float) meta.get("embeddingWeights").get(i).asDouble();
        }
        for (int i = 0; i < TaskFeatures.SIZE; i++) {
            weights[MiniLmEmbedder.DIMENSIONS + i] =
                    (float) meta.get("weights").get(TaskFeatures.NAMES.get(i)).asDouble();
        }
        Model described = new Model(weights, (float) meta.get("bias").asDouble());

        EmbeddingComplexityAnalyzer shipped = EmbeddingComplexityAnalyzer.shipped(POLICY);
        for (float[] row : rows) {
            assertThat(shipped.score(row)).isCloseTo(described.score(row), within(1e-5));
        }
        shipped.close();
    }

    @Test
    void theShippedAnalyserPicksTheTierThePolicySays() {
        EmbeddingComplexityAnalyzer analyzer = EmbeddingComplexityAnalyzer.shipped(POLICY);
        Task greeting = task("g", "chat", GREETING).build();
        Task hard = task("h", "code", HARD).build();
        double greetingScore = analyzer.score(EmbeddingComplexityAnalyzer.inputs(greeting));
        double hardScore = analyzer.score(EmbeddingComplexityAnalyzer.inputs(hard));

        Analysis easy = analyzer.analyse(greeting);
        assertThat(easy.getComplexity()).isCloseTo(greetingScore, within(1e-12));
        assertThat(greetingScore).isLessThan(0.5);
        assertThat(easy.getTier()).isEqualTo(Tier.EDGE);
        assertThat(hardScore).isGreaterThanOrEqualTo(0.5);
        assertThat(analyzer.analyse(hard).getTier()).isEqualTo(Tier.CLOUD);
        analyzer.close();

        // The same scores under thresholds on either side of them flip the tiers.
        double above = (hardScore + 1) / 2;
        EmbeddingComplexityAnalyzer strict =
                EmbeddingComplexityAnalyzer.shipped(new AnalysisPolicy(above, false, 0.99));
        assertThat(strict.analyse(hard).getTier()).isEqualTo(Tier.EDGE);
        strict.close();
        EmbeddingComplexityAnalyzer eager =
                EmbeddingComplexityAnalyzer.shipped(
                        new AnalysisPolicy(greetingScore / 2, false, 0.99));
        assertThat(eager.analyse(greeting).getTier()).isEqualTo(Tier.CLOUD);
        eager.close();
    }

    @Test
    void survivesSerialisation() {
        EmbeddingComplexityAnalyzer analyzer = EmbeddingComplexityAnalyzer.shipped(POLICY);
        Task greeting = task("g", "chat", GREETING).build();
        double before = analyzer.analyse(greeting).getComplexity();
        analyzer.close();

        EmbeddingComplexityAnalyzer copy = SerializationUtils.clone(analyzer);

        assertThat(copy.analyse(greeting).getComplexity()).isEqualTo(before);
        copy.close();
    }

    @Test
    void refusesModelsOfOtherWidthsEmbeddingsOrFeatures(@TempDir Path dir) throws Exception {
        int width = EmbeddingComplexityAnalyzer.WIDTH;
        Path featureModel =
                Files.write(
                        dir.resolve("features.onnx"),
                        new Model(new float[TaskFeatures.SIZE], 0f).toOnnx(Map.of()));
        Path narrow =
                Files.write(
                        dir.resolve("narrow.onnx"),
                        OnnxModelWriter.logisticRegression(
                                new float[width - 1],
                                0f,
                                Map.of(
                                        OnnxComplexityAnalyzer.EMBEDDING_KEY,
                                        MiniLmEmbedder.MODEL,
                                        OnnxComplexityAnalyzer.FEATURES_VERSION_KEY,
                                        Integer.toString(TaskFeatures.VERSION))));
        Path unnamed =
                Files.write(
                        dir.resolve("unnamed.onnx"),
                        OnnxModelWriter.logisticRegression(new float[width], 0f, Map.of()));
        Path otherEmbedding =
                Files.write(
                        dir.resolve("other.onnx"),
                        OnnxModelWriter.logisticRegression(
                                new float[width],
                                0f,
                                Map.of(OnnxComplexityAnalyzer.EMBEDDING_KEY, "bge-small-en")));
        Path oldFeatures =
                Files.write(
                        dir.resolve("old.onnx"),
                        OnnxModelWriter.logisticRegression(
                                new float[width],
                                0f,
                                Map.of(
                                        OnnxComplexityAnalyzer.EMBEDDING_KEY,
                                        MiniLmEmbedder.MODEL,
                                        OnnxComplexityAnalyzer.FEATURES_VERSION_KEY,
                                        "0")));
        Path noFeatures =
                Files.write(
                        dir.resolve("noversion.onnx"),
                        OnnxModelWriter.logisticRegression(
                                new float[width],
                                0f,
                                Map.of(
                                        OnnxComplexityAnalyzer.EMBEDDING_KEY,
                                        MiniLmEmbedder.MODEL)));
        Path embeddingModel =
                Files.write(
                        dir.resolve("embedding.onnx"),
                        EmbeddingComplexityAnalyzer.toOnnx(model, Map.of()));

        assertThatThrownBy(() -> EmbeddingComplexityAnalyzer.fromFile(featureModel, POLICY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "complexity model "
                                + featureModel
                                + " cannot be used: it reads the 25 task features alone, not the"
                                + " all-MiniLM-L6-v2 embedding; it is a model for the feature"
                                + " analyser (onnx)");
        assertThatThrownBy(() -> EmbeddingComplexityAnalyzer.fromFile(narrow, POLICY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("complexity model " + narrow + " cannot be used: its input")
                .hasMessageEndingWith("expected floats of shape [N, " + width + "]");
        assertThatThrownBy(() -> EmbeddingComplexityAnalyzer.fromFile(unnamed, POLICY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "complexity model "
                                + unnamed
                                + " cannot be used: it does not name the embedding it was trained"
                                + " on (metadata hivestream.embedding.model); this analyser"
                                + " computes all-MiniLM-L6-v2");
        assertThatThrownBy(() -> EmbeddingComplexityAnalyzer.fromFile(otherEmbedding, POLICY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "complexity model "
                                + otherEmbedding
                                + " cannot be used: it was trained on the embedding bge-small-en"
                                + " (a model for the embedding analyser (onnx-embedding)), this"
                                + " analyser computes all-MiniLM-L6-v2");
        assertThatThrownBy(() -> EmbeddingComplexityAnalyzer.fromFile(oldFeatures, POLICY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "complexity model "
                                + oldFeatures
                                + " cannot be used: it was trained on features version 0, this"
                                + " build computes version "
                                + TaskFeatures.VERSION);
        assertThatThrownBy(() -> EmbeddingComplexityAnalyzer.fromFile(noFeatures, POLICY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "complexity model "
                                + noFeatures
                                + " cannot be used: it does not name the features version it was"
                                + " trained on (metadata hivestream.features.version); this build"
                                + " computes version "
                                + TaskFeatures.VERSION);
        // And the other way round: the feature analyser refuses the embedding model.
        assertThatThrownBy(() -> OnnxComplexityAnalyzer.fromFile(embeddingModel, POLICY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "complexity model "
                                + embeddingModel
                                + " cannot be used: it reads the all-MiniLM-L6-v2 embedding of the"
                                + " input besides the features; it is a model for the embedding"
                                + " analyser (onnx-embedding)");
        assertThatThrownBy(
                        () ->
                                EmbeddingComplexityAnalyzer.toOnnx(
                                        new Model(new float[TaskFeatures.SIZE], 0f), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected a model of " + width + " inputs, got 25");
    }

    private static boolean[] labels() {
        boolean[] labels = new boolean[prompts.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = prompts.get(i).cloud();
        }
        return labels;
    }
}
