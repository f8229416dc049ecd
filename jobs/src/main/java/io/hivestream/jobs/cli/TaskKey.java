package io.hivestream.jobs.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hivestream.schemas.codec.TaskKeys;
import java.nio.charset.StandardCharsets;

/**
 * The Kafka record key of a task read from a JSON line that was not checked, by the rule of {@link
 * TaskKeys}.
 */
public final class TaskKey {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TaskKey() {}

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
