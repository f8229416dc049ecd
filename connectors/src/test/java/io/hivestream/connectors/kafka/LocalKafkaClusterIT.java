package io.hivestream.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LocalKafkaClusterIT {

    @Test
    void singleNodeServesTopicsAndTransactionsAndCleansUp() throws Exception {
        Path directory;
        ProcessHandle broker;
        try (LocalKafkaCluster cluster =
                LocalKafkaCluster.builder()
                        .topic("a", 3)
                        .topic("b", 1, Map.of("cleanup.policy", "compact"))
                        .start()) {
            directory = cluster.directory();
            broker = ProcessHandle.of(cluster.pid(0)).orElseThrow();
            assertThat(cluster.size()).isEqualTo(1);
            assertThat(cluster.isAlive(0)).isTrue();

            try (Admin admin = admin(cluster)) {
                Set<String> names = admin.listTopics().names().get();
                assertThat(names).containsExactlyInAnyOrder("a", "b");
                Map<String, TopicDescription> topics =
                        admin.describeTopics(names).allTopicNames().get();
                assertThat(topics.get("a").partitions()).hasSize(3);
                assertThat(topics.get("b").partitions()).hasSize(1);
                ConfigResource b = new ConfigResource(ConfigResource.Type.TOPIC, "b");
                assertThat(admin.describeConfigs(List.of(b)).all().get().get(b))
                        .extracting(config -> config.get("cleanup.policy").value())
                        .isEqualTo("compact");
            }

            writeCommittedAndAbortedTransactions(cluster, "a");
            assertThat(readCommitted(cluster, "a", 3)).containsExactly("one", "two", "three");
        }
        assertThat(broker.isAlive()).isFalse();
        assertThat(directory).doesNotExist();
    }

    @Test
    void threeNodesKeepAcceptingWritesWhileOneIsDownAndRejoin() throws Exception {
        try (LocalKafkaCluster cluster = LocalKafkaCluster.builder().nodes(3).start();
                Admin admin = admin(cluster)) {
            assertThat(cluster.bootstrapServers().split(",")).hasSize(3);
            assertThat(admin.describeCluster().nodes().get()).hasSize(3);

            cluster.createTopic("replicated", 2, Map.of());
            TopicDescription topic =
                    admin.describeTopics(List.of("replicated"))
                            .allTopicNames()
                            .get()
                            .get("replicated");
            assertThat(topic.partitions())
                    .hasSize(2)
                    .allSatisfy(partition -> assertThat(partition.replicas()).hasSize(3));

            cluster.killNode(1);
            assertThat(cluster.isAlive(1)).isFalse();
            assertThat(ProcessHandle.of(cluster.pid(1))).isEmpty();
            try (KafkaProducer<String, String> producer = acksAllProducer(cluster)) {
                for (TopicPartitionInfo partition : topic.partitions()) {
                    RecordMetadata written =
                            producer.send(
                                            new ProducerRecord<>(
                                                    "replicated",
                                                    partition.partition(),
                                                    "key",
                                                    "while node 1 is down"))
                                    .get(90, TimeUnit.SECONDS);
                    assertThat(written.hasOffset()).isTrue();
                }
            }

            cluster.restartNode(1);
            assertThat(cluster.isAlive(1)).isTrue();
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(
                            () -> assertThat(nodeIds(admin)).containsExactlyInAnyOrder(0, 1, 2));
        }
    }

    @Test
    void restartReportsAPortTakenByAnotherProcess() throws Exception {
        try (LocalKafkaCluster cluster = LocalKafkaCluster.builder().start()) {
            cluster.killNode(0);
            int port = Integer.parseInt(cluster.address(0).split(":")[1]);
            try (ServerSocket thief = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertThatThrownBy(() -> cluster.restartNode(0))
                        .isInstanceOf(UncheckedIOException.class)
                        .hasMessageContaining("exited with code")
                        .hasMessageContaining("could not bind 127.0.0.1:" + port)
                        .hasMessageContaining("broker.log");
            }
            assertThat(cluster.isAlive(0)).isFalse();
        }
    }

    private static void writeCommittedAndAbortedTransactions(
            LocalKafkaCluster cluster, String topic) {
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                cluster.bootstrapServers(),
                                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                                "local-kafka-cluster-it",
                                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                                StringSerializer.class,
                                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                                StringSerializer.class))) {
            producer.initTransactions();
            // One partition keeps the order, so reading "three" proves the aborted record,
            // written before it, was skipped rather than not yet read.
            inTransaction(producer, topic, List.of("one", "two"), true);
            inTransaction(producer, topic, List.of("aborted"), false);
            inTransaction(producer, topic, List.of("three"), true);
        }
    }

    private static void inTransaction(
            KafkaProducer<String, String> producer,
            String topic,
            List<String> values,
            boolean commit) {
        producer.beginTransaction();
        for (String value : values) {
            producer.send(new ProducerRecord<>(topic, 0, value, value));
        }
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.flush();
            producer.abortTransaction();
        }
    }

    private static List<String> readCommitted(
            LocalKafkaCluster cluster, String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                cluster.bootstrapServers(),
                                ConsumerConfig.GROUP_ID_CONFIG,
                                "local-kafka-cluster-it",
                                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                "read_committed",
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                                "earliest",
                                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                                StringDeserializer.class,
                                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                                StringDeserializer.class))) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> {
                                consumer.poll(Duration.ofMillis(200))
                                        .forEach(record -> values.add(record.value()));
                                return values.size() >= expected;
                            });
        }
        return values;
    }

    private static KafkaProducer<String, String> acksAllProducer(LocalKafkaCluster cluster) {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        cluster.bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                        StringSerializer.class,
                        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                        StringSerializer.class));
    }

    private static Admin admin(LocalKafkaCluster cluster) {
        return Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    private static Set<Integer> nodeIds(Admin admin) throws Exception {
        return admin.describeCluster().nodes().get().stream()
                .map(Node::id)
                .collect(Collectors.toSet());
    }
}
