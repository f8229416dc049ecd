package io.hivestream.jobs.cli;

import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.kafka.KafkaConnection;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** Reads the committed records of topics written since a point in time. */
final class TopicWindow {
    private TopicWindow() {}

    /** The committed records of {@code topics} since {@code fromMillis}, up to their end now. */
    static List<ConsumerRecord<byte[], byte[]>> readSince(
            KafkaConnection kafka, List<String> topics, long fromMillis, Duration timeout) {
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.readCommittedConsumer(kafka)) {
            return KafkaClients.readToEnd(
                    consumer,
                    KafkaClients.seekSince(consumer, topics, fromMillis),
                    timeout,
                    () ->
                            "could not read "
                                    + String.join(", ", topics)
                                    + " to the end within "
                                    + timeout.toSeconds()
                                    + " s; check that the broker at "
                                    + kafka.bootstrapServers()
                                    + " is up.");
        }
    }
}
