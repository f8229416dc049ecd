package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
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
 * The cascade through the whole running job, on a real broker and a MiniCluster: EDGE agents that
 * are sure of easy tasks and unsure of hard ones (labelled by metadata {@code difficulty}), CLOUD
 * agents behind them, one of which is down.
 */
class CascadeIT extends KafkaJobCase {
    private static String classify(String id, String input, String difficulty, String extra) {
        return "{\"taskId\":\""
                + id
                + "\",\"kind\":\"classify\",\"tier\":\"EDGE\",\"input\":\""
                + input
                + "\",\"metadata\":{\"difficulty\":\""
                + difficulty
                + "\",\"labels\":\"billing,shipping,technical\","
                + "\"label.billing\":\"charge charged refund invoice payment\","
                + "\"label.shipping\":\"delivery package shipped arrive\","
                + "\"label.technical\":\"error crash login bug app\""
                + extra
                + "}}";
    }

    @Test
    void unsureEdgeAnswersEscalateToTheCloudAndTheResultsRecordBoth(@TempDir Path checkpoints)
            throws Exception {
        for (AgentEvent agent :
                List.of(
                        Agents.unsureOnHard("edge-cls", "classify"),
                        Agents.cloud("cloud-cls", "classify"),
                        Agents.unsureOnHard("edge-math", "math"),
                        Agents.cloud("cloud-math-down", "math", "errorRate", "1.0"))) {
            fixture.register(agent);
        }
        fixture.send(
                KafkaJobFixture.AGENTS, null, "x", "not an agent".getBytes(StandardCharsets.UTF_8));

        Configuration conf = fixture.jobConf(checkpoints, false, false);
        conf.set(HivestreamOptions.INITIAL_BACKOFF, Duration.ofMillis(10));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(
                env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());
        JobClient job = env.executeAsync("cascade-it");
        // The registry is read before any task is published: its last record's dead letter says so.
        await().pollInterval(Duration.ofMillis(200))
                .atMost(Duration.ofMinutes(2))
                .until(() -> fixture.deadLetters().size() == 1);

        String charged = "I was charged twice for my order.";
        fixture.sendJson(KafkaJobFixture.TASKS, "easy", classify("easy", charged, "0", ""));
        fixture.sendJson(KafkaJobFixture.TASKS, "hard", classify("hard", charged, "1", ""));
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "hard-low-bar",
                classify("hard-low-bar", charged, "1", ",\"cascadeThreshold\":\"0.2\""));
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "math-hard",
                "{\"taskId\":\"math-hard\",\"kind\":\"math\",\"tier\":\"EDGE\","
                        + "\"input\":\"What is 12 * (3 + 4)?\",\"metadata\":{\"difficulty\":\"1\"}}");

        await().pollInterval(Duration.ofMillis(300))
                .atMost(Duration.ofMinutes(3))
                .until(
                        () ->
                                fixture.results().size() >= 4
                                        && fixture.metrics().stream()
                                                        .filter(m -> m.getKind() == MetricKind.TASK)
                                                        .count()
                                                >= 4);
        stop(job);

        List<TaskResult> results = fixture.results();
        assertThat(results).hasSize(4);
        Map<String, TaskResult> byId =
                results.stream()
                        .collect(Collectors.toMap(TaskResult::getTaskId, Function.identity()));

        TaskResult easy = byId.get("easy");
        assertThat(easy.getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(easy.getOutput()).isEqualTo("billing");
        assertThat(easy.getAgents()).containsExactly("edge-cls");
        assertThat(easy.getAnswers())
                .extracting(AgentAnswer::getAgentId, AgentAnswer::getOutput, a -> a.getConfidence())
                .containsExactly(tuple("edge-cls", "billing", 0.9));
        assertThat(easy.getMetadata()).isEmpty();

        TaskResult hard = byId.get("hard");
        assertThat(hard.getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(hard.getOutput()).isEqualTo("billing");
        assertThat(hard.getAgents()).containsExactly("cloud-cls");
        assertThat(hard.getAnswers())
                .extracting(
                        AgentAnswer::getAgentId,
                        AgentAnswer::getOutput,
                        a -> a.getConfidence(),
                        AgentAnswer::getError)
                .containsExactly(
                        tuple("edge-cls", "shipping", 0.3, null),
                        tuple("cloud-cls", "billing", null, null));
        assertThat(hard.getMetadata())
                .isEqualTo(
                        Map.of(
                                "cascade", "escalated",
                                "cascade.confidence", "0.3",
                                "cascade.threshold", "0.5"));
        // 9 tokens in and 2 out at each tier: 1.3e-6 at the edge, 1.3e-4 in the cloud.
        assertThat(hard.getTokensIn()).isEqualTo(18);
        assertThat(hard.getTokensOut()).isEqualTo(4);
        assertThat(hard.getCostUsd()).isCloseTo(0.0000013 + 0.00013, within(1e-12));

        TaskResult lowBar = byId.get("hard-low-bar");
        assertThat(lowBar.getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(lowBar.getOutput()).isEqualTo("shipping");
        assertThat(lowBar.getAgents()).containsExactly("edge-cls");
        assertThat(lowBar.getAnswers())
                .extracting(AgentAnswer::getAgentId)
                .containsExactly("edge-cls");
        assertThat(lowBar.getMetadata()).isEmpty();

        TaskResult mathHard = byId.get("math-hard");
        assertThat(mathHard.getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(mathHard.getOutput()).isEqualTo("85");
        assertThat(mathHard.getAgents()).containsExactly("edge-math");
        String down = "cloud-math-down: simulated failure of cloud-math-down (error rate 1.0)";
        assertThat(mathHard.getAnswers())
                .extracting(
                        AgentAnswer::getAgentId,
                        AgentAnswer::getOutput,
                        AgentAnswer::getError,
                        AgentAnswer::getAttempts)
                .containsExactly(
                        tuple("edge-math", "85", null, 1), tuple("cloud-math-down", null, down, 3));
        assertThat(mathHard.getMetadata())
                .isEqualTo(
                        Map.of(
                                "cascade", "cloud-failed",
                                "cascade.confidence", "0.3",
                                "cascade.threshold", "0.5"));

        // Call metrics are keyed by agent, so only their order within one agent is kept.
        Map<String, List<String>> calls =
                fixture.metrics().stream()
                        .filter(m -> m.getKind() == MetricKind.CALL)
                        .collect(
                                Collectors.groupingBy(
                                        Metric::getTaskId,
                                        Collectors.mapping(
                                                m ->
                                                        m.getAgentId()
                                                                + " "
                                                                + m.getCall().getOutcome(),
                                                Collectors.toList())));
        String ok = " " + CallOutcome.SUCCESS;
        String error = " " + CallOutcome.ERROR;
        assertThat(calls.keySet())
                .containsExactlyInAnyOrder("easy", "hard", "hard-low-bar", "math-hard");
        assertThat(calls.get("easy")).containsExactly("edge-cls" + ok);
        assertThat(calls.get("hard")).containsExactlyInAnyOrder("edge-cls" + ok, "cloud-cls" + ok);
        assertThat(calls.get("hard-low-bar")).containsExactly("edge-cls" + ok);
        assertThat(calls.get("math-hard"))
                .containsExactlyInAnyOrder(
                        "edge-math" + ok,
                        "cloud-math-down" + error,
                        "cloud-math-down" + error,
                        "cloud-math-down" + error);
    }
}
