package io.hivestream.jobs.cli;

import static io.hivestream.jobs.cli.CliRunner.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hivestream.connectors.analyse.EmbeddingComplexityAnalyzer;
import io.hivestream.connectors.analyse.OnnxComplexityAnalyzer;
import io.hivestream.connectors.analyse.TwoStageComplexityAnalyzer;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.UncertainBand;
import io.hivestream.schemas.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./hivestream analyze}: a dry run of the analyse and route stages. */
class AnalyzeCommandTest {
    private static final String AGENTS =
            "{\"agentId\":\"cheap\",\"runtime\":\"simulated\",\"capabilities\":[\"classify\",\"math\"],"
                    + "\"tier\":\"EDGE\",\"costPer1kInputTokens\":0.001,\"costPer1kOutputTokens\":0.002}\n"
                    + "{\"agentId\":\"big\",\"runtime\":\"openai\",\"capabilities\":[\"classify\",\"math\",\"chat\"],"
                    + "\"tier\":\"CLOUD\",\"costPer1kInputTokens\":0.01,\"costPer1kOutputTokens\":0.03}\n"
                    + "{\"agentId\":\"gone\",\"runtime\":\"simulated\",\"capabilities\":[\"poetry\"]}\n"
                    + "{\"agentId\":\"gone\",\"type\":\"RETIRE\"}\n";

    private static final String TASKS =
            "{\"taskId\":\"c1\",\"input\":\"I was charged twice for my order.\",\"kind\":\"classify\"}\n"
                    + "not json\n"
                    + "{\"input\":\"What is 12 * (3 + 4)?\",\"kind\":\"math\",\"replicas\":2}\n"
                    + "\n"
                    + "{\"taskId\":\"p1\",\"input\":\"Write a poem.\",\"kind\":\"poetry\"}\n"
                    + "{\"taskId\":\"h1\",\"input\":\"Write a poem.\",\"kind\":\"chat\",\"tier\":\"CLOUD\"}\n";

    @Test
    void printsScoreTierStrategyAgentsAndCostPerTaskThenASummary(@TempDir Path dir)
            throws Exception {
        Path agents = Files.writeString(dir.resolve("agents.jsonl"), AGENTS);
        Path tasks = Files.writeString(dir.resolve("tasks.jsonl"), TASKS);

        CliRunner.Run run =
                run(
                        "analyze",
                        "--analyzer",
                        "rules",
                        "--agents",
                        agents.toString(),
                        "--output-tokens",
                        "100",
                        tasks.toString());

        // Rule scores: 0.45 * ln(1 + chars) / ln(4001) plus 0.1 per question (of 3). Costs: the
        // token estimates (11, 10 and 5) and 100 tokens out at each primary agent's prices, e.g.
        // c1: 11 / 1000 * 0.001 + 100 / 1000 * 0.002 = 0.000211.
        assertThat(run.out())
                .isEqualTo(
                        "c1  score=0.1913  EDGE  DIRECT  agents=cheap  cost=$0.000211\n"
                                + "line-3  score=0.2010  EDGE  CONSENSUS x2  agents=cheap,big  cost=$0.003310\n"
                                + "p1  score=0.1432  EDGE  DIRECT  needs an agent with capabilities [poetry]"
                                + " for tenant 'default'; 0 registered\n"
                                + "h1  score=0.1432  CLOUD  DIRECT  agents=big  cost=$0.003050\n"
                                + "4 task(s) analysed, 1 line(s) rejected: EDGE 3 (75.0%) CLOUD 1 (25.0%);"
                                + " DIRECT 3 CONSENSUS 1 DECOMPOSE 0; expected cost $0.006571"
                                + " (1 task(s) without a suitable agent)\n");
        assertThat(run.err())
                .isEqualTo(
                        "line 2: neither Avro single-object bytes nor valid JSON: Unrecognized token"
                                + " 'not': was expecting (JSON String, Number, Array, Object or token"
                                + " 'null', 'true' or 'false')\n");
        assertThat(run.exitCode()).isEqualTo(1);
    }

