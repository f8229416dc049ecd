package io.hivestream.jobs.cli;

import io.hivestream.connectors.kafka.KafkaConnection;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How a command reaches the user's Kafka: {@code --bootstrap} and {@code --kafka-config}, declared
 * once for every command that talks to it.
 */
final class KafkaOptions {
    @Option(
            names = "--bootstrap",
            required = true,
            paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers, HOST:PORT[,HOST:PORT...].")
    String bootstrap;

    @Mixin KafkaConfigOption config;

    /** The connection to the bootstrap servers with the --kafka-config file's properties. */
    KafkaConnection connection() {
        return config.connection(bootstrap);
    }
}
