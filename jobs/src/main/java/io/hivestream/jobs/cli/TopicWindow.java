package io.hivestream.jobs.cli;

import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.kafka.KafkaConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/** Reads the committed records of topics written since a point in time. */
final class TopicWindow {
    private TopicWindow() {}

    /**
     * Assigns every partition of {@code topics} to {@code consumer} and seeks each to its first
     * record written at or after {@code fromMillis} (to its end when there is none).
     */
    static List<TopicPartition> seekSince(
            KafkaConsumer<byte[], byte[]> consumer, List<String> topics, long fromMillis) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            partitions.addAll(KafkaClients.partitionsOf(consumer, topic));
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

    /** The committed records of {@code topics} since {@code fromMillis}, up to their end now. */
    static List<ConsumerRecord<byte[], byte[]>> readSince(
            KafkaConnection kafka, List<String> topics, long fromMillis, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.readCommittedConsumer(kafka)) {
            List<TopicPartition> partitions = seekSince(consumer, topics, fromMillis);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read "
                                    + String.join(", ", topics)
                                    + " to the end within "
                                    + timeout.toSeconds()
                                    + " s; check that the broker at "
                                    + kafka.bootstrapServers()
                                    + " is up.");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
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
