package io.hivestream.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;

class KafkaIOTest {
    @Test
    void exactlyOnceSinksBatchLongerThanTheOthers() {
        assertThat(KafkaIO.batching(DeliveryGuarantee.EXACTLY_ONCE))
                .isEqualTo(Map.of("linger.ms", "50", "batch.size", "65536"));
        assertThat(KafkaIO.batching(DeliveryGuarantee.AT_LEAST_ONCE))
                .isEqualTo(Map.of("linger.ms", "5", "batch.size", "16384"));
        assertThat(KafkaIO.batching(DeliveryGuarantee.NONE))
                .isEqualTo(Map.of("linger.ms", "5", "batch.size", "16384"));
    }

    @Test
    void aUsersBatchingPropertiesWin() {
        Properties plain =
                KafkaIO.producerProperties(
                        KafkaConnection.of("localhost:9092"), DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(plain)
                .containsOnly(
                        Map.entry("bootstrap.servers", "localhost:9092"),
                        Map.entry("linger.ms", "50"),
                        Map.entry("batch.size", "65536"));

        Properties tuned =
                KafkaIO.producerProperties(
                        KafkaConnection.of(
                                "localhost:9092", Map.of("linger.ms", "200", "acks", "all")),
                        DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(tuned)
                .containsOnly(
                        Map.entry("bootstrap.servers", "localhost:9092"),
                        Map.entry("linger.ms", "200"),
                        Map.entry("batch.size", "65536"),
                        Map.entry("acks", "all"));
    }
}
