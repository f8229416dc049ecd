package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.schemas.RoutingExample;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.Tier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * came after: read_committed consumers see each escalated task's routing example exactly once.
 */
class RoutingExamplesRecoveryIT extends KafkaJobCase {
    @Test
    void aFailureAfterACheckpointNeitherLosesNorDuplicatesExamples(@TempDir Path checkpoints)
            throws Exception {
        FailOnce.reset();
        fixture.register(Agents.unsureOnHard("edge-math", "math"));
        fixture.register(Agents.cloud("cloud-math", "math"));
        fixture.send(
                KafkaJobFixture.AGENTS, null, "x", "not an agent".getBytes(StandardCharsets.UTF_8));
        int perHalf = 40;

        Configuration conf = fixture.jobConf(checkpoints, false, true);
        conf.set(HivestreamOptions.ROUTE_EXAMPLES, true);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
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
        JobClient job = env.executeAsync("routing-examples-recovery-it");
        try {
            // The registry is read before any task is published (its last record's dead letter
            // says so): every task is routed with its escalation chain.
            await().pollInterval(Duration.ofMillis(200))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> fixture.deadLetters().size() == 1);
            publish(0, perHalf);
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

        List<RoutingExample> examples = fixture.examples();
        Map<String, Long> counts =
                examples.stream()
                        .collect(
                                Collectors.groupingBy(
                                        RoutingExample::getTaskId, Collectors.counting()));
        Set<String> expectedIds =
                IntStream.range(0, 2 * perHalf)
                        .mapToObj(i -> "ex-" + i)
                        .collect(Collectors.toSet());
        assertThat(counts.keySet()).isEqualTo(expectedIds);
        assertThat(examples).hasSize(2 * perHalf);
        assertThat(fixture.results())
                .hasSize(2 * perHalf)
                .allSatisfy(r -> assertThat(r.getMetadata()).containsEntry("cascade", "escalated"));
        assertThat(examples)
                .allSatisfy(
                        e -> {
                            assertThat(e.getLabel()).isEqualTo(Tier.CLOUD);
                            assertThat(e.getEvidence()).isEqualTo("cascade-escalated");
                        });
    }

    /** Hard tasks for the EDGE tier: the EDGE agent is unsure of each, and it escalates. */
    private static void publish(int from, int count) throws Exception {
        for (int i = from; i < from + count; i++) {
            fixture.sendJson(
                    KafkaJobFixture.TASKS,
                    "ex-" + i,
                    "{\"taskId\":\"ex-"
                            + i
                            + "\",\"kind\":\"math\",\"tier\":\"EDGE\",\"input\":\""
                            + i
                            + " + 1000\",\"metadata\":{\"difficulty\":\"1\"}}");
        }
    }

    private static Set<String> distinctResults() {
        return fixture.results().stream().map(TaskResult::getTaskId).collect(Collectors.toSet());
    }
}
