package io.hivestream.operators.decode;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.AgentEventType;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.codec.CodecException;
import io.hivestream.schemas.codec.Codecs;
import io.hivestream.schemas.internal.RawRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RawDecoderTest {
    private final RawDecoder decoder = new RawDecoder(new TaskValidator());

    private static RawRecord raw(String topic, int partition, long offset, byte[] value) {
        return RawRecord.newBuilder()
                .setTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .build();
    }

    private static RawRecord json(String json) {
        return raw("tasks", 2, 17, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void forSignedResultsTheHashOfTheBytesAsReadGoesInTheMetadata() {
        RawDecoder hashing = new RawDecoder(new TaskValidator(), true);
        String json =
                "{\"input\":\"Hello\",\"metadata\":{\"hivestream.lineage.task-sha256\":\"forged\"}}";

        Task task = hashing.decodeTask(json(json));
        Task unhashed = decoder.decodeTask(json(json));

        // sha256 of the JSON text above, as `printf '%s' "$json" | sha256sum` gives it.
        assertThat(task.getMetadata())
                .isEqualTo(
                        Map.of(
                                "hivestream.lineage.task-sha256",
                                "d8bccd7603bf91015f1e8b1abf9446a866e870db963398b3f1a60af3c7ca76c1"));
        assertThat(unhashed.getMetadata()).isEmpty();
    }

    @Test
    void jsonWithoutTaskIdGetsTopicPartitionOffset() {
        Task task = decoder.decodeTask(json("{\"input\":\"Hello\"}"));

        assertThat(task).isEqualTo(task("tasks-2-17", "chat", "Hello").build());
    }

    @Test
    void jsonWithEmptyOrNullTaskIdGetsTopicPartitionOffset() {
        assertThat(decoder.decodeTask(json("{\"taskId\":\"\",\"input\":\"Hi\"}")).getTaskId())
                .isEqualTo("tasks-2-17");
        assertThat(decoder.decodeTask(json("{\"taskId\":null,\"input\":\"Hi\"}")).getTaskId())
                .isEqualTo("tasks-2-17");
    }

    @Test
    void jsonWithTaskIdKeepsIt() {
        Task task = decoder.decodeTask(json("{\"taskId\":\"mine\",\"input\":\"Hi\"}"));

        assertThat(task.getTaskId()).isEqualTo("mine");
    }

    @Test
    void avroWithEmptyTaskIdGetsTopicPartitionOffset() {
        Task sent = task("", "math", "1 + 1").setTenant("acme").build();
        RawRecord raw = raw("tasks", 0, 5, Codecs.TASK.encodeAvro(sent));

        Task task = decoder.decodeTask(raw);

        assertThat(task).isEqualTo(task("tasks-0-5", "math", "1 + 1").setTenant("acme").build());
    }

    @Test
    void avroWithTaskIdKeepsEveryField() {
        Task sent =
                task("a-1", "classify", "Refund me")
                        .setReplicas(3)
                        .setQuorum(2)
                        .setMetadata(Map.of("labels", "billing,shipping"))
                        .build();

        Task task = decoder.decodeTask(raw("tasks", 1, 9, Codecs.TASK.encodeAvro(sent)));

        assertThat(task).isEqualTo(sent);
    }

    @Test
    void anInvalidTaskIsRejectedWithItsIdAndEveryProblem() {
        assertThatThrownBy(() -> decoder.decodeTask(json("{\"input\":\" \",\"replicas\":0}")))
                .isInstanceOf(CodecException.class)
                .hasMessage(
                        "invalid task tasks-2-17: input is blank; replicas is 0; must be 1..15");
    }

    @Test
    void aCacheModeOtherThanExactSemanticOrOffIsRejectedWithTheAllowedValues() {
        assertThatThrownBy(
                        () ->
                                decoder.decodeTask(
                                        json(
                                                "{\"input\":\"hi\",\"metadata\":"
                                                        + "{\"cache\":\"similar\"}}")))
                .isInstanceOf(CodecException.class)
                .hasMessage(
                        "invalid task tasks-2-17: cache is 'similar'; must be exact, semantic or"
                                + " off");
        assertThat(
                        decoder.decodeTask(
                                        json(
                                                "{\"input\":\"hi\",\"metadata\":"
                                                        + "{\"cache\":\"exact\"}}"))
                                .getMetadata())
                .containsEntry("cache", "exact");
    }

    @Test
    void anInvalidAvroTaskIsRejectedWithItsOwnId() {
        Task sent = task("a-2", "chat", "Hi").setQuorum(5).build();

        assertThatThrownBy(
                        () -> decoder.decodeTask(raw("tasks", 0, 1, Codecs.TASK.encodeAvro(sent))))
                .isInstanceOf(CodecException.class)
                .hasMessage(
                        "invalid task a-2: quorum is 5; with 1 replicas it must be 1..1 (a strict"
                                + " majority)");
    }

    @Test
    void anEmptyOrMissingValueIsRejected() {
        assertThatThrownBy(() -> decoder.decodeTask(raw("tasks", 0, 1, new byte[0])))
                .isInstanceOf(CodecException.class)
                .hasMessage("empty record: expected Avro single-object bytes or JSON");
        assertThatThrownBy(() -> decoder.decodeTask(raw("tasks", 0, 1, null)))
                .isInstanceOf(CodecException.class)
                .hasMessage("empty record: expected Avro single-object bytes or JSON");
    }

    @Test
    void aJsonArrayIsNotATask() {
        assertThatThrownBy(() -> decoder.decodeTask(json("[1, 2]")))
                .isInstanceOf(CodecException.class)
                .hasMessage("expected a JSON object, got array");
    }

    @Test
    void anAgentDecodesWithTheSchemaDefaults() {
        AgentEvent agent =
                decoder.decodeAgent(
                        raw(
                                "agents",
                                0,
                                3,
                                "{\"agentId\":\"a1\",\"capabilities\":[\"chat\"]}"
                                        .getBytes(StandardCharsets.UTF_8)));

        assertThat(agent)
                .isEqualTo(
                        AgentEvent.newBuilder()
                                .setAgentId("a1")
                                .setType(AgentEventType.REGISTER)
                                .setRuntime("simulated")
                                .setCapabilities(List.of("chat"))
                                .setTier(Tier.EDGE)
                                .build());
    }

    private RawRecord agentJson(String json) {
        return raw("agents", 0, 3, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anAgentWithABlankIdIsRejected() {
        assertThatThrownBy(() -> decoder.decodeAgent(agentJson("{\"agentId\":\" \"}")))
                .isInstanceOf(CodecException.class)
                .hasMessage("invalid agent: agentId is blank");
    }

    @Test
    void anAgentNeedsAtLeastOneConcurrentCall() {
        assertThatThrownBy(
                        () ->
                                decoder.decodeAgent(
                                        agentJson("{\"agentId\":\"a1\",\"maxConcurrency\":0}")))
                .isInstanceOf(CodecException.class)
                .hasMessage("invalid agent a1: maxConcurrency must be at least 1");
    }

    @Test
    void anAgentNeedsAPositiveTimeout() {
        assertThatThrownBy(
                        () ->
                                decoder.decodeAgent(
                                        agentJson("{\"agentId\":\"a1\",\"timeoutMs\":0}")))
                .isInstanceOf(CodecException.class)
                .hasMessage("invalid agent a1: timeoutMs must be positive");
    }

    @Test
    void anAgentsHeartbeatIntervalMustBePositive() {
        assertThatThrownBy(
                        () ->
                                decoder.decodeAgent(
                                        agentJson(
                                                "{\"agentId\":\"a1\",\"heartbeatIntervalMs\":0}")))
                .isInstanceOf(CodecException.class)
                .hasMessage("invalid agent a1: heartbeatIntervalMs must be positive");
        assertThat(
                        decoder.decodeAgent(
                                        agentJson(
                                                "{\"agentId\":\"a1\",\"heartbeatIntervalMs\":500}"))
                                .getHeartbeatIntervalMs())
                .isEqualTo(500L);
    }

    @Test
    void anAgentMustNotHaveNegativePrices() {
        assertThatThrownBy(
                        () ->
                                decoder.decodeAgent(
                                        agentJson(
                                                "{\"agentId\":\"a1\","
                                                        + "\"costPer1kOutputTokens\":-0.01}")))
                .isInstanceOf(CodecException.class)
                .hasMessage("invalid agent a1: prices must not be negative");
    }
}
