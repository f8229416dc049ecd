package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.connectors.loopback.ChatCompletionsServer;
import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.codec.Codecs;
import java.nio.ByteBuffer;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same task id published twice, on a real broker and a MiniCluster: a direct task twice in a
 * row (a producer's retry), and a vote and a task for a provider on loopback again after their
 * result (resubmissions). The route stage stops each repeat before any agent is called: each id
 * gets one result and its repeat one dead letter, and the provider sees one request.
 */
class DuplicateTaskIT extends KafkaJobCase {
    static ChatCompletionsServer provider;

    @BeforeAll
    static void startProvider() throws Exception {
        provider = new ChatCompletionsServer(user -> "answer to " + user, user -> 5);
    }

    @AfterAll
    static void stopProvider() {
        if (provider != null) {
            provider.close();
        }
    }

    private static String reason(String taskId) {
        return "task id "
                + taskId
                + " was already received within hivestream.results.dedupe-retention (1 h);"
                + " publish it under a new id to run it again";
    }

    @Test
    void aTaskIdPublishedAgainCallsNoAgentAndGetsOneResultAndADeadLetter(@TempDir Path checkpoints)
            throws Exception {
        for (String id : List.of("m-a", "m-b", "m-c")) {
            fixture.register(Agents.simulated(id, List.of("math"), 0.001));
        }
        fixture.register(provider.agent("loopback-llm", "chat").setTimeoutMs(30_000).build());
        Configuration conf = fixture.jobConf(checkpoints, false, false);
        conf.set(HivestreamOptions.AGENT_WAIT, Duration.ofMinutes(1));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(
                env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());
        JobClient job = env.executeAsync("duplicate-task-it");

        String direct = "{\"taskId\":\"d1\",\"kind\":\"math\",\"input\":\"What is 6 * 7?\"}";
        String vote =
                "{\"taskId\":\"v1\",\"kind\":\"math\",\"input\":\"What is 2 + 3?\",\"replicas\":3}";
        String chat = "{\"taskId\":\"c1\",\"kind\":\"chat\",\"input\":\"Say hello\"}";
        try {
            fixture.sendJson(KafkaJobFixture.TASKS, "d1", direct);
            fixture.sendJson(KafkaJobFixture.TASKS, "d1", direct);
            fixture.sendJson(KafkaJobFixture.TASKS, "v1", vote);
            fixture.sendJson(KafkaJobFixture.TASKS, "c1", chat);
            await().pollInterval(Duration.ofMillis(300))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> fixture.results().size() >= 3);
            fixture.sendJson(KafkaJobFixture.TASKS, "v1", vote);
            fixture.sendJson(KafkaJobFixture.TASKS, "c1", chat);
            await().pollInterval(Duration.ofMillis(300))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> fixture.deadLetters().size() >= 3);
            // Every call of the first runs is metered by the time their results are visible.
            await().pollInterval(Duration.ofMillis(300))
                    .atMost(Duration.ofMinutes(1))
                    .until(
                            () ->
                                    fixture.metrics().stream()
                                                    .filter(m -> m.getKind() == MetricKind.CALL)
                                                    .count()
                                            >= 5);
        } finally {
            stop(job);
        }

        assertThat(provider.total()).isEqualTo(1);
        assertThat(provider.received().get("Say hello").get()).isEqualTo(1);

        List<TaskResult> results = fixture.results();
        Map<String, TaskResult> byId =
                results.stream()
                        .collect(Collectors.toMap(TaskResult::getTaskId, Function.identity()));
        assertThat(results).hasSize(3);
        assertThat(byId.get("d1").getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(byId.get("d1").getOutput()).isEqualTo("42");
        assertThat(byId.get("v1").getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(byId.get("v1").getOutput()).isEqualTo("5");
        assertThat(byId.get("c1").getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(byId.get("c1").getOutput()).isEqualTo("answer to Say hello");

        List<DeadLetter> dead = fixture.deadLetters();
        assertThat(dead)
                .extracting(
                        DeadLetter::getTopic,
                        DeadLetter::getPartition,
                        DeadLetter::getOffset,
                        DeadLetter::getStage,
                        d -> StandardCharsets.UTF_8.decode(d.getKey().duplicate()).toString(),
                        DeadLetter::getReason,
                        d -> Codecs.TASK.decode(bytes(d.getValue())).getInput())
                .containsExactlyInAnyOrder(
                        tuple(
                                KafkaJobFixture.TASKS,
                                -1,
                                -1L,
                                "route",
                                "d1",
                                reason("d1"),
                                "What is 6 * 7?"),
                        tuple(
                                KafkaJobFixture.TASKS,
                                -1,
                                -1L,
                                "route",
                                "v1",
                                reason("v1"),
                                "What is 2 + 3?"),
                        tuple(
                                KafkaJobFixture.TASKS,
                                -1,
                                -1L,
                                "route",
                                "c1",
                                reason("c1"),
                                "Say hello"));

        List<Metric> metrics = fixture.metrics();
        // The agents were called for the first run of each id only.
        assertThat(
                        metrics.stream()
                                .filter(m -> m.getKind() == MetricKind.CALL)
                                .map(Metric::getTaskId))
                .containsExactlyInAnyOrder("d1", "v1", "v1", "v1", "c1");
        assertThat(
                        metrics.stream()
                                .filter(m -> m.getKind() == MetricKind.TASK)
                                .map(Metric::getTaskId))
                .containsExactlyInAnyOrder("d1", "v1", "c1");
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
