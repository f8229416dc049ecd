package io.hivestream.jobs;

import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.kafka.LocalKafkaCluster;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.RoutingExample;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.Tenant;
import io.hivestream.schemas.codec.Codecs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** A real local Kafka with the job's topics, and what the integration tests publish and read. */
final class KafkaJobFixture implements AutoCloseable {
    static final String TASKS = "hivestream.tasks";
    static final String RESULTS = "hivestream.results";
    static final String AGENTS = "hivestream.agents";
    static final String METRICS = "hivestream.metrics";
    static final String DLQ = "hivestream.dlq";
    static final String TENANTS = "hivestream.tenants";
    static final String CALLS = "hivestream.calls";
    static final String EXAMPLES = "hivestream.routing-examples";
    static final String MODELS = "hivestream.models";

    final LocalKafkaCluster kafka;
    final KafkaProducer<byte[], byte[]> producer;

    KafkaJobFixture() throws Exception {
        this(Map.of());
    }

    /** With these broker settings on top of the local cluster's. */
    KafkaJobFixture(Map<String, String> brokerProperties) throws Exception {
        LocalKafkaCluster.Builder builder =
                LocalKafkaCluster.builder()
                        .topic(TASKS, 2)
                        .topic(RESULTS, 2)
                        .topic(AGENTS, 1, Map.of("cleanup.policy", "compact"))
                        .topic(METRICS, 2)
                        .topic(DLQ, 1)
                        .topic(TENANTS, 1, Map.of("cleanup.policy", "compact"))
                        .topic(CALLS, 2, Map.of("cleanup.policy", "compact,delete"))
                        .topic(EXAMPLES, 2)
                        .topic(MODELS, 1, Map.of("cleanup.policy", "compact"));
        brokerProperties.forEach(builder::brokerProperty);
        kafka = builder.start();
        producer = KafkaClients.producer(kafka.bootstrapServers());
    }

    /** Job settings for a test run: fast checkpoints into {@code dir}, the given restart policy. */
    Configuration jobConf(Path checkpoints, boolean bounded, boolean restarts) {
        Configuration conf = new Configuration();
        conf.set(HivestreamOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        conf.set(HivestreamOptions.BOUNDED, bounded);
        conf.set(HivestreamOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(2));
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        if (restarts) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
            conf.set(
                    RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                    Duration.ofMillis(500));
        } else {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        return JobSettings.apply(conf);
    }

    RecordMetadata send(String topic, Integer partition, String key, byte[] value)
            throws Exception {
        byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        return producer.send(new ProducerRecord<>(topic, partition, keyBytes, value)).get();
    }

    RecordMetadata sendJson(String topic, String key, String json) throws Exception {
        return send(topic, null, key, json.getBytes(StandardCharsets.UTF_8));
    }

    void register(AgentEvent agent) throws Exception {
        send(AGENTS, null, agent.getAgentId(), Codecs.AGENT_EVENT.encodeAvro(agent));
    }

    void register(Tenant tenant) throws Exception {
        send(TENANTS, null, tenant.getTenant(), Codecs.TENANT.encodeAvro(tenant));
    }

    List<TaskResult> results() {
        return read(RESULTS).stream()
                .map(r -> Codecs.TASK_RESULT.decode(r.value()))
                .collect(Collectors.toList());
    }

    List<DeadLetter> deadLetters() {
        return read(DLQ).stream()
                .map(r -> Codecs.DEAD_LETTER.decode(r.value()))
                .collect(Collectors.toList());
    }

    List<Metric> metrics() {
        return read(METRICS).stream()
                .map(r -> Codecs.METRIC.decode(r.value()))
                .collect(Collectors.toList());
    }

    List<RoutingExample> examples() {
        return read(EXAMPLES).stream()
                .map(r -> Codecs.ROUTING_EXAMPLE.decode(r.value()))
                .collect(Collectors.toList());
    }

    List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        return KafkaClients.readAll(kafka.bootstrapServers(), topic, Duration.ofSeconds(60));
    }

    @Override
    public void close() {
        producer.close();
        kafka.close();
    }
}
