package io.hivestream.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaConnectionTest {
    private static final String JAAS =
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                    + " username=\"hive\" password=\"s3cret-pw\";";

    private static final Map<String, String> SASL_SSL =
            Map.of(
                    "security.protocol", "SASL_SSL",
                    "sasl.mechanism", "SCRAM-SHA-512",
                    "sasl.jaas.config", JAAS,
                    "ssl.truststore.location", "/etc/kafka/truststore.p12",
                    "ssl.truststore.type", "PKCS12");

    @Test
    void everyClientGetsTheBootstrapServersAndTheClientProperties() {
        KafkaConnection kafka = KafkaConnection.of("b1:9093,b2:9093", SASL_SSL);

        Properties props = kafka.properties();

        assertThat(props)
                .containsOnly(
                        Map.entry("bootstrap.servers", "b1:9093,b2:9093"),
                        Map.entry("security.protocol", "SASL_SSL"),
                        Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
                        Map.entry("sasl.jaas.config", JAAS),
                        Map.entry("ssl.truststore.location", "/etc/kafka/truststore.p12"),
                        Map.entry("ssl.truststore.type", "PKCS12"));
        // Each call is a new set: one client's additions do not reach the next.
        props.put("acks", "all");
        assertThat(kafka.properties()).doesNotContainKey("acks");
        assertThat(kafka.securityProtocol()).isEqualTo("SASL_SSL");
        assertThat(KafkaConnection.of("b:9092").securityProtocol()).isEqualTo("PLAINTEXT");
    }

    @Test
    void producersConsumersAndAdminsParseThePropertiesAsKafkaDoes() {
        KafkaConnection kafka = KafkaConnection.of("b1:9093", SASL_SSL);

        ProducerConfig producer = new ProducerConfig(withSerializers(kafka.properties()));
        ConsumerConfig consumer = new ConsumerConfig(withDeserializers(kafka.properties()));
        AdminClientConfig admin = new AdminClientConfig(kafka.properties());

        for (var config : List.of(producer, consumer, admin)) {
            assertThat(config.getString("security.protocol")).isEqualTo("SASL_SSL");
            assertThat(config.getString("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
            assertThat(config.getPassword("sasl.jaas.config").value()).isEqualTo(JAAS);
            assertThat(config.getList("bootstrap.servers")).containsExactly("b1:9093");
        }
        // Kafka's own logging of client configs hides the password.
        assertThat(producer.getPassword("sasl.jaas.config").toString()).isEqualTo("[hidden]");
    }

    @Test
    void secretsComeFromTheEnvironmentOrAFileThroughKafkasConfigProviders(@TempDir Path dir)
            throws Exception {
        Path secrets = dir.resolve("kafka-secrets.properties");
        Files.writeString(secrets, "truststore.password=from-the-file\n");
        String home = System.getenv("HOME");
        assertThat(home).as("the test reads HOME through the env provider").isNotBlank();
        KafkaConnection kafka =
                KafkaConnection.of(
                        "b1:9093",
                        Map.of(
                                "config.providers", "env,file",
                                "config.providers.env.class",
                                        "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
                                "config.providers.file.class",
                                        "org.apache.kafka.common.config.provider.FileConfigProvider",
                                "sasl.jaas.config",
                                        "org.apache.kafka.common.security.scram.ScramLoginModule"
                                                + " required username=\"hive\""
                                                + " password=\"${env:HOME}\";",
                                "ssl.truststore.password",
                                        "${file:" + secrets + ":truststore.password}"));

        ProducerConfig producer = new ProducerConfig(withSerializers(kafka.properties()));

        assertThat(producer.getPassword("sasl.jaas.config").value())
                .isEqualTo(
                        "org.apache.kafka.common.security.scram.ScramLoginModule required"
                                + " username=\"hive\" password=\""
                                + home
                                + "\";");
        assertThat(producer.getPassword("ssl.truststore.password").value())
                .isEqualTo("from-the-file");
        // The reference names no secret, so the user it names is reported, and a referenced one
        // is not guessed at.
        assertThat(kafka.saslUser()).isEqualTo("hive");
        assertThat(
                        KafkaConnection.of(
                                        "b:1",
                                        Map.of("sasl.jaas.config", "x username=\"${env:U}\";"))
                                .saslUser())
                .isEqualTo("the configured user");
    }

    @Test
    void propertiesTheJobSetsItselfAreRefusedWithTheOptionToUseInstead() {
        assertThatThrownBy(() -> KafkaConnection.of("b:9092", Map.of("compression.type", "gzip")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "the Kafka client property 'compression.type' cannot be set among the"
                                + " client properties: set hivestream.kafka.compression instead");
        assertThatThrownBy(() -> KafkaConnection.of("b:9092", Map.of("bootstrap.servers", "x:1")))
                .hasMessageContaining("'bootstrap.servers'");
        assertThatThrownBy(() -> KafkaConnection.of(" ", Map.of()))
                .hasMessage(
                        "no Kafka bootstrap servers given: set them as HOST:PORT[,HOST:PORT...]");
    }

    @Test
    void theDescriptionNamesKeysButNoValue() {
        KafkaConnection kafka = KafkaConnection.of("b1:9093", SASL_SSL);

        assertThat(kafka.toString())
                .isEqualTo(
                        "Kafka at b1:9093 with [sasl.jaas.config, sasl.mechanism,"
                                + " security.protocol, ssl.truststore.location,"
                                + " ssl.truststore.type]")
                .doesNotContain("s3cret-pw");
    }

    @Test
    void aPropertiesFileIsLoadedAndAMissingOneNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(
                file, "security.protocol=SASL_SSL\nsasl.mechanism = SCRAM-SHA-512 \n# comment\n");

        assertThat(KafkaConnection.load(file))
                .containsExactly(
                        Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
                        Map.entry("security.protocol", "SASL_SSL"));
        Path missing = dir.resolve("nope.properties");
        assertThatThrownBy(() -> KafkaConnection.load(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the Kafka client configuration " + missing + " does not exist");
    }

    @Test
    void accessFailuresBecomeSentencesNamingTheUserTheBrokerAndTheTopic() {
        KafkaConnection kafka = KafkaConnection.of("b1:9093", SASL_SSL);

        assertThat(
                        KafkaAccessCheck.explain(
                                        kafka,
                                        new SaslAuthenticationException(
                                                "Authentication failed during authentication due"
                                                        + " to invalid credentials"),
                                        "describe topic t",
                                        null)
                                .getMessage())
                .isEqualTo(
                        "Kafka authentication failed for user hive at b1:9093 (SCRAM-SHA-512):"
                                + " check the password and the SASL mechanism in"
                                + " sasl.jaas.config");
        assertThat(
                        KafkaAccessCheck.explain(
                                        kafka,
                                        new TopicAuthorizationException(Set.of("hivestream.dlq")),
                                        "describe topic hivestream.dlq",
                                        null)
                                .getMessage())
                .isEqualTo(
                        "the ACLs of Kafka at b1:9093 deny user hive access to topic(s)"
                                + " hivestream.dlq: grant the job's principal Describe, Read and"
                                + " Write on them");
        assertThat(
                        KafkaAccessCheck.explain(
                                        kafka,
                                        new GroupAuthorizationException("denied"),
                                        "read the offsets of consumer group g",
                                        "g")
                                .getMessage())
                .isEqualTo(
                        "the ACLs of Kafka at b1:9093 deny user hive access to consumer group g:"
                                + " grant the job's principal Read on it");
    }

    private static Properties withSerializers(Properties props) {
        props.put("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        props.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        return props;
    }

    private static Properties withDeserializers(Properties props) {
        props.put(
                "key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        props.put(
                "value.deserializer",
                "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        return props;
    }
}
