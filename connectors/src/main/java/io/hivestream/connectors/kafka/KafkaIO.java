package io.hivestream.connectors.kafka;

import io.hivestream.schemas.codec.RecordCodec;
import io.hivestream.schemas.codec.WireFormat;
import io.hivestream.schemas.internal.RawRecord;
import java.time.Duration;
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
     * A source of raw records. Reads only committed records, so that records written by a
     * transactional producer (subtasks of plans among them) are seen once.
     */
    public static KafkaSource<RawRecord> rawSource(
            String bootstrapServers,
            String topic,
            String groupId,
            StartFrom startFrom,
            boolean bounded) {
        return rawSource(
                KafkaSource.<RawRecord>builder().setTopics(topic),
                bootstrapServers,
                groupId,
                startFrom,
                bounded);
    }

    /**
     * A source of raw records of every topic whose name matches {@code topics}, found again as
     * topics are added (unless bounded).
     */
    public static KafkaSource<RawRecord> rawSource(
            String bootstrapServers,
            Pattern topics,
            String groupId,
            StartFrom startFrom,
            boolean bounded) {
        return rawSource(
                KafkaSource.<RawRecord>builder().setTopicPattern(topics),
                bootstrapServers,
                groupId,
                startFrom,
                bounded);
    }

    private static KafkaSource<RawRecord> rawSource(
            KafkaSourceBuilder<RawRecord> subscribed,
            String bootstrapServers,
            String groupId,
            StartFrom startFrom,
            boolean bounded) {
        KafkaSourceBuilder<RawRecord> builder =
                subscribed
                        .setBootstrapServers(bootstrapServers)
                        .setGroupId(groupId)
                        .setDeserializer(new RawRecordDeserializer())
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
     * A sink of one record type to one topic. With {@link DeliveryGuarantee#EXACTLY_ONCE} the
     * records become visible to read_committed consumers when the checkpoint that covers them
     * completes; the transaction timeout must stay below the broker's {@code
     * transaction.max.timeout.ms} and well above checkpoint interval plus restart time.
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
                bootstrapServers,
                new RecordSerializer<>(topic, codec, format, key),
                guarantee,
                transactionalIdPrefix,
                transactionTimeout);
    }

    /** A sink that writes what {@code serializer} makes of each record. */
    public static <T extends SpecificRecord> KafkaSink<T> sink(
            String bootstrapServers,
            RecordSerializer<T> serializer,
            DeliveryGuarantee guarantee,
            String transactionalIdPrefix,
            Duration transactionTimeout) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(guarantee)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setProperty(
                        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                        Long.toString(transactionTimeout.toMillis()))
                .setProperty(ProducerConfig.ACKS_CONFIG, "all")
                .setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
                .setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
                .setProperty(ProducerConfig.LINGER_MS_CONFIG, "5")
                .build();
    }
}
