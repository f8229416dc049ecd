package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * The same task id published twice, on a real broker and a MiniCluster: a direct task twice in a
 * row (a producer's retry) and a vote again after its result (a resubmission). Each id gets one
 * result; the second run's result is a dead letter.
 */
class DuplicateTaskIT extends KafkaJobCase {
    private static String reason(String taskId, TaskResult first) {
        return "task "
                + taskId
                + " already got its result at "
                + Instant.ofEpochMilli(first.getCompletedAt())
                + "; a task id gets one result, so a second result (COMPLETED) is dropped"
                + " (publish it with a new id to run it again)";
    }

    @Test
    void aTaskIdPublishedTwiceGetsOneResultAndADeadLetter(@TempDir Path checkpoints)
            throws Exception {
        for (String id : List.of("m-a", "m-b", "m-c")) {
            fixture.register(Agents.simulated(id, List.of("math"), 0.001));
        }
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
        fixture.sendJson(KafkaJobFixture.TASKS, "d1", direct);
        fixture.sendJson(KafkaJobFixture.TASKS, "d1", direct);
        fixture.sendJson(KafkaJobFixture.TASKS, "v1", vote);
        await().pollInterval(Duration.ofMillis(300))
                .atMost(Duration.ofMinutes(2))
                .until(() -> fixture.results().size() >= 2);
        fixture.sendJson(KafkaJobFixture.TASKS, "v1", vote);
        await().pollInterval(Duration.ofMillis(300))
                .atMost(Duration.ofMinutes(2))
                .until(() -> fixture.deadLetters().size() >= 2);
        // Every call of the four runs is metered by the time the last dead letter is visible.
        await().pollInterval(Duration.ofMillis(300))
                .atMost(Duration.ofMinutes(1))
                .until(
                        () ->
                                fixture.metrics().stream()
                                                .filter(m -> m.getKind() == MetricKind.CALL)
                                                .count()
                                        >= 8);
        job.cancel().get();

        List<TaskResult> results = fixture.results();
        Map<String, TaskResult> byId =
                results.stream()
                        .collect(Collectors.toMap(TaskResult::getTaskId, Function.identity()));
        assertThat(results).hasSize(2);
        assertThat(byId.get("d1").getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(byId.get("d1").getOutput()).isEqualTo("42");
        assertThat(byId.get("v1").getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(byId.get("v1").getOutput()).isEqualTo("5");

        List<DeadLetter> dead = fixture.deadLetters();
        assertThat(dead)
                .extracting(
                        DeadLetter::getTopic,
                        DeadLetter::getPartition,
                        DeadLetter::getOffset,
                        DeadLetter::getStage,
                        d -> StandardCharsets.UTF_8.decode(d.getKey().duplicate()).toString(),
                        DeadLetter::getReason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                KafkaJobFixture.TASKS,
                                -1,
                                -1L,
                                "aggregate",
                                "d1",
                                reason("d1", byId.get("d1"))),
                        org.assertj.core.groups.Tuple.tuple(
                                KafkaJobFixture.TASKS,
                                -1,
                                -1L,
                                "aggregate",
                                "v1",
                                reason("v1", byId.get("v1"))));
        ByteBuffer dropped = dead.get(1).getValue();
        assertThat(
                        io.hivestream.schemas.codec.Codecs.TASK_RESULT
                                .decode(bytes(dropped))
                                .getOutput())
                .isEqualTo("5");

        List<Metric> metrics = fixture.metrics();
        // The agents were called for both runs of each id; only the results count as tasks.
        assertThat(metrics.stream().filter(m -> m.getKind() == MetricKind.CALL).count())
                .isEqualTo(1 + 1 + 3 + 3);
        assertThat(
                        metrics.stream()
                                .filter(m -> m.getKind() == MetricKind.TASK)
                                .map(Metric::getTaskId))
                .containsExactlyInAnyOrder("d1", "v1");
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
