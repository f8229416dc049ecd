package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job fails once on purpose after a completed checkpoint, restarts from it and replays what
 * came after: read_committed consumers still see each task's result exactly once.
 */
class ExactlyOnceIT extends KafkaJobCase {
    @Test
    void aFailureAfterACheckpointNeitherLosesNorDuplicatesResults(@TempDir Path checkpoints)
            throws Exception {
        FailOnce.reset();
        fixture.register(Agents.simulated("m-a", List.of("math"), 0.001));
        int perHalf = 150;
        publish(0, perHalf);

        Configuration conf = fixture.jobConf(checkpoints, false, true);
        StreamExecutionEnvironment env = environment(conf, checkpoints);
        env.setParallelism(2);
        HivestreamJob.build(
                env,
                conf,
                new AgentRuntimes(),
                Clock.systemUTC(),
                tasks ->
                        tasks.map(new FailOnce(), new AvroTypeInfo<>(Task.class))
                                .uid("fail-once")
                                .name("fail once"));
        JobClient job = env.executeAsync("exactly-once-it");
        try {
            // The first half is committed, so a checkpoint has completed after it was read.
            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> distinctResults().size() >= perHalf);
            FailOnce.arm();
            publish(perHalf, perHalf);

            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofMinutes(3))
                    .until(() -> distinctResults().size() >= 2 * perHalf);
            assertThat(FailOnce.failures.get()).isEqualTo(1);
            // One more checkpoint after the last result: anything replayed would be committed by
            // now.
            long seen = FailOnce.completedCheckpoints.get();
            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofMinutes(1))
                    .until(() -> FailOnce.completedCheckpoints.get() >= seen + 2);
        } finally {
            stop(job);
        }
        ran(checkpoints);

        List<TaskResult> results = fixture.results();
        Map<String, Long> counts =
                results.stream()
                        .collect(
                                Collectors.groupingBy(
                                        TaskResult::getTaskId, Collectors.counting()));
        Set<String> expectedIds =
                IntStream.range(0, 2 * perHalf)
                        .mapToObj(i -> "eo-" + i)
                        .collect(Collectors.toSet());
        assertThat(counts.keySet()).isEqualTo(expectedIds);
        assertThat(counts.values()).allMatch(c -> c == 1L);
        assertThat(results).hasSize(2 * perHalf);
        Map<String, TaskResult> byId =
                results.stream()
                        .collect(Collectors.toMap(TaskResult::getTaskId, Function.identity()));
        for (int i = 0; i < 2 * perHalf; i++) {
            TaskResult result = byId.get("eo-" + i);
            assertThat(result.getStatus()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(result.getOutput()).isEqualTo(Integer.toString(i + 1000));
        }
    }

    /** Where the job runs: the MiniCluster every end-to-end test shares. */
    StreamExecutionEnvironment environment(Configuration conf, Path checkpoints) throws Exception {
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }

    /** After the job, which checkpointed to {@code checkpoints}, was cancelled. */
    void ran(Path checkpoints) throws Exception {}

    private static void publish(int from, int count) throws Exception {
        for (int i = from; i < from + count; i++) {
            fixture.sendJson(
                    KafkaJobFixture.TASKS,
                    "eo-" + i,
                    "{\"taskId\":\"eo-"
                            + i
                            + "\",\"kind\":\"math\",\"input\":\""
                            + i
                            + " + 1000\"}");
        }
    }

    private static Set<String> distinctResults() {
        return fixture.results().stream().map(TaskResult::getTaskId).collect(Collectors.toSet());
    }
}
