package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TaskKeyTest {
    private static String text(byte[] key) {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    @Test
    void anUncheckedLineIsKeyedTheSameWay() {
        assertThat(text(TaskKey.ofJson("{\"taskId\":\"t\",\"sessionId\":\"s\"}"))).isEqualTo("s");
        assertThat(text(TaskKey.ofJson("{\"taskId\":\"t\",\"sessionId\":null}"))).isEqualTo("t");
        assertThat(TaskKey.ofJson("{\"input\":\"x\"}")).isNull();
        assertThat(TaskKey.ofJson("not json")).isNull();
        assertThat(TaskKey.ofJson("[1]")).isNull();
    }
}
