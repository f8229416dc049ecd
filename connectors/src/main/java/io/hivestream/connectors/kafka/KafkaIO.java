package io.hivestream.connectors.kafka;

import io.hivestream.schemas.codec.RecordCodec;
import io.hivestream.schemas.codec.WireFormat;
import io.hivestream.schemas.internal.RawRecord;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

/** Builds the job's Kafka sources and sinks from plain settings. */
public final class KafkaIO {
    private KafkaIO() {}

    /** Where a source starts when it has no checkpoint to resume from. */
    public enum StartFrom {
        /** The group's committed offsets; the earliest where there are none. */
        COMMITTED,
        EARLIEST,
        LATEST
    }

    /**
     * How the sinks compress record batches. Consumers need the codec: the Java client brings all
     * of them; some clients of other languages need an extra package (see docs/security.md).
     */
    public enum Compression {
        NONE,
        GZIP,
        SNAPPY,
        LZ4,
        ZSTD;

        /** The value of Kafka's {@code compression.type}. */
        public String kafkaName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Kafka's name, which is also how the option is written. */
        @Override
        public String toString() {
            return kafkaName();
        }
    }

    /**
     * A plaintext source; see {@link #rawSource(KafkaConnection, String, String, StartFrom,
     * boolean)}.
     */
    public static KafkaSource<RawRecord> rawSource(
            String bootstrapServers,
            String topic,
            String groupId,
            StartFrom startFrom,
            boolean bounded) {
        return rawSource(KafkaConnection.of(bootstrapServers), topic, groupId, startFrom, bounded);
    }

    /**
     * A source of raw records. Reads only committed records, so that records written by a
     * transactional producer (subtasks of plans among them) are seen once. Keeps no header.
     */
    public static KafkaSource<RawRecord> rawSource(
            KafkaConnection kafka,
            String topic,
            String groupId,
            StartFrom startFrom,
            boolean bounded) {
        return rawSource(kafka, topic, groupId, startFrom, bounded, null);
    }

    /**
     * A source of raw records that keeps the record header {@code header} (none when null); see
     * {@link #rawSource(KafkaConnection, String, String, StartFrom, boolean)}.
     */
    public static KafkaSource<RawRecord> rawSource(
            KafkaConnection kafka,
            String topic,
            String groupId,
            StartFrom startFrom,
            boolean bounded,
            String header) {
        return rawSource(
                KafkaSource.<RawRecord>builder().setTopics(topic),
                kafka,
                groupId,
                startFrom,
                bounded,
                header);
    }

    /**
     * A source of raw records of every topic whose name matches {@code topics}, found again as
     * topics are added (unless bounded). Keeps no header.
     */
    public static KafkaSource<RawRecord> rawSource(
            KafkaConnection kafka,
            Pattern topics,
            String groupId,
            StartFrom startFrom,
            boolean bounded) {
        return rawSource(
                KafkaSource.<RawRecord>builder().setTopicPattern(topics),
                kafka,
                groupId,
                startFrom,
                bounded,
                null);
    }