    @Test
    void jsonLinesCarryTheShippedModelsScores(@TempDir Path dir) throws Exception {
        String easy = "Hi, how are you today?";
        String hard =
                "Design a multi-region active-active database for a payments platform, compare"
                        + " consensus protocols, justify the trade-offs and plan the migration.";
        Path tasks =
                Files.writeString(
                        dir.resolve("tasks.jsonl"),
                        "{\"taskId\":\"e\",\"input\":\""
                                + easy
                                + "\"}\n"
                                + "{\"taskId\":\"h\",\"input\":\""
                                + hard
                                + "\"}\n");

        CliRunner.Run run = run("analyze", "--json", "--analyzer", "two-stage", tasks.toString());

        // The two-stage analyser with the shipped models and band.
        TwoStageComplexityAnalyzer shipped =
                TwoStageComplexityAnalyzer.shipped(
                        UncertainBand.DEFAULT,
                        new AnalysisPolicy(
                                OnnxComplexityAnalyzer.DEFAULT_CLOUD_THRESHOLD, false, 0.85));
        ObjectMapper json = new ObjectMapper();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(2);
        JsonNode e = json.readTree(lines.get(0));
        JsonNode h = json.readTree(lines.get(1));
        double easyScore = shipped.analyse(task("e", easy)).getComplexity();
        double hardScore = shipped.analyse(task("h", hard)).getComplexity();
        shipped.close();
        assertThat(e.get("taskId").asText()).isEqualTo("e");
        assertThat(e.get("score").asDouble()).isEqualTo(Math.round(easyScore * 1e6) / 1e6);
        assertThat(e.get("tier").asText()).isEqualTo(easyScore >= 0.5 ? "CLOUD" : "EDGE");
        assertThat(e.get("strategy").asText()).isEqualTo("DIRECT");
        assertThat(h.get("score").asDouble()).isEqualTo(Math.round(hardScore * 1e6) / 1e6);
        assertThat(h.get("tier").asText()).isEqualTo(hardScore >= 0.5 ? "CLOUD" : "EDGE");
        // Chat tasks: the demo's only chat agents are cloud-llm-sim (cheaper) and the backup.
        assertThat(e.get("agents").toString()).isEqualTo("[\"cloud-llm-sim\"]");
        assertThat(h.get("agents").toString()).isEqualTo("[\"cloud-llm-sim\"]");
        assertThat(e.get("expectedCostUsd").isNumber()).isTrue();
        assertThat(run.err()).startsWith("2 task(s) analysed: ");
        assertThat(run.err())
                .contains(
                        "; embedding model decided "
                                + shipped.secondStage()
                                + " of 2 ("
                                + String.format(
                                        java.util.Locale.ROOT, "%.1f", 50.0 * shipped.secondStage())
                                + "%), band 0.1,0.9");
        assertThat(run.exitCode()).isEqualTo(0);
    }

    @Test
    void theEmbeddingAnalyserScoresADryRunAndRefusesAFeatureModel(@TempDir Path dir)
            throws Exception {
        String easy = "What is the capital of Peru?";
        String hard = "Prove that the square root of 2 is irrational.";
        Path tasks =
                Files.writeString(
                        dir.resolve("tasks.jsonl"),
                        "{\"taskId\":\"e\",\"input\":\""
                                + easy
                                + "\",\"kind\":\"chat\"}\n"
                                + "{\"taskId\":\"h\",\"input\":\""
                                + hard
                                + "\",\"kind\":\"math\"}\n");

        CliRunner.Run run =
                run("analyze", "--json", "--analyzer", "onnx-embedding", tasks.toString());

        EmbeddingComplexityAnalyzer shipped =
                EmbeddingComplexityAnalyzer.shipped(
                        new AnalysisPolicy(
                                OnnxComplexityAnalyzer.DEFAULT_CLOUD_THRESHOLD, false, 0.85));
        ObjectMapper json = new ObjectMapper();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(2);
        JsonNode e = json.readTree(lines.get(0));
        JsonNode h = json.readTree(lines.get(1));
        double easyScore =
                shipped.analyse(Task.newBuilder(task("e", easy)).setKind("chat").build())
                        .getComplexity();
        double hardScore =
                shipped.analyse(Task.newBuilder(task("h", hard)).setKind("math").build())
                        .getComplexity();
        shipped.close();
        assertThat(e.get("score").asDouble()).isEqualTo(Math.round(easyScore * 1e6) / 1e6);
        assertThat(e.get("tier").asText()).isEqualTo("EDGE");
        assertThat(easyScore).isLessThan(0.5);
        assertThat(h.get("score").asDouble()).isEqualTo(Math.round(hardScore * 1e6) / 1e6);
        assertThat(h.get("tier").asText()).isEqualTo("CLOUD");
        assertThat(hardScore).isGreaterThanOrEqualTo(0.5);
        assertThat(run.exitCode()).isEqualTo(0);

        Path featureModel = Path.of("..", TrainRouterCommand.SHIPPED);
        CliRunner.Run wrong =
                run(
                        "analyze",
                        "--analyzer",
                        "onnx-embedding",
                        "--model",
                        featureModel.toString(),
                        tasks.toString());

        assertThat(wrong.err())
                .isEqualTo(
                        "error: complexity model "
                                + featureModel
                                + " cannot be used: it reads the 25 task features alone, not the"
                                + " all-MiniLM-L6-v2 embedding; it is a model for the feature"
                                + " analyser (onnx)\n");
        assertThat(wrong.out()).isEmpty();
        assertThat(wrong.exitCode()).isEqualTo(1);
    }

