package io.hivestream.jobs.cli;

import io.hivestream.connectors.kafka.KafkaConnection;
import io.hivestream.jobs.HivestreamOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Option;

/**
 * {@code --kafka-config FILE}, which every command that talks to Kafka takes: a Java properties
 * file of Kafka client properties (security.protocol, SASL, SSL stores, config providers) for every
 * client the command creates.
 */
final class KafkaConfigOption {
    @Option(
            names = "--kafka-config",
            paramLabel = "FILE",
            description =
                    "Java properties file of Kafka client properties for every client, e.g."
                            + " security.protocol=SASL_SSL, sasl.mechanism, sasl.jaas.config,"
                            + " ssl.truststore.location; secrets as $${env:NAME} or $${file:PATH:KEY}"
                            + " with config.providers (see docs/security.md).")
    Path file;

    /** The client properties of the file; none without it. */
    Map<String, String> properties() {
        return file == null ? Map.of() : KafkaConnection.load(file);
    }

    /** The connection to {@code bootstrap} with the file's client properties. */
    KafkaConnection connection(String bootstrap) {
        return KafkaConnection.of(bootstrap, properties());
    }

    /** The file's properties as job options, under {@code hivestream.kafka.properties.}. */
    Map<String, String> jobOptions() {
        Map<String, String> options = new TreeMap<>();
        properties()
                .forEach((k, v) -> options.put(HivestreamOptions.KAFKA_PROPERTIES_PREFIX + k, v));
        return options;
    }
}
