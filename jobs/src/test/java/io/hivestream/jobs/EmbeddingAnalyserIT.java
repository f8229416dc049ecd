package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.connectors.analyse.TwoStageComplexityAnalyzer;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.UncertainBand;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job with the two-stage analyser: a task the feature model is sure of keeps the feature
 * model's score; a task inside the uncertain band makes the TaskManager load MiniLM and carries the
 * embedding model's score; each goes to the tier its score decides.
 */
class EmbeddingAnalyserIT extends KafkaJobCase {
    private static final String EASY = "What is the capital of Peru?";
    // Short, so the feature model is unsure of it (0.17); the embedding model says CLOUD.
    private static final String HARD = "Plan our SOC 2 audit.";

    @Test
    void eachTaskGoesToTheTierOfTheStageThatDecidedIt(@TempDir Path checkpoints) throws Exception {
        fixture.register(Agents.simulated("edge-chat", List.of("chat"), 0.001));
        fixture.register(
                AgentEvent.newBuilder(Agents.simulated("cloud-chat", List.of("chat"), 0.01))
                        .setTier(Tier.CLOUD)
                        .build());
        fixture.send(
                KafkaJobFixture.AGENTS, null, "x", "not an agent".getBytes(StandardCharsets.UTF_8));
        Configuration conf = fixture.jobConf(checkpoints, false, false);
        conf.set(HivestreamOptions.ANALYZER, "two-stage");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(
                env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());
        JobClient job = env.executeAsync("embedding-analyser-it");
        // The registry is read before any task is published: its last record's dead letter says
        // so. A task that met a partial registry could go to the only agent there.
        await().pollInterval(Duration.ofMillis(200))
                .atMost(Duration.ofMinutes(2))
                .until(() -> fixture.deadLetters().size() == 1);

        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "easy",
                "{\"taskId\":\"easy\",\"kind\":\"chat\",\"input\":\"" + EASY + "\"}");
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "hard",
                "{\"taskId\":\"hard\",\"kind\":\"chat\",\"input\":\"" + HARD + "\"}");
        await().pollInterval(Duration.ofMillis(300))
                .atMost(Duration.ofMinutes(2))
                .until(() -> fixture.results().size() >= 2);
        stop(job);

        Map<String, TaskResult> byId =
                fixture.results().stream()
                        .collect(Collectors.toMap(TaskResult::getTaskId, Function.identity()));
        TwoStageComplexityAnalyzer shipped =
                TwoStageComplexityAnalyzer.shipped(UncertainBand.DEFAULT, new AnalysisPolicy());
        double easyScore = shipped.analyse(task("easy", EASY)).getComplexity();
        assertThat(shipped.secondStage()).isZero();
        double hardScore = shipped.analyse(task("hard", HARD)).getComplexity();
        assertThat(shipped.secondStage()).isEqualTo(1);
        shipped.close();
        assertThat(easyScore).isLessThan(0.5);
        assertThat(hardScore).isGreaterThanOrEqualTo(0.5);

        TaskResult easy = byId.get("easy");
        assertThat(easy.getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(easy.getComplexity()).isEqualTo(easyScore);
        assertThat(easy.getTier()).isEqualTo(Tier.EDGE);
        assertThat(easy.getAgents()).containsExactly("edge-chat");
        TaskResult hard = byId.get("hard");
        assertThat(hard.getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(hard.getComplexity()).isEqualTo(hardScore);
        assertThat(hard.getTier()).isEqualTo(Tier.CLOUD);
        assertThat(hard.getAgents()).containsExactly("cloud-chat");
    }

    private static Task task(String id, String input) {
        return Task.newBuilder().setTaskId(id).setKind("chat").setInput(input).build();
    }
}
