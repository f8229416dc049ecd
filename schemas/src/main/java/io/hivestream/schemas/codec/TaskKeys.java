package io.hivestream.schemas.codec;

import io.hivestream.schemas.Task;
import java.nio.charset.StandardCharsets;

/**
 * The Kafka record key of a task: its {@code sessionId} when it has one, so that every turn of a
 * session lands in one partition in the order it was sent, and its task id otherwise. Every
 * producer the project ships (the CLI, the client, the load generator) keys tasks this way; other
 * producers must do the same.
 */
public final class TaskKeys {
    private TaskKeys() {}

    /** The key of a task whose id is the producer's own: its session, or else its task id. */
    public static byte[] of(Task task) {
        return of(task, true);
    }

    /**
     * @param ownId whether the task id is the producer's own; an id the job derives from the
     *     record's offset is not, and a task without a session and without its own id has no key
     * @return the key's UTF-8 bytes, or null for no key
     */
    public static byte[] of(Task task, boolean ownId) {
        String session = task.getSessionId();
        if (session != null) {
            return session.getBytes(StandardCharsets.UTF_8);
        }
        return ownId ? task.getTaskId().getBytes(StandardCharsets.UTF_8) : null;
    }
}
