package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hivestream.connectors.analyse.ComplexityTrainer;
import io.hivestream.connectors.analyse.LabelledPrompt;
import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.kafka.KafkaConnection;
import io.hivestream.connectors.kafka.LocalKafkaCluster;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.codec.Codecs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train-router --bootstrap} reading the routing examples topic of a real broker. */
class TrainRouterExamplesIT {
    private static final String TOPIC = "team-a.examples";
    private static final Path HAND = Path.of("..", "data", "router", "hand.jsonl");
    private static final Path UNSEEN = Path.of("..", "data", "router", "unseen.jsonl");

    static LocalKafkaCluster kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = LocalKafkaCluster.builder().topic(TOPIC, 1).start();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static ProducerRecord<byte[], byte[]> record(byte[] value) {
        return new ProducerRecord<>(TOPIC, 0, null, value);
    }

    private static byte[] example(String id, String input, Tier label, String evidence) {
        return Codecs.ROUTING_EXAMPLE.encodeAvro(
                TopicExamplesTest.example(id, input, label, evidence));
    }

    @Test
    void committedExamplesJoinTheTrainingPartAndBadRecordsAreNamedAndSkipped(@TempDir Path dir)
            throws Exception {
        KafkaConnection connection = KafkaConnection.of(kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(connection)) {
            producer.send(
                            record(
                                    example(
                                            "a",
                                            "Prove that the square root of 2 is irrational.",
                                            Tier.CLOUD,
                                            "cascade-escalated")))
                    .get();
            producer.send(
                            record(
                                    example(
                                            "b",
                                            "Design a lock-free queue for many producers.",
                                            Tier.CLOUD,
                                            "cascade-escalated")))
                    .get();
            producer.send(record(example("c", "What is 2 + 3?", Tier.EDGE, "edge-matched-vote")))
                    .get();
            producer.send(record("{\"taskId\":\"d\"}".getBytes(StandardCharsets.UTF_8))).get();
        }
        // A transaction that aborts: read_committed never sees its example.
        try (KafkaProducer<byte[], byte[]> aborted =
                KafkaClients.producer(connection, Map.of("transactional.id", "aborting"))) {
            aborted.initTransactions();
            aborted.beginTransaction();
            aborted.send(record(example("e", "Hello!", Tier.EDGE, "edge-matched-vote"))).get();
            aborted.abortTransaction();
        }

        Path out = dir.resolve("router.onnx");
        CliRunner.Run run =
                CliRunner.run(
                        "train-router",
                        "--data",
                        HAND.toString(),
                        "--unseen",
                        UNSEEN.toString(),
                        "--out",
                        out.toString(),
                        "--seed",
                        "7",
                        "--bootstrap",
                        kafka.bootstrapServers(),
                        "--examples-topic",
                        TOPIC);

        ComplexityTrainer.Split split = ComplexityTrainer.split(LabelledPrompt.read(HAND), 0.2, 7);
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0))
                .isEqualTo(
                        "examples from team-a.examples: 3 read (CLOUD cascade-escalated: 2,"
                                + " EDGE edge-matched-vote: 1), 1 skipped");
        assertThat(lines.get(1))
                .isEqualTo(
                        "trained on "
                                + (split.train().size() + 3)
                                + " prompts (1 file(s), 3 topic examples), seed 7");
        assertThat(lines.get(2))
                .startsWith("train    n=" + (split.train().size() + 3) + " accuracy=");
        assertThat(lines.get(3)).startsWith("held-out n=" + split.heldOut().size() + " accuracy=");
        assertThat(run.err())
                .isEqualTo(
                        "error: not a routing example, skipped: team-a.examples partition 0"
                                + " offset 3: missing required field 'input'\n");

        JsonNode meta = new ObjectMapper().readTree(dir.resolve("router.json").toFile());
        JsonNode fromTopic = meta.get("topicExamples");
        assertThat(fromTopic.get("topic").asText()).isEqualTo(TOPIC);
        assertThat(fromTopic.get("read").asInt()).isEqualTo(3);
        assertThat(fromTopic.get("skipped").asInt()).isEqualTo(1);
        assertThat(fromTopic.get("counts").get("CLOUD cascade-escalated").asInt()).isEqualTo(2);
        assertThat(fromTopic.get("counts").get("EDGE edge-matched-vote").asInt()).isEqualTo(1);
    }

    @Test
    void aTopicWithoutABootstrapIsRefused() {
        CliRunner.Run run = CliRunner.run("train-router", "--examples-topic", TOPIC);

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err())
                .contains(
                        "--examples-topic needs --bootstrap HOST:PORT of the Kafka to read it from");
    }
}
