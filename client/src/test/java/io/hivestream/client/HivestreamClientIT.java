package io.hivestream.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.kafka.LocalKafkaCluster;
import io.hivestream.jobs.HivestreamJob;
import io.hivestream.jobs.HivestreamOptions;
import io.hivestream.jobs.JobSettings;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against the real job on a MiniCluster and the real local broker, with simulated
 * agents: one job serves every test of the class.
 */
class HivestreamClientIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir static Path checkpoints;

    static LocalKafkaCluster kafka;
    static JobClient job;
    static HivestreamClient client;

    @BeforeAll
    static void start() throws Exception {
        kafka =
                LocalKafkaCluster.builder()
                        .topic("hivestream.tasks", 2)
                        .topic("hivestream.results", 2)
                        .topic("hivestream.agents", 1, Map.of("cleanup.policy", "compact"))
                        .topic("hivestream.metrics", 2)
                        .topic("hivestream.dlq", 1)
                        .topic("hivestream.calls", 2, Map.of("cleanup.policy", "compact,delete"))
                        .start();
        client =
                HivestreamClient.builder()
                        .bootstrapServers(kafka.bootstrapServers())
                        .timeout(Duration.ofSeconds(90))
                        .maxPending(64)
                        .build();
        client.register(agent("math-1", List.of("math"), Map.of()));
        client.register(agent("chat-1", List.of("chat"), Map.of("memory", "true")));
        client.register(agent("gone-1", List.of("legacy"), Map.of()));
        client.retire("gone-1");

        Configuration conf = new Configuration();
        conf.set(HivestreamOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        conf.set(HivestreamOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(2));
        conf.set(HivestreamOptions.AGENT_WAIT, Duration.ofSeconds(2));
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        Configuration settings = JobSettings.apply(conf);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(settings);
        env.setParallelism(2);
        job = HivestreamJob.start(env, settings);
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (job != null) {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    static AgentEvent agent(String id, List<String> capabilities, Map<String, String> params) {
        Map<String, String> all = new java.util.HashMap<>(params);
        all.put("latencyMs", "5");
        return AgentEvent.newBuilder()
                .setAgentId(id)
                .setRuntime("simulated")
                .setCapabilities(capabilities)
                .setTier(Tier.CLOUD)
                .setCostPer1kInputTokens(0.001)
                .setParams(all)
                .build();
    }

    static Task math(String id, String input) {
        return Task.newBuilder().setTaskId(id).setKind("math").setInput(input).build();
    }

    @Test
    void theRegistryShowsRegisteredAgentsAndNotRetiredOnes() {
        Map<String, AgentEvent> agents = client.agents();

        assertThat(agents.keySet()).containsExactly("math-1", "chat-1");
        assertThat(agents.get("chat-1").getParams()).containsEntry("memory", "true");
    }

    @Test
    void aSubmittedTaskCompletesItsFutureWithItsResult() throws Exception {
        List<TaskResult> seen = new CopyOnWriteArrayList<>();
        try (HivestreamClient.Subscription subscription = client.results(seen::add)) {
            TaskResult result =
                    client.submit(math("one", "What is 6 * 7?")).get(90, TimeUnit.SECONDS);

            assertThat(result.getTaskId()).isEqualTo("one");
            assertThat(result.getStatus()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(result.getOutput()).isEqualTo("42");
            assertThat(result.getKind()).isEqualTo("math");
            assertThat(result.getAgents()).containsExactly("math-1");
            assertThat(result.getTier()).isEqualTo(Tier.EDGE);
            assertThat(result.getAgentTier()).isEqualTo(Tier.CLOUD);
            assertThat(result.getSimulated()).isTrue();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> seen.stream().anyMatch(r -> r.getTaskId().equals("one")));
        }
    }

    @Test
    void aTaskWithoutAnIdGetsOne() throws Exception {
        TaskResult result =
                client.submit(
                                Task.newBuilder()
                                        .setTaskId("")
                                        .setKind("math")
                                        .setInput("1 + 1")
                                        .build())
                        .get(90, TimeUnit.SECONDS);

        assertThat(result.getTaskId())
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(result.getOutput()).isEqualTo("2");
    }

    @Test
    void aBatchOfTwoHundredCompletesEveryFutureWithItsOwnOutput() throws Exception {
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            tasks.add(math("batch-" + i, i + " + 1000"));
        }

        // 200 tasks through 64 slots: submitAll waits for results to free slots.
        List<CompletableFuture<TaskResult>> futures = client.submitAll(tasks);
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .get(120, TimeUnit.SECONDS);

        for (int i = 0; i < 200; i++) {
            TaskResult result = futures.get(i).get();
            assertThat(result.getTaskId()).isEqualTo("batch-" + i);
            assertThat(result.getStatus()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(result.getOutput()).isEqualTo(Integer.toString(i + 1000));
        }
        assertThat(client.pending()).isZero();
    }

    @Test
    void aSessionsTurnsAreAnsweredInOrderWithTheirMemory() throws Exception {
        Task first =
                Task.newBuilder()
                        .setTaskId("turn-1")
                        .setSessionId("conversation-7")
                        .setKind("chat")
                        .setInput("What is 2 + 3?")
                        .build();
        Task second = Task.newBuilder(first).setTaskId("turn-2").setInput("And 4 + 5?").build();

        // As a conversation goes: the second turn is asked once the first is answered.
        TaskResult one = client.submit(first).get(90, TimeUnit.SECONDS);
        TaskResult two = client.submit(second).get(90, TimeUnit.SECONDS);
        assertThat(one.getOutput()).isEqualTo("[turn 1] simulated chat reply to: What is 2 + 3?");
        assertThat(two.getOutput()).isEqualTo("[turn 2] simulated chat reply to: And 4 + 5?");
        assertThat(one.getSessionId()).isEqualTo("conversation-7");
        assertThat(two.getSessionId()).isEqualTo("conversation-7");
    }

    @Test
    void beyondMaxPendingSubmitWaitsForASlotThenRefusesClearly() {
        try (HivestreamClient small =
                HivestreamClient.builder()
                        .bootstrapServers(kafka.bootstrapServers())
                        .timeout(Duration.ofMillis(300))
                        .maxPending(1)
                        .build()) {
            // No agent offers "poetry": the job waits for one before answering, so the only slot
            // stays taken while the second task asks for it.
            CompletableFuture<TaskResult> first =
                    small.submit(
                            Task.newBuilder()
                                    .setTaskId("slot-1")
                                    .setKind("poetry")
                                    .setInput("a haiku")
                                    .build(),
                            Duration.ofMinutes(2));

            assertThatThrownBy(() -> small.submit(math("slot-2", "1 + 1")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage(
                            "task slot-2 not sent: the client still awaited maxPending (1)"
                                    + " result(s) after 300 ms; wait for some before submitting"
                                    + " more, or raise maxPending.");
            assertThat(small.pending()).isEqualTo(1);
            assertThat(first).isNotDone();
        }
    }

    @Test
    void aMissingResultsTopicIsNamedWhenTheClientIsBuilt() {
        assertThatThrownBy(
                        () ->
                                HivestreamClient.builder()
                                        .bootstrapServers(kafka.bootstrapServers())
                                        .resultsTopic("no-such-results")
                                        .timeout(Duration.ofSeconds(10))
                                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "cannot read the results topic 'no-such-results' at "
                                + kafka.bootstrapServers()
                                + " (topic 'no-such-results' does not exist); check that the"
                                + " broker runs and that the topic exists (./hivestream topics"
                                + " creates it).");
    }

    @Test
    void aTaskNoAgentAnswersInTimeFailsItsFutureNamingTheTask() {
        // The job answers in a checkpoint's time; a future allowed 1 ms gives up first.
        CompletableFuture<TaskResult> future =
                client.submit(
                        Task.newBuilder()
                                .setTaskId("too-slow")
                                .setKind("math")
                                .setInput("1 + 2")
                                .build(),
                        Duration.ofMillis(1));

        assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(TimeoutException.class)
                .hasMessage(
                        "no result for task too-slow within 1 ms; the task may still be running"
                                + " (is the job up, and does an agent offer what it needs?)");
    }
}
