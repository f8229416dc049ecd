package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.connectors.loopback.ChatCompletionsServer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recovery pays no call twice whose outcome was journaled: the job fails after calls completed
 * and before the next checkpoint (single answers and the three calls of a vote), while other calls
 * are in flight, among them ReAct tool loops in their last step. After the restore the provider
 * sees again only the requests that were in flight (a tool loop resumes after its journaled steps),
 * and the metrics topic counts every call the provider answered once.
 */
class CallJournalIT extends KafkaJobCase {
    static ChatCompletionsServer provider;

    @BeforeAll
    static void startProvider() throws Exception {
        provider =
                new ChatCompletionsServer(
                                user -> "answer to " + user,
                                user -> user.startsWith("slow") ? 8_000 : 5)
                        .toolLoop(user -> user.startsWith("slow-react"), 2);
    }

    @AfterAll
    static void stopProvider() {
        if (provider != null) {
            provider.close();
        }
    }

    /** Test-only: fails once, on the trigger task, and records the checkpoints completed. */
    static final class FailOnTrigger implements MapFunction<Task, Task>, CheckpointListener {
        private static final long serialVersionUID = 1L;
        static final Set<Long> checkpoints = new ConcurrentSkipListSet<>();
        static final AtomicInteger failures = new AtomicInteger();
        static final AtomicInteger inFlightAtFailure = new AtomicInteger(-1);
        static final AtomicLong checkpointAtFailure = new AtomicLong(-1);

        @Override
        public Task map(Task task) {
            if (task.getTaskId().equals("trigger") && failures.compareAndSet(0, 1)) {
                inFlightAtFailure.set(provider.inFlight());
                checkpointAtFailure.set(last());
                throw new IllegalStateException("failing once on purpose before a checkpoint");
            }
            return task;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpoints.add(checkpointId);
        }

        static long last() {
            return checkpoints.isEmpty() ? 0 : ((ConcurrentSkipListSet<Long>) checkpoints).last();
        }
    }

    private static AgentEvent agent(String id, String capability) {
        return agent(id, capability, Map.of());
    }

    private static AgentEvent agent(String id, String capability, Map<String, String> params) {
        return provider.agent(id, capability)
                .setParams(params)
                .setTimeoutMs(60_000)
                .setMaxConcurrency(64)
                .build();
    }

    @Test
    void aRestoreReplaysJournaledCallsAndMakesAgainOnlyThoseInFlight(@TempDir Path checkpoints)
            throws Exception {
        fixture.register(agent("solo", "chat"));
        fixture.register(agent("reactor", "react", Map.of("tools", "calculator")));
        for (String id : List.of("voter-a", "voter-b", "voter-c")) {
            fixture.register(agent(id, "vote"));
        }
        Configuration conf = fixture.jobConf(checkpoints, false, true);
        // Long enough that the calls below complete, and the job fails, between two checkpoints.
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(12));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(
                env,
                conf,
                new AgentRuntimes(),
                Clock.systemUTC(),
                tasks ->
                        tasks.map(new FailOnTrigger(), new AvroTypeInfo<>(Task.class))
                                .uid("fail-on-trigger")
                                .name("fail on trigger"));
        int warm = 4;
        int fast = 20;
        int slow = 3;
        int reacts = 2;
        JobClient job = env.executeAsync("call-journal-it");
        long checkpointBefore;
        try {
            for (int i = 0; i < warm; i++) {
                publish("warm-" + i, "chat", 1);
            }
            await().pollInterval(Duration.ofMillis(300))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> distinctResults().size() >= warm);
            long seen = FailOnTrigger.last();
            await().pollInterval(Duration.ofMillis(50))
                    .atMost(Duration.ofMinutes(1))
                    .until(() -> FailOnTrigger.last() > seen);
            checkpointBefore = FailOnTrigger.last();
            for (int i = 0; i < fast; i++) {
                publish("fast-" + i, "chat", 1);
            }
            publish("vote-0", "vote", 3);
            for (int i = 0; i < slow; i++) {
                publish("slow-" + i, "chat", 1);
            }
            for (int i = 0; i < reacts; i++) {
                publish("slow-react-" + i, "react", 1);
            }
            await().pollInterval(Duration.ofMillis(20))
                    .atMost(Duration.ofMinutes(1))
                    .until(
                            () ->
                                    provider.inFlight() == slow + reacts
                                            && received("vote-0") == 3
                                            && answered("fast-", fast) == fast);
            // Every answered call's outcome, and each tool step, is in the journal before the
            // failure.
            await().pollInterval(Duration.ofMillis(100))
                    .atMost(Duration.ofMinutes(1))
                    .until(
                            () -> {
                                List<String> ids = journaled();
                                return count(ids, "default/fast-") == fast
                                        && count(ids, "default/vote-0/") == 3
                                        && count(ids, "default/slow-react-") == 2 * reacts;
                            });
            publish("trigger", "chat", 1);

