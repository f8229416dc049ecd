package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.connectors.analyse.LabelledPrompt;
import io.hivestream.schemas.RoutingExample;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.codec.Codecs;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class TopicExamplesTest {
    static RoutingExample example(String id, String input, Tier label, String evidence) {
        return RoutingExample.newBuilder()
                .setTaskId(id)
                .setKind("math")
                .setCapabilities(List.of("math"))
                .setInput(input)
                .setLabel(label)
                .setEvidence(evidence)
                .build();
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset, byte[] value) {
        return new ConsumerRecord<>("examples", 1, offset, null, value);
    }

    @Test
    void examplesBecomePromptsCountedByLabelAndEvidenceAndBadRecordsAreNamed() {
        List<ConsumerRecord<byte[], byte[]>> records =
                List.of(
                        record(
                                0,
                                Codecs.ROUTING_EXAMPLE.encodeAvro(
                                        example(
                                                "a",
                                                "Prove it.",
                                                Tier.CLOUD,
                                                "cascade-escalated"))),
                        record(1, "not an example".getBytes(StandardCharsets.UTF_8)),
                        record(
                                2,
                                Codecs.ROUTING_EXAMPLE
                                        .toJsonString(
                                                example(
                                                        "b",
                                                        "What is 2 + 3?",
                                                        Tier.EDGE,
                                                        "edge-matched-vote"))
                                        .getBytes(StandardCharsets.UTF_8)),
                        record(
                                3,
                                Codecs.ROUTING_EXAMPLE.encodeAvro(
                                        example("c", " ", Tier.EDGE, "edge-matched-vote"))),
                        record(
                                4,
                                Codecs.ROUTING_EXAMPLE.encodeAvro(
                                        example(
                                                "d",
                                                "Design a lock-free queue.",
                                                Tier.CLOUD,
                                                "cascade-escalated"))),
                        record(5, null),
                        record(
                                6,
                                Codecs.ROUTING_EXAMPLE.encodeAvro(
                                        RoutingExample.newBuilder(
                                                        example(
                                                                "f",
                                                                "What is 12 * (3 + 4)?",
                                                                Tier.CLOUD,
                                                                "cascade-escalated"))
                                                .setSimulated(true)
                                                .build())));

        TopicExamples examples = TopicExamples.of(records, false);

        assertThat(examples.prompts())
                .containsExactly(
                        new LabelledPrompt(
                                "Prove it.",
                                "math",
                                List.of("math"),
                                true,
                                "topic:cascade-escalated"),
                        new LabelledPrompt(
                                "What is 2 + 3?",
                                "math",
                                List.of("math"),
                                false,
                                "topic:edge-matched-vote"),
                        new LabelledPrompt(
                                "Design a lock-free queue.",
                                "math",
                                List.of("math"),
                                true,
                                "topic:cascade-escalated"));
        assertThat(examples.counts())
                .containsExactly(
                        Map.entry("CLOUD cascade-escalated", 2),
                        Map.entry("EDGE edge-matched-vote", 1));
        assertThat(examples.skipped())
                .containsExactly(
                        "examples partition 1 offset 1: neither Avro single-object bytes nor valid"
                                + " JSON: Unrecognized token 'not': was expecting (JSON String,"
                                + " Number, Array, Object or token 'null', 'true' or 'false')",
                        "examples partition 1 offset 3: the example's input is blank",
                        "examples partition 1 offset 5: empty record: expected Avro single-object"
                                + " bytes or JSON");
        assertThat(examples.summary())
                .isEqualTo(
                        "3 read (CLOUD cascade-escalated: 2, EDGE edge-matched-vote: 1), 3 skipped,"
                                + " 1 from simulated agents left out (--simulated-examples takes"
                                + " them)");

        TopicExamples withSimulated = TopicExamples.of(records, true);
        assertThat(withSimulated.prompts()).hasSize(4);
        assertThat(withSimulated.prompts().get(3).input()).isEqualTo("What is 12 * (3 + 4)?");
        assertThat(withSimulated.counts())
                .containsExactly(
                        Map.entry("CLOUD cascade-escalated", 3),
                        Map.entry("EDGE edge-matched-vote", 1));
        assertThat(withSimulated.simulatedLeftOut()).isZero();
    }

    @Test
    void trainRouterReadsTheJobsDefaultTopic() {
        assertThat(TrainRouterCommand.DEFAULT_EXAMPLES_TOPIC)
                .isEqualTo(io.hivestream.jobs.HivestreamOptions.EXAMPLES_TOPIC.defaultValue());
    }

    @Test
    void anEmptyTopicReadsNothing() {
        assertThat(TopicExamples.of(List.of(), false).summary()).isEqualTo("0 read, 0 skipped");
    }
}
