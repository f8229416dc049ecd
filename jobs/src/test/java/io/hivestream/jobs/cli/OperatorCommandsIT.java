package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.kafka.LocalKafkaCluster;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.AgentEventType;
import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.codec.Codecs;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's commands ({@code agents list}, {@code dlq}, {@code top}) and the command line's
 * error sentences, against a real broker whose topics hold what the job would have written.
 */
class OperatorCommandsIT {
    static final long FAILED_AT = 1_700_000_000_000L;
    static LocalKafkaCluster kafka;
    static String bootstrap;
    static Task badTask = Task.newBuilder().setTaskId("t-9").setInput("x").setReplicas(-1).build();

    @BeforeAll
    static void start() throws Exception {
        kafka =
                LocalKafkaCluster.builder()
                        .topic("hivestream.tasks", 1)
                        .topic("hivestream.results", 2)
                        .topic("hivestream.agents", 1, Map.of("cleanup.policy", "compact"))
                        .topic("hivestream.metrics", 2)
                        .topic("hivestream.dlq", 1)
                        .start();
        bootstrap = kafka.bootstrapServers();
        long now = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap)) {
            for (AgentEvent agent :
                    List.of(
                            agent("gpt-main", AgentEventType.REGISTER, Tier.CLOUD, "chat"),
                            agent("edge-1", AgentEventType.REGISTER, Tier.EDGE, "classify"),
                            agent("old-1", AgentEventType.REGISTER, Tier.EDGE, "classify"),
                            agent("old-1", AgentEventType.RETIRE, Tier.EDGE))) {
                send(
                        producer,
                        "hivestream.agents",
                        agent.getAgentId(),
                        Codecs.AGENT_EVENT.encodeAvro(agent));
            }
            for (Metric metric :
                    List.of(
                            call(now - 5_000, "gpt-main", CallOutcome.SUCCESS, 1_200, 0.003),
                            call(now - 4_000, "gpt-main", CallOutcome.SUCCESS, 1_800, 0.005),
                            call(now - 3_000, "gpt-main", CallOutcome.ERROR, 600, 0.0),
                            call(now - 2_000, "edge-1", CallOutcome.SUCCESS, 20, 0.0),
                            // An hour ago: outside every window the tests ask for.
                            call(now - 3_600_000, "edge-1", CallOutcome.ERROR, 9_999, 1.0))) {
                send(
                        producer,
                        "hivestream.metrics",
                        metric.getAgentId(),
                        Codecs.METRIC.encodeAvro(metric),
                        metric.getTimestamp());
            }
            for (TaskResult result :
                    List.of(
                            result("r-1", now - 5_000, TaskStatus.COMPLETED, 1_300, 0.003),
                            result("r-2", now - 4_000, TaskStatus.COMPLETED, 1_900, 0.005),
                            result("r-3", now - 2_000, TaskStatus.FAILED, 700, 0.0))) {
                send(
                        producer,
                        "hivestream.results",
                        result.getTaskId(),
                        Codecs.TASK_RESULT.encodeAvro(result),
                        result.getCompletedAt());
            }
            send(
                    producer,
                    "hivestream.dlq",
                    null,
                    Codecs.DEAD_LETTER.encodeAvro(
                            DeadLetter.newBuilder()
                                    .setTopic("hivestream.tasks")
                                    .setPartition(0)
                                    .setOffset(5)
                                    .setKey(ByteBuffer.wrap("k-5".getBytes(StandardCharsets.UTF_8)))
                                    .setValue(
                                            ByteBuffer.wrap(
                                                    "not json".getBytes(StandardCharsets.UTF_8)))
                                    .setStage("decode")
                                    .setReason("neither Avro single-object bytes nor valid JSON")
                                    .setFailedAt(FAILED_AT)
                                    .build()));
            send(
                    producer,
                    "hivestream.dlq",
                    null,
                    Codecs.DEAD_LETTER.encodeAvro(
                            DeadLetter.newBuilder()
                                    .setTopic("hivestream.tasks")
                                    .setPartition(0)
                                    .setOffset(9)
                                    .setValue(ByteBuffer.wrap(Codecs.TASK.encodeAvro(badTask)))
                                    .setStage("validate")
                                    .setReason("replicas must be at least 1, got -1")
                                    .setFailedAt(FAILED_AT + 1000)
                                    .build()));
        }
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    static AgentEvent agent(String id, AgentEventType type, Tier tier, String... capabilities) {
        return AgentEvent.newBuilder()
                .setAgentId(id)
                .setType(type)
                .setTier(tier)
                .setCapabilities(List.of(capabilities))
                .build();
    }

    static Metric call(long at, String agentId, CallOutcome outcome, long latencyMs, double cost) {
        return Metric.newBuilder()
                .setKind(MetricKind.CALL)
                .setTimestamp(at)
                .setAgentId(agentId)
                .setCall(
                        CallMetric.newBuilder()
                                .setOutcome(outcome)
                                .setLatencyMs(latencyMs)
                                .setCostUsd(cost)
                                .build())
                .build();
    }

    static TaskResult result(String id, long at, TaskStatus status, long latencyMs, double cost) {
        return TaskResult.newBuilder()
                .setTaskId(id)
                .setStatus(status)
                .setCompletedAt(at)
                .setLatencyMs(latencyMs)
                .setCostUsd(cost)
                .build();
    }

    static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value)
            throws Exception {
        send(producer, topic, key, value, null);
    }

    static void send(
            KafkaProducer<byte[], byte[]> producer,
            String topic,
            String key,
            byte[] value,
            Long timestamp)
            throws Exception {
        producer.send(
                        new ProducerRecord<>(
                                topic,
                                null,
                                timestamp,
                                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                                value))
                .get();
    }

    @Test
    void agentsListShowsTheRegistryWithEachAgentsRecentCalls() {
        CliRunner.Run run =
                CliRunner.run("agents", "list", "--bootstrap", bootstrap, "--window", "600");

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .isEqualTo(
                        "AGENT            RUNTIME    TIER   CAPABILITIES               CALLS      OK   MEAN MS    COST USD\n"
                                + "edge-1           simulated  EDGE   classify                       1  100.0%      20.0    0.000000\n"
                                + "gpt-main         simulated  CLOUD  chat                           3   66.7%    1200.0    0.008000\n"
                                + "2 agent(s) registered; calls of the last 600 s\n");
    }

    @Test
    void agentsListAsJson() {
        CliRunner.Run run =
                CliRunner.run(
                        "agents", "list", "--bootstrap", bootstrap, "--window", "600", "--json");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out().lines().toList())
                .containsExactly(
                        "{\"agentId\":\"edge-1\",\"runtime\":\"simulated\",\"tier\":\"EDGE\",\"capabilities\":[\"classify\"],\"calls\":1,\"succeeded\":1,\"successRate\":1.0,\"meanLatencyMs\":20.0,\"costUsd\":0.0}",
                        "{\"agentId\":\"gpt-main\",\"runtime\":\"simulated\",\"tier\":\"CLOUD\",\"capabilities\":[\"chat\"],\"calls\":3,\"succeeded\":2,\"successRate\":0.6666666666666666,\"meanLatencyMs\":1200.0,\"costUsd\":0.008}");
    }

    @Test
    void dlqShowsEachDeadLetterWithItsStageWhereItWasWhyAndTheRecord() {
        CliRunner.Run run = CliRunner.run("dlq", "--bootstrap", bootstrap);

        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .isEqualTo(
                        "2023-11-14T22:13:20Z decode hivestream.tasks/0/5: neither Avro single-object bytes nor valid JSON\n"
                                + "  key:    k-5\n"
                                + "  record: not json\n"
                                + "2023-11-14T22:13:21Z validate hivestream.tasks/0/9: replicas must be at least 1, got -1\n"
                                + "  record: "
                                + Codecs.TASK.toJsonString(badTask)
                                + "\n"
                                + "2 dead letter(s) in hivestream.dlq\n");
    }

    @Test
    void dlqAsJson() {
        CliRunner.Run run = CliRunner.run("dlq", "--bootstrap", bootstrap, "--json");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out().lines().findFirst().orElseThrow())
                .isEqualTo(
                        "{\"stage\":\"decode\",\"topic\":\"hivestream.tasks\",\"partition\":0,\"offset\":5,"
                                + "\"reason\":\"neither Avro single-object bytes nor valid JSON\",\"errorClass\":null,"
                                + "\"failedAt\":1700000000000,\"key\":\"k-5\",\"record\":\"not json\"}");
        assertThat(run.out().lines()).hasSize(2);
    }

    @Test
    void dlqResubmitSendsCorrectedTasksCheckedAsSubmitChecksThem(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("fixed.jsonl");
        Files.writeString(
                file,
                "{\"taskId\":\"t-9\",\"input\":\"x\",\"replicas\":1}\n"
                        + "{\"taskId\":\"t-10\",\"input\":\"x\",\"replicas\":\"one\"}\n");

        CliRunner.Run run =
                CliRunner.run("dlq", "--bootstrap", bootstrap, "--resubmit", file.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEqualTo("sent 1 task(s) to hivestream.tasks; rejected 1 line(s)\n");
        assertThat(run.err())
                .isEqualTo("line 2: field 'replicas': expected a number, got \"one\"\n");
        var tasks = KafkaClients.readAll(bootstrap, "hivestream.tasks", Duration.ofSeconds(30));
        assertThat(tasks).hasSize(1);
        assertThat(new String(tasks.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("t-9");
    }

    @Test
    void topOnceShowsTheWindowsFigures() {
        CliRunner.Run run =
                CliRunner.run("top", "--bootstrap", bootstrap, "--once", "--window", "600");

        assertThat(run.exitCode()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0))
                .matches(
                        "hivestream top at 127\\.0\\.0\\.1:\\d+, \\d{4}-\\d\\d-\\d\\dT.*Z, last 600 s");
        assertThat(lines.subList(1, lines.size()))
                .containsExactly(
                        "throughput  0.01 results/s (3 in the last 600 s)",
                        "results     COMPLETED 2, FAILED 1",
                        "latency     p50 1300 ms, p95 1900 ms, max 1900 ms",
                        "calls       4 (3 succeeded), 0.01 in flight on average",
                        "spend       $0.008000");
    }

    @Test
    void topLiveRefreshesUntilItsTimeout() {
        CliRunner.Run run =
                CliRunner.run(
                        "top",
                        "--bootstrap",
                        bootstrap,
                        "--window",
                        "600",
                        "--interval",
                        "1",
                        "--timeout",
                        "2");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("\u001b[H\u001b[2Jhivestream top at ");
        assertThat(run.out()).contains("results     COMPLETED 2, FAILED 1\n");
    }

    @Test
    void aMissingTopicIsNamedWithHowToCreateIt() {
        CliRunner.Run run =
                CliRunner.run(
                        "results",
                        "--bootstrap",
                        bootstrap,
                        "--topic",
                        "no-such-topic",
                        "--timeout",
                        "5");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err())
                .isEqualTo(
                        "error: topic 'no-such-topic' does not exist; create the topics with"
                                + " ./hivestream topics --bootstrap HOST:PORT, or name an existing"
                                + " topic with the command's topic option.\n");
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("agents.json");

        CliRunner.Run run =
                CliRunner.run("agents", "register", "--bootstrap", bootstrap, missing.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err())
                .isEqualTo(
                        "error: file not found: "
                                + missing
                                + "; check the path (a relative path starts from the folder you"
                                + " run ./hivestream in).\n");
    }

    @Test
    void badJsonIsNamedWithWhere(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("agents.json");
        Files.writeString(file, "[{\"agentId\": }]");

        CliRunner.Run run =
                CliRunner.run("agents", "register", "--bootstrap", bootstrap, file.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err())
                .isEqualTo(
                        "error: not valid JSON: Unexpected character ('}' (code 125)): expected a"
                                + " valid value (JSON String, Number, Array, Object or token"
                                + " 'null', 'true' or 'false') at line 1, column 14; fix the file (a JSON array, or one"
                                + " JSON object per line).\n");
    }
}
