package io.hivestream.jobs.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.Task;
import io.hivestream.schemas.codec.Codecs;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecordTextTest {
    @Test
    void textIsShownAsItIs() {
        assertThat(RecordText.of(ByteBuffer.wrap("{oops\n".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("{oops\n");
    }

    @Test
    void anAvroRecordOfOursIsShownAsItsJson() {
        Task task = Task.newBuilder().setTaskId("t-1").setKind("chat").setInput("hi").build();
        ByteBuffer bytes = ByteBuffer.wrap(Codecs.TASK.encodeAvro(task));

        assertThat(RecordText.of(bytes)).isEqualTo(Codecs.TASK.toJsonString(task));
        assertThat(bytes.position()).isZero();
    }

    @Test
    void otherBytesAreShownAsBase64() {
        assertThat(RecordText.of(ByteBuffer.wrap(new byte[] {0, 1, (byte) 0xff})))
                .isEqualTo("base64:AAH/");
        assertThat(RecordText.of(ByteBuffer.wrap(new byte[] {(byte) 0xc3, 0x28})))
                .isEqualTo("base64:wyg=");
    }
}
