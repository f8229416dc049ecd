package io.hivestream.jobs.cli;

import static io.hivestream.jobs.cli.CliRunner.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hivestream.connectors.analyse.ComplexityTrainer;
import io.hivestream.connectors.analyse.ComplexityTrainer.Model;
import io.hivestream.connectors.analyse.LabelledPrompt;
import io.hivestream.connectors.analyse.OnnxComplexityAnalyzer;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.TaskFeatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./hivestream train-router} on the repository's labelled prompts. */
class TrainRouterCommandTest {
    private static final Path HAND = Path.of("..", "data", "router", "hand.jsonl");
    private static final Path UNSEEN = Path.of("..", "data", "router", "unseen.jsonl");

    @Test
    void trainsEvaluatesAndExportsAModelThatScoresAsItsMetadataSays(@TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("router.onnx");

        CliRunner.Run run =
                run(
                        "train-router",
                        "--data",
                        HAND.toString(),
                        "--unseen",
                        UNSEEN.toString(),
                        "--out",
                        out.toString(),
                        "--seed",
                        "7");

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
