package io.hivestream.operators;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DuplicatesTest {
    @Test
    void aTaskIsRememberedByItsIdAloneWhateverItsTenantSessionOrContent() {
        Task first = task("t-1", "chat", "Hi").setTenant("acme").setSessionId("s-1").build();
        Task again = task("t-1", "math", "1 + 1").setTenant("globex").build();

        assertThat(Duplicates.idOf(first)).isEqualTo("t-1");
        assertThat(Duplicates.idOf(again)).isEqualTo(Duplicates.idOf(first));
        assertThat(
                        Duplicates.idOf(
                                TaskResult.newBuilder()
                                        .setTaskId("t-1")
                                        .setTenant("acme")
                                        .setStatus(TaskStatus.COMPLETED)
                                        .setCompletedAt(1)
                                        .build()))
                .isEqualTo("t-1");
    }

    @Test
    void theSubtasksOfAPlanHaveIdsOfTheirOwn() {
        Task root = task("plan", "code", "Write it").build();
        Task architect =
                task("plan/architect", "design", "Design it")
                        .setParentId("plan")
                        .setRootId("plan")
                        .build();
        Task coder =
                task("plan/coder", "code", "Code it").setParentId("plan").setRootId("plan").build();

        assertThat(Duplicates.idOf(architect))
                .isEqualTo("plan/architect")
                .isNotEqualTo(Duplicates.idOf(root))
                .isNotEqualTo(Duplicates.idOf(coder));
    }

    @Test
    void theReasonNamesTheIdTheOptionAndTheRetention() {
        assertThat(Duplicates.alreadyReceived("t-1", Duration.ofHours(1)))
                .isEqualTo(
                        "task id t-1 was already received within"
                                + " hivestream.results.dedupe-retention (1 h); publish it under a"
                                + " new id to run it again");
        assertThat(Duplicates.alreadyReceived("t-2", Duration.ofMinutes(90)))
                .isEqualTo(
                        "task id t-2 was already received within"
                                + " hivestream.results.dedupe-retention (90 min); publish it under a"
                                + " new id to run it again");
    }

    @Test
    void theDeadLetterIsKeyedByTheTaskIdWithoutAnOffset() {
        byte[] value = {1, 2, 3};

        assertThat(Duplicates.deadLetter("hivestream.tasks", "t-1", value, "route", "why", 42))
                .isEqualTo(
                        DeadLetter.newBuilder()
                                .setTopic("hivestream.tasks")
                                .setPartition(-1)
                                .setOffset(-1)
                                .setTimestamp(42)
                                .setKey(ByteBuffer.wrap("t-1".getBytes(StandardCharsets.UTF_8)))
                                .setValue(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                                .setStage("route")
                                .setReason("why")
                                .setErrorClass(null)
                                .setFailedAt(42)
                                .build());
    }
}
