package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.connectors.kafka.KafkaConnection;
import io.hivestream.connectors.kafka.KafkaIO;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ConfigurationUtils;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

class KafkaOptionsTest {
    private static final String JAAS =
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                    + " username=\"hive\" password=\"s3cret-pw\";";

    @Test
    void clientPropertiesComeFromTheOptionsUnderTheirPrefix() throws Exception {
        Configuration conf =
                HivestreamJob.parseArgs(
                        new String[] {
                            "--hivestream.kafka.bootstrap-servers", "b1:9093",
                            "--hivestream.kafka.properties.security.protocol", "SASL_SSL",
                            "--hivestream.kafka.properties.sasl.mechanism", "SCRAM-SHA-512",
                            "--hivestream.kafka.properties.sasl.jaas.config", JAAS,
                            "--hivestream.kafka.group-id", "g"
                        });

        KafkaConnection kafka = StageSettings.kafkaConnection(conf);

        assertThat(kafka.bootstrapServers()).isEqualTo("b1:9093");
        assertThat(kafka.clientProperties())
                .containsExactly(
                        Map.entry("sasl.jaas.config", JAAS),
                        Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
                        Map.entry("security.protocol", "SASL_SSL"));
    }

    @Test
    void aClientPropertyThatHasItsOwnOptionIsRefusedNamingBoth() {
        Configuration conf = new Configuration();
        conf.set(HivestreamOptions.BOOTSTRAP_SERVERS, "b1:9093");
        conf.setString("hivestream.kafka.properties.compression.type", "gzip");

        assertThatThrownBy(() -> StageSettings.kafkaConnection(conf))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "the Kafka client property 'compression.type' cannot be set among the"
                                + " client properties: set hivestream.kafka.compression instead"
                                + " (under hivestream.kafka.properties.*)");
        assertThatThrownBy(() -> StageSettings.kafkaConnection(new Configuration()))
                .hasMessage(
                        "set hivestream.kafka.bootstrap-servers to the Kafka bootstrap servers");
    }

    @Test
    void compressionIsAnOptionWithKafkasNames() {
        Configuration conf = new Configuration();
        assertThat(conf.get(HivestreamOptions.KAFKA_COMPRESSION))
                .isEqualTo(KafkaIO.Compression.LZ4);
        conf.setString("hivestream.kafka.compression", "zstd");
        assertThat(conf.get(HivestreamOptions.KAFKA_COMPRESSION).kafkaName()).isEqualTo("zstd");
        conf.setString("hivestream.kafka.compression", "none");
        assertThat(conf.get(HivestreamOptions.KAFKA_COMPRESSION).kafkaName()).isEqualTo("none");
        conf.setString("hivestream.kafka.compression", "brotli");
        assertThatThrownBy(() -> conf.get(HivestreamOptions.KAFKA_COMPRESSION))
                .hasMessageContaining("hivestream.kafka.compression");
    }

    /**
     * Flink hides the values of sensitive keys wherever it prints a configuration (its logs, the
     * web UI and the REST API's job configuration). Every secret a Kafka client takes, under the
     * job's prefix, must be one of those keys.
     */
    @Test
    void flinkHidesEverySecretKafkaClientPropertyUnderThePrefix() {
        Set<String> secrets = new TreeSet<>();
        for (ConfigDef def :
                new ConfigDef[] {
                    ProducerConfig.configDef(),
                    ConsumerConfig.configDef(),
                    AdminClientConfig.configDef()
                }) {
            def.configKeys().values().stream()
                    .filter(key -> key.type == ConfigDef.Type.PASSWORD)
                    .forEach(key -> secrets.add(key.name));
        }
        // Certificates are public; Kafka types them as passwords only so that it does not log them.
        secrets.removeAll(Set.of("ssl.keystore.certificate.chain", "ssl.truststore.certificates"));
        assertThat(secrets).contains("sasl.jaas.config", "ssl.keystore.password");

        Set<String> shown = new TreeSet<>();
        for (String key : secrets) {
            if (!GlobalConfiguration.isSensitive(HivestreamOptions.KAFKA_PROPERTIES_PREFIX + key)) {
                shown.add(key);
            }
        }
        assertThat(shown).isEqualTo(HivestreamOptions.KAFKA_SECRETS_FLINK_WOULD_SHOW);

        Configuration conf = new Configuration();
        conf.setString("hivestream.kafka.properties.sasl.jaas.config", JAAS);
        conf.setString("hivestream.kafka.properties.ssl.truststore.password", "trust-pw");
        assertThat(ConfigurationUtils.hideSensitiveValues(conf.toMap()))
                .containsEntry("hivestream.kafka.properties.sasl.jaas.config", "******")
                .containsEntry("hivestream.kafka.properties.ssl.truststore.password", "******");
        assertThat(conf.toString()).doesNotContain("s3cret-pw").doesNotContain("trust-pw");
    }

    @Test
    void aSecretFlinkWouldShowIsAcceptedOnlyAsAProviderReference() {
        Configuration conf = new Configuration();
        conf.set(HivestreamOptions.BOOTSTRAP_SERVERS, "b1:9093");
        conf.setString("hivestream.kafka.properties.ssl.keystore.key", "-----BEGIN PRIVATE KEY...");

        assertThatThrownBy(() -> StageSettings.kafkaConnection(conf))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "hivestream.kafka.properties.ssl.keystore.key holds a secret that Flink"
                                + " would show in its logs and REST API: reference it through a"
                                + " config provider instead, e.g. ${file:PATH:KEY} or ${env:NAME}");

        conf.setString(
                "hivestream.kafka.properties.ssl.keystore.key", "${file:/run/k.properties:key}");
        assertThat(StageSettings.kafkaConnection(conf).clientProperties())
                .containsEntry("ssl.keystore.key", "${file:/run/k.properties:key}");
    }
}