            await().pollInterval(Duration.ofMillis(300))
                    .atMost(Duration.ofMinutes(3))
                    .until(() -> distinctResults().size() >= warm + fast + 1 + slow + reacts + 1);
        } finally {
            stop(job);
        }

        assertThat(FailOnTrigger.failures.get()).isEqualTo(1);
        // The fast calls and the vote completed after the last checkpoint before the failure.
        assertThat(FailOnTrigger.checkpointAtFailure.get()).isEqualTo(checkpointBefore);
        assertThat(FailOnTrigger.inFlightAtFailure.get()).isEqualTo(slow + reacts);

        Map<String, List<TaskResult>> results =
                fixture.results().stream().collect(Collectors.groupingBy(TaskResult::getTaskId));
        assertThat(results).hasSize(warm + fast + 1 + slow + reacts + 1);
        assertThat(results.values()).allMatch(r -> r.size() == 1);
        assertThat(results.values()).allMatch(r -> r.get(0).getStatus() == TaskStatus.COMPLETED);
        assertThat(results.get("fast-7").get(0).getOutput()).isEqualTo("answer to fast-7");
        // The vote is decided by its quorum, 2 of 3 agreeing answers; the third may come later.
        assertThat(results.get("vote-0").get(0).getOutput()).isEqualTo("answer to vote-0");
        assertThat(results.get("vote-0").get(0).getAnswers())
                .allMatch(a -> a.getOutput().equals("answer to vote-0") && a.getAgreed());

        // The provider answered each journaled call once; only the calls in flight came again.
        for (int i = 0; i < fast; i++) {
            assertThat(received("fast-" + i)).as("fast-" + i).isEqualTo(1);
        }
        assertThat(received("vote-0")).isEqualTo(3);
        for (int i = 0; i < slow; i++) {
            assertThat(received("slow-" + i)).as("slow-" + i).isEqualTo(2);
        }
        // A tool loop: two tool steps and the answer before the failure; after the restore only
        // the answer again, its two steps replayed from the journal (their tokens still count).
        for (int i = 0; i < reacts; i++) {
            assertThat(received("slow-react-" + i)).as("slow-react-" + i).isEqualTo(4);
        }
        assertThat(results.get("slow-react-1").get(0).getOutput())
                .isEqualTo("answer to slow-react-1");
        assertThat(results.get("slow-react-1").get(0).getTokensIn()).isEqualTo(3 * 12);
        int distinctCalls = warm + fast + 3 + slow + reacts + 1;
        assertThat(provider.total()).isEqualTo(warm + fast + 3 + 2 * slow + 4 * reacts + 1);

        // The books match the provider's: one call metric per call the job made, the journaled
        // ones replayed in the committed run, plus one for each try lost in flight at the
        // failure, priced as the same request made again. Every request here is 12 prompt and 3
        // completion tokens at the same prices.
        List<Metric> calls =
                fixture.metrics().stream()
                        .filter(m -> m.getKind() == MetricKind.CALL)
                        .collect(Collectors.toList());
        assertThat(calls).hasSize(distinctCalls + slow + reacts);
        assertThat(calls)
                .filteredOn(m -> "AbandonedAtRestore".equals(m.getCall().getErrorClass()))
                .extracting(Metric::getTaskId)
                .containsExactlyInAnyOrder(
                        "slow-0", "slow-1", "slow-2", "slow-react-0", "slow-react-1");
        assertThat(calls.stream().mapToLong(m -> m.getCall().getTokensIn()).sum())
                .isEqualTo(12L * provider.total());
        assertThat(calls.stream().mapToLong(m -> m.getCall().getTokensOut()).sum())
                .isEqualTo(3L * provider.total());
        assertThat(calls.stream().mapToDouble(m -> m.getCall().getCostUsd()).sum())
                .isCloseTo(0.000018 * provider.total(), org.assertj.core.data.Offset.offset(1e-9));
        Map<String, Long> perTask =
                calls.stream()
                        .collect(Collectors.groupingBy(Metric::getTaskId, Collectors.counting()));
        assertThat(perTask.get("fast-3")).isEqualTo(1L);
        assertThat(perTask.get("vote-0")).isEqualTo(3L);
        assertThat(perTask.get("slow-1")).isEqualTo(2L);
        assertThat(perTask.get("slow-react-0")).isEqualTo(2L);

        assertThat(journaled()).contains("default/fast-3/0/1/1/solo", "default/trigger/0/1/1/solo");
    }

    /** Outcomes and tool steps journaled under {@code prefix}, not the markers of calls sent. */
    private static long count(List<String> ids, String prefix) {
        return ids.stream().filter(id -> id.startsWith(prefix) && !id.endsWith("@")).count();
    }

    private static List<String> journaled() {
        List<String> ids = new ArrayList<>();
        fixture.read(KafkaJobFixture.CALLS)
                .forEach(r -> ids.add(new String(r.key(), StandardCharsets.UTF_8)));
        return ids;
    }

    private static int received(String input) {
        AtomicInteger count = provider.received().get(input);
        return count == null ? 0 : count.get();
    }

    private static int answered(String prefix, int n) {
        int done = 0;
        for (int i = 0; i < n; i++) {
            done += received(prefix + i) > 0 ? 1 : 0;
        }
        return done;
    }

    private static void publish(String id, String capability, int replicas) throws Exception {
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                id,
                "{\"taskId\":\""
                        + id
                        + "\",\"input\":\""
                        + id
                        + "\",\"capabilities\":[\""
                        + capability
                        + "\"],\"replicas\":"
                        + replicas
                        + "}");
    }

    private static Set<String> distinctResults() {
        return fixture.results().stream().map(TaskResult::getTaskId).collect(Collectors.toSet());
    }
}
