package io.hivestream.connectors.kafka;

import io.hivestream.schemas.internal.RawRecord;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Hands every Kafka record on as raw bytes with its topic, partition and offset, and the one header
 * the job reads (the tenant's, when tasks name it in a header): other headers are not copied.
 * Decoding happens in an operator, so a record that does not decode becomes a dead letter instead
 * of failing the source.
 */
public final class RawRecordDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {
    private static final long serialVersionUID = 1L;

    private final String header;

    /** Keeps no header. */
    public RawRecordDeserializer() {
        this(null);
    }

    /** Keeps the header {@code header} (its last value), or none when null. */
    public RawRecordDeserializer(String header) {
        this.header = header;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
        out.collect(
                RawRecord.newBuilder()
                        .setTopic(record.topic())
                        .setPartition(record.partition())
                        .setOffset(record.offset())
                        .setTimestamp(record.timestamp())
                        .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                        .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                        .setHeaders(headers(record.headers()))
                        .build());
    }

    private Map<String, ByteBuffer> headers(Headers headers) {
        Header kept = header == null ? null : headers.lastHeader(header);
        if (kept == null) {
            return Map.of();
        }
        return Map.of(header, ByteBuffer.wrap(kept.value() == null ? new byte[0] : kept.value()));
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return new AvroTypeInfo<>(RawRecord.class);
    }
}
