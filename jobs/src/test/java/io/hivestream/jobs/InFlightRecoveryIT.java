package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.connectors.loopback.ChatCompletionsServer;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls in flight at a checkpoint survive a failure: the job fails while a provider on loopback
 * holds N slow calls; after the restore exactly those N are made again, answered tasks are not
 * called again, and every task has one result.
 */
class InFlightRecoveryIT extends KafkaJobCase {
    static ChatCompletionsServer provider;

    @BeforeAll
    static void startProvider() throws Exception {
        // "slow" calls are held long enough to be in flight at the checkpoint and the failure.
        provider =
                new ChatCompletionsServer(
                        user -> "answer to " + user, user -> user.startsWith("slow") ? 6_000 : 5);
    }

    @AfterAll
    static void stopProvider() {
        if (provider != null) {
            provider.close();
        }
    }

    /** Test-only: fails once, on the trigger task, once armed. */
    static final class FailOnTrigger implements MapFunction<Task, Task>, CheckpointListener {
        private static final long serialVersionUID = 1L;
        static final AtomicLong checkpoints = new AtomicLong();
        static final AtomicInteger failures = new AtomicInteger();
        static final AtomicInteger inFlightAtFailure = new AtomicInteger(-1);

        @Override
        public Task map(Task task) {
            if (task.getTaskId().equals("trigger") && failures.compareAndSet(0, 1)) {
                inFlightAtFailure.set(provider.inFlight());
                throw new IllegalStateException(
                        "failing once on purpose while calls are in flight");
            }
            return task;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpoints.incrementAndGet();
        }
    }

    @Test
    void callsInFlightAreMadeAgainAfterARestoreAndAnsweredCallsAreNot(@TempDir Path checkpoints)
            throws Exception {
        fixture.register(
                provider.agent("loopback-llm", "chat")
                        .setTimeoutMs(60_000)
                        // Every slow call in flight at once, however they spread over instances.
                        .setMaxConcurrency(64)
                        .build());
        int fast = 20;
        int slow = 12;
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        fixture.jobConf(checkpoints, false, true));
        env.setParallelism(2);
        HivestreamJob.build(
                env,
                fixture.jobConf(checkpoints, false, true),
                new AgentRuntimes(),
                Clock.systemUTC(),
                tasks ->
                        tasks.map(new FailOnTrigger(), new AvroTypeInfo<>(Task.class))
                                .uid("fail-on-trigger")
                                .name("fail on trigger"));
        JobClient job = env.executeAsync("in-flight-recovery-it");
        try {
            for (int i = 0; i < fast; i++) {
                publish("fast-" + i);
            }
            await().pollInterval(Duration.ofMillis(300))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> distinctResults().size() >= fast);
            for (int i = 0; i < slow; i++) {
                publish("slow-" + i);
            }
            await().pollInterval(Duration.ofMillis(50))
                    .atMost(Duration.ofMinutes(1))
                    .until(() -> provider.inFlight() == slow);
            // A checkpoint that completes now holds every slow call as in flight.
            long seen = FailOnTrigger.checkpoints.get();
            await().pollInterval(Duration.ofMillis(50))
                    .atMost(Duration.ofMinutes(1))
                    .until(() -> FailOnTrigger.checkpoints.get() >= seen + 2);
            publish("trigger");

            await().pollInterval(Duration.ofMillis(300))
                    .atMost(Duration.ofMinutes(3))
                    .until(() -> distinctResults().size() >= fast + slow + 1);
            long after = FailOnTrigger.checkpoints.get();
            await().pollInterval(Duration.ofMillis(100))
                    .atMost(Duration.ofMinutes(1))
                    .until(() -> FailOnTrigger.checkpoints.get() >= after + 2);
        } finally {
            stop(job);
        }

        assertThat(FailOnTrigger.failures.get()).isEqualTo(1);
        assertThat(FailOnTrigger.inFlightAtFailure.get()).isEqualTo(slow);
        List<TaskResult> results = fixture.results();
        Map<String, Long> counts =
                results.stream()
                        .collect(
                                Collectors.groupingBy(
                                        TaskResult::getTaskId, Collectors.counting()));
        Set<String> expected =
                IntStream.range(0, fast).mapToObj(i -> "fast-" + i).collect(Collectors.toSet());
        IntStream.range(0, slow).mapToObj(i -> "slow-" + i).forEach(expected::add);
        expected.add("trigger");
        assertThat(counts.keySet()).isEqualTo(expected);
        assertThat(counts.values()).allMatch(c -> c == 1L);
        Map<String, TaskResult> byId =
                results.stream()
                        .collect(Collectors.toMap(TaskResult::getTaskId, Function.identity()));
        assertThat(byId.values()).allMatch(r -> r.getStatus() == TaskStatus.COMPLETED);
        assertThat(byId.get("slow-3").getOutput()).isEqualTo("answer to slow-3");
        assertThat(byId.get("slow-3").getTokensIn()).isEqualTo(12);
        assertThat(byId.get("slow-3").getCostUsd())
                .isEqualTo(12 / 1000.0 * 0.001 + 3 / 1000.0 * 0.002);

        // Each fast task and the trigger once; each slow task twice: once before the failure, once
        // after the restore. The calls beyond one per task are exactly those in flight.
        for (int i = 0; i < fast; i++) {
            assertThat(provider.received().get("fast-" + i).get()).as("fast-" + i).isEqualTo(1);
        }
        for (int i = 0; i < slow; i++) {
            assertThat(provider.received().get("slow-" + i).get()).as("slow-" + i).isEqualTo(2);
        }
        assertThat(provider.received().get("trigger").get()).isEqualTo(1);
        assertThat(provider.total() - (fast + slow + 1))
                .isEqualTo(FailOnTrigger.inFlightAtFailure.get());
    }

    private static void publish(String id) throws Exception {
        fixture.sendJson(
                KafkaJobFixture.TASKS, id, "{\"taskId\":\"" + id + "\",\"input\":\"" + id + "\"}");
    }

    private static Set<String> distinctResults() {
        return fixture.results().stream().map(TaskResult::getTaskId).collect(Collectors.toSet());
    }
}
