package io.hivestream.jobs.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hivestream.schemas.Task;
import java.nio.charset.StandardCharsets;

/**
 * The Kafka record key of a task: its {@code sessionId} when it has one, so that every turn of a
 * session lands in one partition in the order it was sent, and its task id otherwise. Every
 * producer the project ships keys tasks this way; other producers must do the same.
 */
public final class TaskKey {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TaskKey() {}

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

    /**
     * The same key read from a JSON line that was not checked: its {@code sessionId} or {@code
     * taskId} when they are strings, null when the line is not a JSON object.
     */
    public static byte[] ofJson(String line) {
        JsonNode json;
        try {
            json = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return null;
        }
        if (json == null || !json.isObject()) {
            return null;
        }
        JsonNode session = json.get("sessionId");
        if (session != null && session.isTextual()) {
            return session.textValue().getBytes(StandardCharsets.UTF_8);
        }
        JsonNode id = json.get("taskId");
        return id != null && id.isTextual()
                ? id.textValue().getBytes(StandardCharsets.UTF_8)
                : null;
    }
}
