package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.connectors.loopback.ChatCompletionsServer;
import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The response cache end to end, on a real broker and a MiniCluster with a provider on loopback:
 * the same prompt published five times with metadata cache=exact while the provider holds its first
 * request is answered by one provider request, the other four tasks waiting for it and then
 * answered from the cache; the same prompt with the cache off is a request each.
 */
class ResponseCacheIT extends KafkaJobCase {
    static final String PROMPT = "What is the capital of France?";

    /** Holds the provider's answers to {@link #PROMPT} until the test lets them go. */
    static final CountDownLatch GATE = new CountDownLatch(1);

    static ChatCompletionsServer provider;

    @BeforeAll
    static void startProvider() throws Exception {
        provider =
                new ChatCompletionsServer(
                        user -> "answer to " + user,
                        user -> {
                            if (user.equals(PROMPT)) {
                                try {
                                    GATE.await(2, TimeUnit.MINUTES);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                            return 0;
                        });
    }

    @AfterAll
    static void stopProvider() {
        GATE.countDown();
        if (provider != null) {
            provider.close();
        }
    }

    /**
     * Test-only, after the decode stage: which cached-prompt tasks it passed, the last checkpoint
     * whose barrier it had passed when it saw each, and the checkpoints completed. A checkpoint
     * later than all of those completes only after every stage, the execute stage included, has
     * taken those tasks (the barriers are aligned).
     */
    static final class Seen
            implements MapFunction<Task, Task>, CheckpointedFunction, CheckpointListener {
        private static final long serialVersionUID = 1L;
        static final Map<String, Long> tasks = new ConcurrentHashMap<>();
        static final AtomicLong snapshotted = new AtomicLong();
        static final Set<Long> completed = new ConcurrentSkipListSet<>();

        @Override
        public Task map(Task task) {
            if (task.getInput().equals(PROMPT)) {
                tasks.put(task.getTaskId(), snapshotted.get());
            }
            return task;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            snapshotted.accumulateAndGet(context.getCheckpointId(), Math::max);
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {}

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            completed.add(checkpointId);
        }

        static long lastCompleted() {
            return completed.isEmpty() ? 0 : ((ConcurrentSkipListSet<Long>) completed).last();
        }
    }

    private static int received(String prompt) {
        AtomicInteger count = provider.received().get(prompt);
        return count == null ? 0 : count.get();
    }

    private static Map<String, TaskResult> results() {
        return fixture.results().stream()
                .collect(Collectors.toMap(TaskResult::getTaskId, Function.identity(), (a, b) -> a));
    }

    private static String task(String taskId, String input, String cache) {
        return "{\"taskId\":\""
                + taskId
                + "\",\"kind\":\"chat\",\"input\":\""
                + input
                + "\",\"metadata\":{\"cache\":\""
                + cache
                + "\"}}";
    }

    @Test
    void identicalPromptsInFlightTogetherMakeOneProviderRequest(@TempDir Path checkpoints)
            throws Exception {
        fixture.register(provider.agent("loopback-llm", "chat").setTimeoutMs(120_000).build());
        Configuration conf = fixture.jobConf(checkpoints, false, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(
                env,
                conf,
                new AgentRuntimes(),
                Clock.systemUTC(),
                tasks ->
                        tasks.map(new Seen(), new AvroTypeInfo<>(Task.class))
                                .uid("seen")
                                .name("seen"));
        JobClient job = env.executeAsync("response-cache-it");
        List<String> cachedIds = List.of("c1", "c2", "c3", "c4", "c5");
        List<String> offIds = List.of("o1", "o2", "o3");
        try {
            // The agent is in the rotation once a task has been answered through it.
            fixture.sendJson(KafkaJobFixture.TASKS, "w1", task("w1", "Warm up", "off"));
            await().pollInterval(Duration.ofMillis(300))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> results().containsKey("w1"));

            for (String id : cachedIds) {
                fixture.sendJson(KafkaJobFixture.TASKS, id, task(id, PROMPT, "exact"));
            }
            // All five reach the execute stage while the provider holds the first request.
            await().pollInterval(Duration.ofMillis(50))
                    .atMost(Duration.ofMinutes(1))
                    .until(() -> Seen.tasks.size() == cachedIds.size());
            long after = Seen.tasks.values().stream().mapToLong(Long::longValue).max().orElse(0);
            await().pollInterval(Duration.ofMillis(50))
                    .atMost(Duration.ofMinutes(1))
                    .until(() -> Seen.lastCompleted() > after);
            await().pollInterval(Duration.ofMillis(50))
                    .atMost(Duration.ofMinutes(1))
                    .until(() -> received(PROMPT) >= 1);
            assertThat(received(PROMPT)).isEqualTo(1);
            assertThat(results().keySet()).doesNotContainAnyElementsOf(cachedIds);
            GATE.countDown();
            await().pollInterval(Duration.ofMillis(300))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> results().keySet().containsAll(cachedIds));

            for (String id : offIds) {
                fixture.sendJson(KafkaJobFixture.TASKS, id, task(id, PROMPT, "off"));
            }
            await().pollInterval(Duration.ofMillis(300))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> results().keySet().containsAll(offIds));
            await().pollInterval(Duration.ofMillis(300))
                    .atMost(Duration.ofMinutes(1))
                    .until(
                            () ->
                                    fixture.metrics().stream()
                                                    .filter(m -> m.getKind() == MetricKind.CALL)
                                                    .count()
                                            >= 1 + cachedIds.size() + offIds.size());
        } finally {
            GATE.countDown();
            stop(job);
        }

        // One request for the five cached tasks, then one for each task with the cache off.
        assertThat(received(PROMPT)).isEqualTo(1 + offIds.size());
        assertThat(provider.total()).isEqualTo(1 + 1 + offIds.size());

        Map<String, TaskResult> results = results();
        assertThat(results).hasSize(1 + cachedIds.size() + offIds.size());
        List<TaskResult> cachedTasks = cachedIds.stream().map(results::get).toList();
        assertThat(cachedTasks)
                .extracting(TaskResult::getStatus, TaskResult::getOutput)
                .containsOnly(tuple(TaskStatus.COMPLETED, "answer to " + PROMPT));
        List<AgentAnswer> answers = cachedTasks.stream().map(r -> r.getAnswers().get(0)).toList();
        assertThat(answers).filteredOn(AgentAnswer::getCached).hasSize(4);
        assertThat(answers)
                .filteredOn(AgentAnswer::getCached)
                .allSatisfy(
                        a -> {
                            assertThat(a.getAgentId()).isEqualTo("loopback-llm");
                            assertThat(a.getCostUsd()).isEqualTo(0.0);
                            assertThat(a.getTokensIn()).isEqualTo(0);
                            assertThat(a.getAttempts()).isEqualTo(0);
                        });
        AgentAnswer paid = answers.stream().filter(a -> !a.getCached()).findFirst().orElseThrow();
        assertThat(paid.getTokensIn()).isEqualTo(12);
        assertThat(paid.getTokensOut()).isEqualTo(3);
        assertThat(paid.getCostUsd()).isCloseTo(0.000018, offset(1e-12));
        assertThat(cachedTasks)
                .filteredOn(r -> r.getAnswers().get(0).getCached())
                .extracting(TaskResult::getCostUsd)
                .containsOnly(0.0);
        assertThat(offIds.stream().map(results::get))
                .allSatisfy(
                        r -> {
                            assertThat(r.getStatus()).isEqualTo(TaskStatus.COMPLETED);
                            assertThat(r.getOutput()).isEqualTo("answer to " + PROMPT);
                            assertThat(r.getAnswers().get(0).getCached()).isFalse();
                            assertThat(r.getCostUsd()).isEqualTo(paid.getCostUsd());
                        });

        // One call metric per task: the cached ones cost nothing and saved what the call cost.
        Map<String, List<Metric>> calls =
                fixture.metrics().stream()
                        .filter(m -> m.getKind() == MetricKind.CALL)
                        .collect(Collectors.groupingBy(Metric::getTaskId));
        assertThat(calls.keySet())
                .containsExactlyInAnyOrder("w1", "c1", "c2", "c3", "c4", "c5", "o1", "o2", "o3");
        assertThat(calls.values()).allMatch(list -> list.size() == 1);
        List<Metric> cachedCalls =
                cachedIds.stream()
                        .map(id -> calls.get(id).get(0))
                        .filter(m -> m.getCall().getCached())
                        .toList();
        assertThat(cachedCalls).hasSize(4);
        assertThat(cachedCalls)
                .allSatisfy(
                        m -> {
                            assertThat(m.getCall().getCostUsd()).isEqualTo(0.0);
                            assertThat(m.getCall().getSavedUsd()).isEqualTo(paid.getCostUsd());
                        });
        assertThat(offIds.stream().map(id -> calls.get(id).get(0).getCall()))
                .allSatisfy(
                        c -> {
                            assertThat(c.getCached()).isFalse();
                            assertThat(c.getSavedUsd()).isEqualTo(0.0);
                        });
    }
}