    @Test
    void anUnknownAnalyzerIsAnError(@TempDir Path dir) throws Exception {
        Path tasks = Files.writeString(dir.resolve("tasks.jsonl"), "{\"input\":\"x\"}\n");

        CliRunner.Run run = run("analyze", "--analyzer", "magic", tasks.toString());

        assertThat(run.err())
                .isEqualTo(
                        "error: --analyzer must be two-stage, onnx, onnx-embedding, onnx-static or"
                                + " rules, got 'magic'\n");
        assertThat(run.exitCode()).isEqualTo(1);
    }

    @Test
    void labelledPromptsPrintTheirLabelAndTheAccuracy(@TempDir Path dir) throws Exception {
        Path prompts =
                Files.writeString(
                        dir.resolve("labelled.jsonl"),
                        "{\"input\":\"hi\",\"kind\":\"chat\",\"label\":\"EDGE\"}\n"
                                + "{\"input\":\"Prove it.\",\"kind\":\"math\",\"label\":\"CLOUD\"}\n"
                                + "{\"input\":\"x\",\"label\":\"MEDIUM\"}\n"
                                + "{\"input\":\"Plan it.\",\"kind\":\"planning\",\"label\":\"CLOUD\"}\n");

        // Threshold 0: every task goes to CLOUD, so the two CLOUD prompts are right and the EDGE
        // one is sent to CLOUD.
        CliRunner.Run run =
                run(
                        "analyze",
                        "--json",
                        "--labelled",
                        "--analyzer",
                        "rules",
                        "--cloud-threshold",
                        "0",
                        prompts.toString());

        ObjectMapper json = new ObjectMapper();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(json.readTree(lines.get(0)).get("taskId").asText()).isEqualTo("line-1");
        assertThat(json.readTree(lines.get(0)).get("label").asText()).isEqualTo("EDGE");
        assertThat(json.readTree(lines.get(0)).get("tier").asText()).isEqualTo("CLOUD");
        assertThat(json.readTree(lines.get(2)).get("taskId").asText()).isEqualTo("line-4");
        assertThat(json.readTree(lines.get(2)).get("label").asText()).isEqualTo("CLOUD");
        List<String> err = run.err().lines().toList();
        assertThat(err).hasSize(2);
        assertThat(err.get(0))
                .isEqualTo("line 3: field 'label': expected EDGE or CLOUD, got \"MEDIUM\"");
        assertThat(err.get(1))
                .startsWith(
                        "3 task(s) analysed, 1 line(s) rejected: EDGE 0 (0.0%) CLOUD 3 (100.0%);")
                .endsWith(
                        "; accuracy 0.667 (2 of 3 labelled: 1 EDGE sent to CLOUD, 0 CLOUD kept at"
                                + " EDGE)");
        assertThat(run.exitCode()).isEqualTo(1);
    }

    private static Task task(String id, String input) {
        return Task.newBuilder().setTaskId(id).setInput(input).build();
    }
}
