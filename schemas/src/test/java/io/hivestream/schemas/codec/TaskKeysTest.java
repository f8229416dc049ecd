package io.hivestream.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.Task;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TaskKeysTest {
    private static String text(byte[] key) {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    private static Task task(String id, String session) {
        return Task.newBuilder().setTaskId(id).setSessionId(session).setInput("x").build();
    }

    @Test
    void aSessionKeysItsTasks() {
        assertThat(text(TaskKeys.of(task("t-1", "s-1"), true))).isEqualTo("s-1");
        assertThat(text(TaskKeys.of(task("t-1", "s-1"), false))).isEqualTo("s-1");
        assertThat(text(TaskKeys.of(task("t-1", "s-1")))).isEqualTo("s-1");
    }

    @Test
    void withoutASessionTheTaskIdKeysOnlyWhenItIsTheProducersOwn() {
        assertThat(text(TaskKeys.of(task("t-1", null), true))).isEqualTo("t-1");
        assertThat(text(TaskKeys.of(task("t-1", null)))).isEqualTo("t-1");
        assertThat(TaskKeys.of(task("t-1", null), false)).isNull();
    }
}
