package io.hivestream.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hivestream.jobs.console.RecordText;
import io.hivestream.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Instant;

/** How {@code dlq} prints a dead letter: where it came from, why, and the original record. */
final class DeadLetterLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DeadLetterLines() {}

    /** Two lines: the stage, the record's topic/partition/offset and the reason; the record. */
    static String lines(DeadLetter letter) {
        StringBuilder text =
                new StringBuilder()
                        .append(Instant.ofEpochMilli(letter.getFailedAt()))
                        .append(' ')
                        .append(letter.getStage())
                        .append(' ')
                        .append(letter.getTopic())
                        .append('/')
                        .append(letter.getPartition())
                        .append('/')
                        .append(letter.getOffset())
                        .append(": ")
                        .append(letter.getReason());
        if (letter.getKey() != null) {
            text.append("\n  key:    ").append(text(letter.getKey()));
        }
        text.append("\n  record: ")
                .append(letter.getValue() == null ? "(none)" : text(letter.getValue()));
        return text.toString();
    }

    /**
     * One JSON object: the dead letter's fields, key and record as {@link RecordText} gives them.
     */
    static String json(DeadLetter letter) {
        ObjectNode node = JSON.createObjectNode();
        node.put("stage", letter.getStage());
        node.put("topic", letter.getTopic());
        node.put("partition", letter.getPartition());
        node.put("offset", letter.getOffset());
        node.put("reason", letter.getReason());
        node.put("errorClass", letter.getErrorClass());
        node.put("failedAt", letter.getFailedAt());
        node.put("key", letter.getKey() == null ? null : text(letter.getKey()));
        node.put("record", letter.getValue() == null ? null : text(letter.getValue()));
        return node.toString();
    }

    private static String text(ByteBuffer bytes) {
        return RecordText.of(bytes);
    }
}
