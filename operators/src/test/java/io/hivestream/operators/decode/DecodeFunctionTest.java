package io.hivestream.operators.decode;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.Outputs;
import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.RawRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class DecodeFunctionTest {
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(42_000), ZoneOffset.UTC);

    private static RawRecord raw(long offset, String value) {
        return RawRecord.newBuilder()
                .setTopic("tasks")
                .setPartition(1)
                .setOffset(offset)
                .setTimestamp(7)
                .setKey(ByteBuffer.wrap("k".getBytes(StandardCharsets.UTF_8)))
                .setValue(ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    @Test
    void decodedRecordsGoOutAndBadOnesBecomeDeadLetters() throws Exception {
        RawDecoder decoder = new RawDecoder(new TaskValidator());
        try (OneInputStreamOperatorTestHarness<RawRecord, Task> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new DecodeFunction<>("decode-tasks", decoder::decodeTask, CLOCK))) {
            harness.processElement(raw(3, "{\"input\":\"Hi\"}"), 0);
            harness.processElement(raw(4, "{\"input\":\"\"}"), 0);

            assertThat(harness.extractOutputValues())
                    .containsExactly(task("tasks-1-3", "chat", "Hi").build());
            assertThat(harness.getSideOutput(Outputs.DEAD_LETTERS))
                    .extracting(StreamRecord::getValue)
                    .containsExactly(
                            DeadLetter.newBuilder()
                                    .setTopic("tasks")
                                    .setPartition(1)
                                    .setOffset(4)
                                    .setTimestamp(7)
                                    .setKey(ByteBuffer.wrap("k".getBytes(StandardCharsets.UTF_8)))
                                    .setValue(
                                            ByteBuffer.wrap(
                                                    "{\"input\":\"\"}"
                                                            .getBytes(StandardCharsets.UTF_8)))
                                    .setStage("decode-tasks")
                                    .setReason("invalid task tasks-1-4: input is blank")
                                    .setErrorClass("io.hivestream.schemas.codec.CodecException")
                                    .setFailedAt(42_000)
                                    .build());
        }
    }

    @Test
    void anExceptionWithoutMessageIsNamedByItsClass() {
        RawRecord raw = raw(8, "x");

        DeadLetter letter =
                DecodeFunction.deadLetter(raw, "decode-agents", new IllegalStateException(), 5);

        assertThat(letter.getReason()).isEqualTo("java.lang.IllegalStateException");
        assertThat(letter.getErrorClass()).isEqualTo("java.lang.IllegalStateException");
        assertThat(letter.getStage()).isEqualTo("decode-agents");
        assertThat(letter.getFailedAt()).isEqualTo(5);
    }
}
