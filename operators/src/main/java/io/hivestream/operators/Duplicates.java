package io.hivestream.operators;

import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.flink.util.TimeUtils;

/**
 * The job's rule for a task id that comes in again within {@value #RETENTION_OPTION}, shared by the
 * stages that remember ids: what makes two tasks the same (their task id alone, whatever their
 * tenant, session or content; a plan's subtasks have ids of their own) and the dead letter that
 * stops the second. The route stage stops a repeated id before any agent is called; the aggregate
 * stage drops a second result of an id that got past it.
 */
public final class Duplicates {
    /** The option that sets how long the job remembers task ids. */
    public static final String RETENTION_OPTION = "hivestream.results.dedupe-retention";

    private Duplicates() {}

    /** The id a task is remembered by. */
    public static String idOf(Task task) {
        return task.getTaskId();
    }

    /** The id a result is remembered by: its task's. */
    public static String idOf(TaskResult result) {
        return result.getTaskId();
    }

    /** The reason given for a task whose id was already received within the retention. */
    public static String alreadyReceived(String taskId, Duration retention) {
        return "task id "
                + taskId
                + " was already received within "
                + RETENTION_OPTION
                + " ("
                + TimeUtils.formatWithHighestUnit(retention)
                + "); publish it under a new id to run it again";
    }

    /**
     * The dead letter of a record stopped as a duplicate: it came from the tasks topic but from no
     * offset the stage knows (partition and offset -1), keyed by the task id.
     *
     * @param value the stopped record (a task, or a result), Avro encoded
     * @param stage the stage that stopped it
     */
    public static DeadLetter deadLetter(
            String tasksTopic, String taskId, byte[] value, String stage, String reason, long now) {
        return DeadLetter.newBuilder()
                .setTopic(tasksTopic)
                .setPartition(-1)
                .setOffset(-1)
                .setTimestamp(now)
                .setKey(ByteBuffer.wrap(taskId.getBytes(StandardCharsets.UTF_8)))
                .setValue(ByteBuffer.wrap(value))
                .setStage(stage)
                .setReason(reason)
                .setFailedAt(now)
                .build();
    }
}
