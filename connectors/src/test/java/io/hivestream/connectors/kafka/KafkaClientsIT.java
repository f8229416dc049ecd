package io.hivestream.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaClientsIT {

    @Test
    void readsEverythingOrWhatWasWrittenSinceAPointInTimeToTheEnd() throws Exception {
        try (LocalKafkaCluster cluster =
                LocalKafkaCluster.builder().topic("a", 2).topic("b", 1).start()) {
            KafkaConnection kafka = KafkaConnection.of(cluster.bootstrapServers());
            try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka)) {
                producer.send(record("a", 0, 1_000, "old")).get();
                producer.send(record("a", 1, 2_000, "new-a")).get();
                producer.send(record("b", 0, 3_000, "new-b")).get();
            }

            assertThat(values(KafkaClients.readAll(kafka, "a", Duration.ofSeconds(30))))
                    .containsExactlyInAnyOrder("old", "new-a");
            try (KafkaConsumer<byte[], byte[]> consumer =
                    KafkaClients.readCommittedConsumer(kafka)) {
                assertThat(
                                values(
                                        KafkaClients.readToEnd(
                                                consumer,
                                                KafkaClients.seekSince(
                                                        consumer, List.of("a", "b"), 1_500),
                                                Duration.ofSeconds(30),
                                                () -> "late")))
                        .containsExactlyInAnyOrder("new-a", "new-b");
            }
            try (KafkaConsumer<byte[], byte[]> consumer =
                    KafkaClients.readCommittedConsumer(kafka)) {
                assertThat(KafkaClients.seekSince(consumer, List.of("b"), 5_000)).hasSize(1);
                assertThat(
                                KafkaClients.readToEnd(
                                        consumer,
                                        consumer.assignment().stream().toList(),
                                        Duration.ofSeconds(30),
                                        () -> "late"))
                        .isEmpty();
                assertThatThrownBy(() -> KafkaClients.partitionsOf(consumer, "c"))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage(
                                "topic 'c' does not exist; create the topics with ./hivestream"
                                        + " topics --bootstrap HOST:PORT, or name an existing"
                                        + " topic with the command's topic option.");
            }
        }
    }

    private static ProducerRecord<byte[], byte[]> record(
            String topic, int partition, long timestamp, String value) {
        return new ProducerRecord<>(
                topic, partition, timestamp, null, value.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }
}
