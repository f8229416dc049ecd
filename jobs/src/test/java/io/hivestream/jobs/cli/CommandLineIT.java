package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.kafka.LocalKafkaCluster;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.AgentEventType;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.codec.Codecs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's Kafka commands against a real broker. */
class CommandLineIT {
    static LocalKafkaCluster kafka;

    static CliRunner.Run run(String... args) {
        return CliRunner.run(args);
    }

    @BeforeAll
    static void start() throws Exception {
        kafka =
                LocalKafkaCluster.builder()
                        .topic("hivestream.tasks", 1)
                        .topic("hivestream.results", 1)
                        .topic("hivestream.agents", 1, Map.of("cleanup.policy", "compact"))
                        .start();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void submitSendsGoodLinesAndNamesTheBadOnes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tasks.jsonl");
        Files.writeString(
                file,
                "{\"taskId\":\"a\",\"input\":\"hello\"}\n"
                        + "\n"
                        + "{\"input\":\"no id\",\"kind\":\"math\"}\n"
                        + "{\"taskId\":\"b\",\"input\":\"x\",\"replicas\":\"three\"}\n"
                        + "not json\n");

        CliRunner.Run run = run("submit", "--bootstrap", kafka.bootstrapServers(), file.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEqualTo("sent 2 task(s) to hivestream.tasks; rejected 2 line(s)\n");
        assertThat(run.err().lines().toList())
                .containsExactly(
                        "line 4: field 'replicas': expected a number, got \"three\"",
                        "line 5: neither Avro single-object bytes nor valid JSON: Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')");
        List<ConsumerRecord<byte[], byte[]>> records =
                KafkaClients.readAll(
                        kafka.bootstrapServers(), "hivestream.tasks", Duration.ofSeconds(30));
        assertThat(records).hasSize(2);
        assertThat(new String(records.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("a");
        assertThat(records.get(1).key()).isNull();
        assertThat(new String(records.get(1).value(), StandardCharsets.UTF_8))
                .isEqualTo("{\"input\":\"no id\",\"kind\":\"math\"}");
    }

    @Test
    void submitKeysBySessionAndKeepsEachSessionsTurnsInOrder(@TempDir Path dir) throws Exception {
        kafka.createTopic("sessions.tasks", 4);
        StringBuilder lines = new StringBuilder();
        int sessions = 50;
        int turns = 20;
        for (int turn = 1; turn <= turns; turn++) {
            for (int s = 0; s < sessions; s++) {
                lines.append(
                        String.format(
                                "{\"taskId\":\"s%d-t%d\",\"sessionId\":\"s%d\",\"input\":\"turn %d\"}%n",
                                s, turn, s, turn));
            }
            lines.append(String.format("{\"taskId\":\"solo-%d\",\"input\":\"alone\"}%n", turn));
        }
        // Line 1,021 is bad; line 1,022 has neither a session nor its own id.
        lines.append("{\"taskId\":\"x\",\"input\":\"x\",\"replicas\":\"three\"}\n");
        lines.append("{\"input\":\"no id\"}\n");
        Path file = dir.resolve("tasks.jsonl");
        Files.writeString(file, lines);

        CliRunner.Run run =
                run(
                        "submit",
                        "--bootstrap",
                        kafka.bootstrapServers(),
                        "--topic",
                        "sessions.tasks",
                        "--max-in-flight",
                        "16",
                        file.toString());

        assertThat(run.err())
                .isEqualTo("line 1021: field 'replicas': expected a number, got \"three\"\n");
        assertThat(run.out())
                .isEqualTo("sent 1021 task(s) to sessions.tasks; rejected 1 line(s)\n");
        assertThat(run.exitCode()).isEqualTo(1);
        List<ConsumerRecord<byte[], byte[]>> records =
                KafkaClients.readAll(
                        kafka.bootstrapServers(), "sessions.tasks", Duration.ofSeconds(30));
        assertThat(records).hasSize(1021);
        Map<String, List<ConsumerRecord<byte[], byte[]>>> byKey =
                records.stream()
                        .collect(
                                Collectors.groupingBy(
                                        r ->
                                                r.key() == null
                                                        ? "(none)"
                                                        : new String(
                                                                r.key(), StandardCharsets.UTF_8),
                                        java.util.TreeMap::new,
                                        Collectors.toList()));
        assertThat(byKey).hasSize(sessions + turns + 1);
        for (int s = 0; s < sessions; s++) {
            List<ConsumerRecord<byte[], byte[]>> session = byKey.get("s" + s);
            // readAll returns each partition in offset order: the file's order of the turns.
            assertThat(session.stream().map(ConsumerRecord::partition).distinct()).hasSize(1);
            List<String> expected = new java.util.ArrayList<>();
            for (int turn = 1; turn <= turns; turn++) {
                expected.add(
                        String.format(
                                "{\"taskId\":\"s%d-t%d\",\"sessionId\":\"s%d\",\"input\":\"turn %d\"}",
                                s, turn, s, turn));
            }
            assertThat(session)
                    .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .containsExactlyElementsOf(expected);
        }
        for (int turn = 1; turn <= turns; turn++) {
            assertThat(byKey.get("solo-" + turn)).hasSize(1);
        }
        assertThat(byKey.get("(none)"))
                .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("{\"input\":\"no id\"}");
    }

    @Test
    void submitNamesTheLineTheBrokerDidNotTake(@TempDir Path dir) throws Exception {
        kafka.createTopic("large.tasks", 1);
        Path file = dir.resolve("tasks.jsonl");
        Files.writeString(
                file,
                "{\"taskId\":\"a\",\"sessionId\":\"s\",\"input\":\"1\"}\n"
                        + "{\"taskId\":\"big\",\"input\":\""
                        + "x".repeat(2_000_000)
                        + "\"}\n"
                        + "{\"taskId\":\"b\",\"input\":\"2\"}\n");

        CliRunner.Run run =
                run(
                        "submit",
                        "--bootstrap",
                        kafka.bootstrapServers(),
                        "--topic",
                        "large.tasks",
                        "--no-validate",
                        file.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err())
                .isEqualTo(
                        "line 2: not sent: RecordTooLargeException (The message is 2000118 bytes"
                                + " when serialized which is larger than 1048576, which is the"
                                + " value of the max.request.size configuration.); shorten the"
                                + " task to under 1 MiB and submit this line again.\n");
        assertThat(run.out())
                .isEqualTo("sent 2 task(s) to large.tasks; 1 of 3 not sent (lines above)\n");
        assertThat(
                        KafkaClients.readAll(
                                        kafka.bootstrapServers(),
                                        "large.tasks",
                                        Duration.ofSeconds(30))
                                .stream()
                                .map(r -> new String(r.key(), StandardCharsets.UTF_8)))
                .containsExactly("s", "b");
    }

    @Test
    void agentsRegisterAndRetirePublishToTheRegistry(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("agents.json");
        Files.writeString(
                file,
                "[{\"agentId\":\"gpt-main\",\"runtime\":\"openai\",\"baseUrl\":\"http://127.0.0.1:1/v1\",\"apiKeyEnv\":\"OPENAI_API_KEY\","
                        + "\"capabilities\":[\"chat\"],\"tier\":\"CLOUD\",\"costPer1kInputTokens\":0.0025},"
                        + " {\"agentId\":\"edge-1\",\"capabilities\":[\"classify\"]}]");

        CliRunner.Run register =
                run("agents", "register", "--bootstrap", kafka.bootstrapServers(), file.toString());
        CliRunner.Run retire =
                run("agents", "retire", "--bootstrap", kafka.bootstrapServers(), "edge-1");

        assertThat(register.exitCode()).isZero();
        assertThat(register.out())
                .isEqualTo(
                        "registered gpt-main (openai, CLOUD, [chat])\nregistered edge-1 (simulated, EDGE, [classify])\n");
        assertThat(retire.out()).isEqualTo("retired edge-1\n");
        List<AgentEvent> events =
                KafkaClients.readAll(
                                kafka.bootstrapServers(),
                                "hivestream.agents",
                                Duration.ofSeconds(30))
                        .stream()
                        .map(r -> Codecs.AGENT_EVENT.decode(r.value()))
                        .collect(Collectors.toList());
        assertThat(events)
                .extracting(AgentEvent::getAgentId, AgentEvent::getType)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("gpt-main", AgentEventType.REGISTER),
                        org.assertj.core.groups.Tuple.tuple("edge-1", AgentEventType.REGISTER),
                        org.assertj.core.groups.Tuple.tuple("edge-1", AgentEventType.RETIRE));
        assertThat(events.get(0).getTier()).isEqualTo(Tier.CLOUD);
        assertThat(events.get(0).getApiKeyEnv()).isEqualTo("OPENAI_API_KEY");
    }

    @Test
    void agentsRegisterRefusesABadFileAndPublishesNothing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("agents.jsonl");
        Files.writeString(file, "{\"agentId\":\"ok\"}\n{\"agentId\":\"bad\",\"tier\":\"MOON\"}\n");

        CliRunner.Run run =
                run("agents", "register", "--bootstrap", kafka.bootstrapServers(), file.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err())
                .isEqualTo(
                        "error: line 2: field 'tier': expected one of [EDGE, CLOUD], got \"MOON\"\n");
    }

    @Test
    void resultsPrintsCountedResultsAsJsonAndFailsWhenTooFewArrive() throws Exception {
        TaskResult done =
                TaskResult.newBuilder()
                        .setTaskId("r-1")
                        .setStatus(TaskStatus.COMPLETED)
                        .setOutput("84")
                        .setKind("math")
                        .setCompletedAt(5)
                        .build();
        TaskResult failed =
                TaskResult.newBuilder()
                        .setTaskId("r-2")
                        .setStatus(TaskStatus.FAILED)
                        .setError("no agent")
                        .setCompletedAt(6)
                        .build();
        try (KafkaProducer<byte[], byte[]> producer =
                KafkaClients.producer(kafka.bootstrapServers())) {
            producer.send(
                            new ProducerRecord<>(
                                    "hivestream.results", Codecs.TASK_RESULT.encodeAvro(done)))
                    .get();
            producer.send(
                            new ProducerRecord<>(
                                    "hivestream.results", Codecs.TASK_RESULT.encodeAvro(failed)))
                    .get();
        }

        CliRunner.Run json =
                run(
                        "results",
                        "--bootstrap",
                        kafka.bootstrapServers(),
                        "--count",
                        "2",
                        "--json",
                        "--timeout",
                        "60");
        CliRunner.Run lines =
                run(
                        "results",
                        "--bootstrap",
                        kafka.bootstrapServers(),
                        "--count",
                        "1",
                        "--timeout",
                        "60");
        CliRunner.Run tooFew =
                run(
                        "results",
                        "--bootstrap",
                        kafka.bootstrapServers(),
                        "--count",
                        "3",
                        "--timeout",
                        "3");

        assertThat(json.exitCode()).isZero();
        assertThat(json.out().lines().map(Codecs.TASK_RESULT::fromJson).toList())
                .containsExactly(done, failed);
        assertThat(lines.out())
                .isEqualTo(
                        "COMPLETED    r-1                      math       → 84  [ 0 ms $0.000000]\n");
        assertThat(tooFew.exitCode()).isEqualTo(1);
        assertThat(tooFew.err()).isEqualTo("only 2 of 3 results within 3 s\n");
    }

    @Test
    void consoleNamesATopicThatDoesNotExistAndStops() {
        // This broker has no metrics or dead-letter topic.
        CliRunner.Run run = run("console", "--bootstrap", kafka.bootstrapServers(), "--port", "0");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err())
                .isEqualTo(
                        "error: topic 'hivestream.metrics' does not exist; create the topics with"
                                + " ./hivestream topics --bootstrap HOST:PORT, or name an existing"
                                + " topic with the command's topic option.\n");
    }

    @Test
    void everyCommandExplainsItselfInItsHelp() {
        for (String[] command :
                List.of(
                        new String[] {"demo"},
                        new String[] {"submit"},
                        new String[] {"results"},
                        new String[] {"agents"},
                        new String[] {"agents", "register"},
                        new String[] {"agents", "retire"},
                        new String[] {"console"},
                        new String[] {"run"},
                        new String[] {"topics"},
                        new String[] {"deploy"})) {
            String[] args =
                    java.util.stream.Stream.concat(
                                    java.util.Arrays.stream(command),
                                    java.util.stream.Stream.of("--help"))
                            .toArray(String[]::new);
            CliRunner.Run help = run(args);
            assertThat(help.exitCode()).as(String.join(" ", command)).isZero();
            assertThat(help.out())
                    .as(String.join(" ", command))
                    .startsWith("Usage: hivestream " + String.join(" ", command));
        }
    }
}