    private static KafkaSource<RawRecord> rawSource(
            KafkaSourceBuilder<RawRecord> subscribed,
            KafkaConnection kafka,
            String groupId,
            StartFrom startFrom,
            boolean bounded,
            String header) {
        KafkaSourceBuilder<RawRecord> builder =
                subscribed
                        .setProperties(kafka.properties())
                        .setBootstrapServers(kafka.bootstrapServers())
                        .setGroupId(groupId)
                        .setDeserializer(new RawRecordDeserializer(header))
                        .setStartingOffsets(offsets(startFrom))
                        .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                        .setProperty("commit.offsets.on.checkpoint", "true")
                        .setProperty("partition.discovery.interval.ms", bounded ? "-1" : "30000");
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    private static OffsetsInitializer offsets(StartFrom startFrom) {
        return switch (startFrom) {
            case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
        };
    }

    /**
     * A plaintext sink with lz4 batches; see {@link #sink(KafkaConnection, String, RecordCodec,
     * WireFormat, RecordSerializer.KeyFunction, DeliveryGuarantee, String, Duration, Compression)}.
     */
    public static <T extends SpecificRecord> KafkaSink<T> sink(
            String bootstrapServers,
            String topic,
            RecordCodec<T> codec,
            WireFormat format,
            RecordSerializer.KeyFunction<T> key,
            DeliveryGuarantee guarantee,
            String transactionalIdPrefix,
            Duration transactionTimeout) {
        return sink(
                KafkaConnection.of(bootstrapServers),
                topic,
                codec,
                format,
                key,
                guarantee,
                transactionalIdPrefix,
                transactionTimeout,
                Compression.LZ4);
    }

    /**
     * A sink of one record type to one topic. With {@link DeliveryGuarantee#EXACTLY_ONCE} the
     * records become visible to read_committed consumers when the checkpoint that covers them
     * completes; the transaction timeout must stay below the broker's {@code
     * transaction.max.timeout.ms} and well above checkpoint interval plus restart time.
     */
    public static <T extends SpecificRecord> KafkaSink<T> sink(
            KafkaConnection kafka,
            String topic,
            RecordCodec<T> codec,
            WireFormat format,
            RecordSerializer.KeyFunction<T> key,
            DeliveryGuarantee guarantee,
            String transactionalIdPrefix,
            Duration transactionTimeout,
            Compression compression) {
        return sink(
                kafka,
                new RecordSerializer<>(topic, codec, format, key),
                guarantee,
                transactionalIdPrefix,
                transactionTimeout,
                compression);
    }

    /** A sink that writes what {@code serializer} makes of each record. */
    public static <T extends SpecificRecord> KafkaSink<T> sink(
            KafkaConnection kafka,
            RecordSerializer<T> serializer,
            DeliveryGuarantee guarantee,
            String transactionalIdPrefix,
            Duration transactionTimeout,
            Compression compression) {
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(producerProperties(kafka, guarantee))
                .setBootstrapServers(kafka.bootstrapServers())
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(guarantee)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setProperty(
                        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                        Long.toString(transactionTimeout.toMillis()))
                .setProperty(ProducerConfig.ACKS_CONFIG, "all")
                .setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
                .setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression.kafkaName())
                .build();
    }

    /** A sink's producer properties: {@link #batching} and then the connection's, which win. */
    static Properties producerProperties(KafkaConnection kafka, DeliveryGuarantee guarantee) {
        Properties producer = new Properties();
        producer.putAll(batching(guarantee));
        producer.putAll(kafka.properties());
        return producer;
    }

    /**
     * How long a sink's producer lets records wait to fill a batch, and how large the batch may
     * grow. Each batch costs the producer a fixed amount of work: with lz4, two 64 KiB buffers for
     * the compressor, 15 to 20 µs of CPU on a 2-core machine. Exactly-once records become visible
     * only when the checkpoint that covers them commits, and the commit first sends whatever still
     * waits, so their sinks wait up to 50 ms and fill batches of up to 64 KiB, at no cost in
     * visible latency (a producer's partitions each hold one open batch, within its 32 MiB of
     * {@code buffer.memory}: 512 partitions at most before a send waits for memory). Other records
     * are visible as soon as they are written: they wait 5 ms at most, in batches of Kafka's
     * default size (16 KiB).
     */
    static Map<String, String> batching(DeliveryGuarantee guarantee) {
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            return Map.of(
                    ProducerConfig.LINGER_MS_CONFIG,
                    "50",
                    ProducerConfig.BATCH_SIZE_CONFIG,
                    Integer.toString(64 * 1024));
        }
        return Map.of(
                ProducerConfig.LINGER_MS_CONFIG,
                "5",
                ProducerConfig.BATCH_SIZE_CONFIG,
                Integer.toString(16 * 1024));
    }
}
