package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.Task;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TaskKeyTest {
    private static String text(byte[] key) {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    private static Task task(String id, String session) {
        return Task.newBuilder().setTaskId(id).setSessionId(session).setInput("x").build();
    }

    @Test
    void aSessionKeysItsTasks() {
        assertThat(text(TaskKey.of(task("t-1", "s-1"), true))).isEqualTo("s-1");
        assertThat(text(TaskKey.of(task("t-1", "s-1"), false))).isEqualTo("s-1");
    }

    @Test
    void withoutASessionTheTaskIdKeysOnlyWhenItIsTheProducersOwn() {
        assertThat(text(TaskKey.of(task("t-1", null), true))).isEqualTo("t-1");
        assertThat(TaskKey.of(task("t-1", null), false)).isNull();
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
