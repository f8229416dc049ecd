package io.hivestream.connectors.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Plain Kafka producers and consumers for the command line, the demo and tests. */
public final class KafkaClients {
    private KafkaClients() {}

    /** An idempotent producer of raw bytes that waits for all in-sync replicas. */
    public static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
        return producer(KafkaConnection.of(bootstrapServers));
    }

    /** An idempotent producer of raw bytes that waits for all in-sync replicas. */
    public static KafkaProducer<byte[], byte[]> producer(KafkaConnection kafka) {
        return producer(kafka, Map.of());
    }

    /** The same producer with some of its settings replaced or added. */
    public static KafkaProducer<byte[], byte[]> producer(
            KafkaConnection kafka, Map<String, String> settings) {
        Properties props = kafka.properties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.putAll(settings);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A consumer without a group, reading only committed records. */
    public static KafkaConsumer<byte[], byte[]> readCommittedConsumer(String bootstrapServers) {
        return readCommittedConsumer(KafkaConnection.of(bootstrapServers));
    }

    /** A consumer without a group, reading only committed records. */
    public static KafkaConsumer<byte[], byte[]> readCommittedConsumer(KafkaConnection kafka) {
        Properties props = kafka.properties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** An admin client. */
    public static Admin admin(KafkaConnection kafka) {
        return Admin.create(kafka.properties());
    }

    /** Assigns every partition of {@code topic}, from the beginning or from the end. */
    public static List<TopicPartition> assignAll(
            KafkaConsumer<?, ?> consumer, String topic, boolean fromEnd) {
        List<TopicPartition> partitions = partitionsOf(consumer, topic);
        consumer.assign(partitions);
        if (fromEnd) {
            consumer.seekToEnd(partitions);
        } else {
            consumer.seekToBeginning(partitions);
        }
        return partitions;
    }

    /**
     * Assigns every partition of {@code topics} to {@code consumer} and seeks each to its first
     * record written at or after {@code fromMillis} (to its end when there is none).
     */
    public static List<TopicPartition> seekSince(
            KafkaConsumer<?, ?> consumer, List<String> topics, long fromMillis) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            partitions.addAll(partitionsOf(consumer, topic));
        }
        consumer.assign(partitions);
        Map<TopicPartition, Long> times = new HashMap<>();
        partitions.forEach(p -> times.put(p, fromMillis));
        Map<TopicPartition, OffsetAndTimestamp> offsets =
                consumer.offsetsForTimes(times, Duration.ofSeconds(30));
        List<TopicPartition> none = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            OffsetAndTimestamp offset = offsets.get(partition);
            if (offset == null) {
                none.add(partition);
            } else {
                consumer.seek(partition, offset.offset());
            }
        }
        if (!none.isEmpty()) {
            // An empty list would seek every assigned partition to its end.
            consumer.seekToEnd(none);
        }
        return partitions;
    }

    /**
     * The partitions of {@code topic}.
     *
     * @throws IllegalStateException naming the topic if the broker does not have it
     */
    public static List<TopicPartition> partitionsOf(KafkaConsumer<?, ?> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException(
                    "topic '"
                            + topic
                            + "' does not exist; create the topics with ./hivestream topics"
                            + " --bootstrap HOST:PORT, or name an existing topic with the"
                            + " command's topic option.");
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : infos) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        return partitions;
    }

    /**
     * Every committed record of a topic, read up to the end offsets as they are when called (the
     * last stable offsets under read_committed).
     */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(
            String bootstrapServers, String topic, Duration timeout) {
        return readAll(KafkaConnection.of(bootstrapServers), topic, timeout);
    }

    /**
     * Every committed record of a topic, read up to the end offsets as they are when called (the
     * last stable offsets under read_committed).
     */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(
            KafkaConnection kafka, String topic, Duration timeout) {
        try (KafkaConsumer<byte[], byte[]> consumer = readCommittedConsumer(kafka)) {
            return readToEnd(
                    consumer,
                    assignAll(consumer, topic, false),
                    timeout,
                    () -> "did not reach the end of " + topic + " within " + timeout);
        }
    }

    /**
     * The records of {@code partitions} from the consumer's positions up to the end offsets as they
     * are when called (the last stable offsets under read_committed).
     *
     * @param late the message of the {@link IllegalStateException} thrown if the end is not reached
     *     within {@code timeout}
     */
    public static <K, V> List<ConsumerRecord<K, V>> readToEnd(
            KafkaConsumer<K, V> consumer,
            List<TopicPartition> partitions,
            Duration timeout,
            Supplier<String> late) {
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!reached(consumer, end)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(late.get());
            }
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }

    /**
     * Polls {@code topic} from the beginning, handing each record on, until {@code done} says so.
     */
    public static void follow(
            String bootstrapServers,
            String topic,
            boolean fromEnd,
            Consumer<ConsumerRecord<byte[], byte[]>> handler,
            java.util.function.BooleanSupplier done) {
        follow(KafkaConnection.of(bootstrapServers), topic, fromEnd, handler, done);
    }

    /**
     * Polls {@code topic} from the beginning, handing each record on, until {@code done} says so.
     */
    public static void follow(
            KafkaConnection kafka,
            String topic,
            boolean fromEnd,
            Consumer<ConsumerRecord<byte[], byte[]>> handler,
            java.util.function.BooleanSupplier done) {
        try (KafkaConsumer<byte[], byte[]> consumer = readCommittedConsumer(kafka)) {
            assignAll(consumer, topic, fromEnd);
            while (!done.getAsBoolean()) {
                consumer.poll(Duration.ofMillis(200)).forEach(handler);
            }
        }
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> entry : end.entrySet()) {
            if (consumer.position(entry.getKey()) < entry.getValue()) {
                return false;
            }
        }
        return true;
    }
}
