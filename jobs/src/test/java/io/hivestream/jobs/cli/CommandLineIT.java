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
                        "error: the topic hivestream.metrics does not exist on "
                                + kafka.bootstrapServers()
                                + "; create the job's topics first (./hivestream topics --bootstrap "
                                + kafka.bootstrapServers()
                                + ") or name the right one with its option\n");
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
