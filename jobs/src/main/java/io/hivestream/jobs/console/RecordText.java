package io.hivestream.jobs.console;

import io.hivestream.schemas.codec.Codecs;
import io.hivestream.schemas.codec.RecordCodec;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * A record's bytes as text, as the console and {@code dlq} show a dead letter's key and record:
 * UTF-8 as it is; an Avro record of ours as its JSON form; anything else as {@code base64:...}.
 */
public final class RecordText {
    private RecordText() {}

    /** The bytes from the buffer's position to its limit as text; the buffer is not moved. */
    public static String of(ByteBuffer bytes) {
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

    private static <T extends SpecificRecord> String jsonOf(RecordCodec<T> codec, byte[] bytes) {
        try {
            return codec.toJsonString(codec.decodeAvro(bytes));
        } catch (RuntimeException other) {
            return null;
        }
    }
}
