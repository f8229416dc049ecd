package io.hivestream.jobs.cli;

import static io.hivestream.jobs.cli.CliRunner.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hivestream.connectors.analyse.ComplexityTrainer;
import io.hivestream.connectors.analyse.ComplexityTrainer.Evaluation;
import io.hivestream.connectors.analyse.ComplexityTrainer.Model;
import io.hivestream.connectors.analyse.EmbeddingComplexityAnalyzer;
import io.hivestream.connectors.analyse.LabelledPrompt;
import io.hivestream.connectors.analyse.OnnxComplexityAnalyzer;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.CostAwareThreshold;
import io.hivestream.operators.analyse.TaskFeatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./hivestream train-router} on the repository's labelled prompts. */
class TrainRouterCommandTest {
    private static final Path HAND = Path.of("..", "data", "router", "hand.jsonl");
    private static final Path UNSEEN = Path.of("..", "data", "router", "unseen.jsonl");

    /** train-router on the hand-written prompts and the unseen set, seed 7, into {@code out}. */
    private static CliRunner.Run trainRouter(Path out, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("train-router"));
        args.addAll(List.of(extra));
        args.addAll(
                List.of(
                        "--data",
                        HAND.toString(),
                        "--unseen",
                        UNSEEN.toString(),
                        "--out",
                        out.toString(),
                        "--seed",
                        "7"));
        return run(args.toArray(String[]::new));
    }

    @Test
    void trainsEvaluatesAndExportsAModelThatScoresAsItsMetadataSays(@TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("router.onnx");

        CliRunner.Run run = trainRouter(out);

        List<LabelledPrompt> hand = LabelledPrompt.read(HAND);
        ComplexityTrainer.Split split = ComplexityTrainer.split(hand, 0.2, 7);
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0))
                .isEqualTo("trained on " + split.train().size() + " prompts (1 file(s)), seed 7");
        assertThat(lines.get(1)).startsWith("train    n=" + split.train().size() + " accuracy=");
        assertThat(lines.get(2)).startsWith("held-out n=" + split.heldOut().size() + " accuracy=");
        assertThat(lines.get(3))
                .startsWith("unseen   n=" + LabelledPrompt.read(UNSEEN).size() + " accuracy=");
        assertThat(run.exitCode()).isEqualTo(0);

        // The trainer run here again gives the exported weights, and ONNX Runtime agrees.
        Model expected = new ComplexityTrainer().train(split.train());
        JsonNode meta = new ObjectMapper().readTree(dir.resolve("router.json").toFile());
        assertThat(meta.get("metrics").get("heldOut").get("examples").asInt())
                .isEqualTo(split.heldOut().size());
        for (int i = 0; i < TaskFeatures.SIZE; i++) {
            assertThat(meta.get("weights").get(TaskFeatures.NAMES.get(i)).floatValue())
                    .isEqualTo(expected.weights()[i]);
        }
        OnnxComplexityAnalyzer exported =
                OnnxComplexityAnalyzer.fromFile(out, new AnalysisPolicy());
        for (LabelledPrompt prompt : split.heldOut()) {
            assertThat(exported.score(prompt.features()))
                    .isCloseTo(expected.score(prompt.features()), within(1e-5));
        }
        exported.close();
    }

    @Test
    void aTargetQualityChoosesTheCheapestThresholdOnTheHeldOutPrompts(@TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("router.onnx");

        CliRunner.Run run = trainRouter(out, "--target-quality", "0.95");

        // The same split and trainer here give the scores the choice is made on.
        ComplexityTrainer.Split split = ComplexityTrainer.split(LabelledPrompt.read(HAND), 0.2, 7);
        Model model = new ComplexityTrainer().train(split.train());
        double[] scores = new double[split.heldOut().size()];
        boolean[] labels = new boolean[scores.length];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = model.score(split.heldOut().get(i).features());
            labels[i] = split.heldOut().get(i).cloud();
        }
        CostAwareThreshold.Choice expected =
                CostAwareThreshold.choose(
                        scores, labels, 0.95, CostAwareThreshold.EDGE, CostAwareThreshold.CLOUD);
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(4)).isEqualTo("held-out: " + expected);
        assertThat(lines.get(4)).startsWith("held-out: cloud threshold 0.");
        assertThat(run.exitCode()).isEqualTo(0);
        JsonNode chosen =
                new ObjectMapper()
                        .readTree(dir.resolve("router.json").toFile())
                        .get("costAwareThreshold");
        assertThat(chosen.get("targetQuality").asDouble()).isEqualTo(0.95);
        assertThat(chosen.get("threshold").asDouble()).isEqualTo(expected.threshold());
        assertThat(chosen.get("costSaved").asDouble()).isEqualTo(expected.saved());
    }

    @Test
    void withEmbeddingTrainsTheEmbeddingModelAndPrintsTheFeatureModelBesideIt(@TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("embedding.onnx");

        CliRunner.Run run = trainRouter(out, "--embedding");

        // The same split, inputs and trainer here give the figures the command must print.
        List<LabelledPrompt> hand = LabelledPrompt.read(HAND);
        List<LabelledPrompt> unseen = LabelledPrompt.read(UNSEEN);
        ComplexityTrainer.Split split = ComplexityTrainer.split(hand, 0.2, 7);
        float[][] train = EmbeddingComplexityAnalyzer.inputs(split.train());
        float[][] held = EmbeddingComplexityAnalyzer.inputs(split.heldOut());
        float[][] apart = EmbeddingComplexityAnalyzer.inputs(unseen);
        Model embedding =
                new ComplexityTrainer(
                                ComplexityTrainer.DEFAULT_EMBEDDING_L2,
                                ComplexityTrainer.DEFAULT_ITERATIONS,
                                ComplexityTrainer.DEFAULT_LEARNING_RATE)
                        .train(train, labels(split.train()));
        Model features = new ComplexityTrainer().train(split.train());
        Evaluation embeddingHeld =
                ComplexityTrainer.evaluate(embedding, held, labels(split.heldOut()), 0.5);
        Evaluation embeddingUnseen =
                ComplexityTrainer.evaluate(embedding, apart, labels(unseen), 0.5);
        Evaluation featuresHeld = ComplexityTrainer.evaluate(features, split.heldOut(), 0.5);
        Evaluation featuresUnseen = ComplexityTrainer.evaluate(features, unseen, 0.5);
        List<String> lines = run.out().lines().toList();
        assertThat(lines.subList(0, 8))
                .containsExactly(
                        "trained on "
                                + split.train().size()
                                + " prompts (1 file(s)), seed 7, inputs: the all-MiniLM-L6-v2"
                                + " embedding (384) and 25 features",
                        line(
                                "train   ",
                                ComplexityTrainer.evaluate(
                                        embedding, train, labels(split.train()), 0.5)),
                        line("held-out", embeddingHeld),
                        line("unseen  ", embeddingUnseen),
                        "the feature model on the same split:",
                        line("train   ", ComplexityTrainer.evaluate(features, split.train(), 0.5)),
                        line("held-out", featuresHeld),
                        line("unseen  ", featuresUnseen));
        assertThat(lines.get(8)).startsWith("onnx: " + out + " (max |trainer - onnx| = ");
        assertThat(run.exitCode()).isEqualTo(0);

        JsonNode meta = new ObjectMapper().readTree(dir.resolve("embedding.json").toFile());
        assertThat(meta.get("embedding").asText()).isEqualTo("all-MiniLM-L6-v2");
        assertThat(meta.get("metrics").get("heldOut").get("accuracy").asDouble())
                .isEqualTo(embeddingHeld.accuracy());
        assertThat(meta.get("metrics").get("unseen").get("rocAuc").asDouble())
                .isEqualTo(embeddingUnseen.rocAuc());
        assertThat(meta.get("featureModelMetrics").get("unseen").get("rocAuc").asDouble())
                .isEqualTo(featuresUnseen.rocAuc());
        for (int i = 0; i < 384; i++) {
            assertThat(meta.get("embeddingWeights").get(i).floatValue())
                    .isEqualTo(embedding.weights()[i]);
        }
        assertThat(meta.get("weights").get(TaskFeatures.NAMES.get(0)).floatValue())
                .isEqualTo(embedding.weights()[384]);
        assertThat(meta.get("onnxMaxAbsDifference").asDouble()).isLessThan(1e-5);
        EmbeddingComplexityAnalyzer exported =
                EmbeddingComplexityAnalyzer.fromFile(out, new AnalysisPolicy());
        for (float[] row : held) {
            assertThat(exported.score(row)).isCloseTo(embedding.score(row), within(1e-5));
        }
        exported.close();
    }

    private static String line(String name, Evaluation e) {
        return String.format(
                java.util.Locale.ROOT,
                "%s n=%d accuracy=%.3f roc_auc=%.3f (cloud: %d right, %d missed; edge: %d right, %d"
                        + " sent to cloud)",
                name,
                e.examples(),
                e.accuracy(),
                e.rocAuc(),
                e.truePositives(),
                e.falseNegatives(),
                e.trueNegatives(),
                e.falsePositives());
    }

    private static boolean[] labels(List<LabelledPrompt> prompts) {
        boolean[] labels = new boolean[prompts.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = prompts.get(i).cloud();
        }
        return labels;
    }

    @Test
    void aBadLabelNamesTheFileAndLine(@TempDir Path dir) throws Exception {
        Path data =
                Files.writeString(
                        dir.resolve("bad.jsonl"),
                        "{\"input\":\"Hi\",\"label\":\"EDGE\"}\n{\"input\":\"Hi\"}\n");

        CliRunner.Run run =
                run(
                        "train-router",
                        "--data",
                        data.toString(),
                        "--unseen",
                        "none",
                        "--out",
                        dir.resolve("m.onnx").toString());

        assertThat(run.err())
                .isEqualTo("error: " + data + " line 2: field 'label' is missing or blank\n");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(dir.resolve("m.onnx")).doesNotExist();
    }
}
