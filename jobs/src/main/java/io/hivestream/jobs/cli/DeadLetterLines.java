package io.hivestream.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.codec.Codecs;
import io.hivestream.schemas.codec.RecordCodec;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

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

    /** One JSON object: the dead letter's fields, key and record as {@link #text} gives them. */
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

    /**
     * The bytes as text: UTF-8 as it is; an Avro record of ours as its JSON form; anything else as
     * {@code base64:...}.
     */
    static String text(ByteBuffer bytes) {
        byte[] array = new byte[bytes.remaining()];
        bytes.duplicate().get(array);
        if (RecordCodec.isSingleObjectEncoded(array)) {
            for (RecordCodec<?> codec :
                    List.of(Codecs.TASK, Codecs.AGENT_EVENT, Codecs.TASK_RESULT, Codecs.METRIC)) {
                String json = jsonOf(codec, array);
                if (json != null) {
                    return json;
                }
            }
        }
        try {
            CharBuffer chars =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(array));
            String text = chars.toString();
            if (text.chars().noneMatch(c -> c < 0x20 && c != '\t' && c != '\n' && c != '\r')) {
                return text;
            }
        } catch (CharacterCodingException binary) {
            // Falls through to base64.
        }
        return "base64:" + Base64.getEncoder().encodeToString(array);
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> String jsonOf(
            RecordCodec<T> codec, byte[] bytes) {
        try {
            return codec.toJsonString(codec.decodeAvro(bytes));
        } catch (RuntimeException other) {
            return null;
        }
    }
}
