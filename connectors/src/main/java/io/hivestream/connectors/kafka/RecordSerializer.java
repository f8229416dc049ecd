package io.hivestream.connectors.kafka;

import io.hivestream.schemas.codec.RecordCodec;
import io.hivestream.schemas.codec.WireFormat;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.Function;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes records of one type to one topic, keyed as the architecture's topic table says. */
public final class RecordSerializer<T extends SpecificRecord>
        implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    /** Picks a record's key; null for none. */
    @FunctionalInterface
    public interface KeyFunction<T> extends Function {
        byte[] keyOf(T record);
    }

    private final String topic;
    private final RecordCodec<T> codec;
    private final WireFormat format;
    private final KeyFunction<T> key;
    private final String header;
    private final KeyFunction<T> headerValue;

    public RecordSerializer(
            String topic, RecordCodec<T> codec, WireFormat format, KeyFunction<T> key) {
        this(topic, codec, format, key, null, null);
    }

    /** Also sets the header {@code header} of every record to what {@code headerValue} gives. */
    public RecordSerializer(
            String topic,
            RecordCodec<T> codec,
            WireFormat format,
            KeyFunction<T> key,
            String header,
            KeyFunction<T> headerValue) {
        this.topic = topic;
        this.codec = codec;
        this.format = format;
        this.key = key;
        this.header = header;
        this.headerValue = headerValue;
    }

    public static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T record, KafkaSinkContext context, Long timestamp) {
        // The producer stamps the record: Flink's element timestamps are not wall-clock times here
        // (a record released by the end-of-input timer carries Long.MAX_VALUE).
        ProducerRecord<byte[], byte[]> out =
                new ProducerRecord<>(
                        topic, null, null, key.keyOf(record), codec.encode(record, format));
        if (header != null) {
            byte[] value = headerValue.keyOf(record);
            if (value != null) {
                out.headers().add(header, value);
            }
        }
        return out;
    }
}
