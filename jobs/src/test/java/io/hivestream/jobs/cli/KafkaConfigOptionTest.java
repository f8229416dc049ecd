package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KafkaConfigOptionTest {
    /**
     * Every command that talks to a Kafka of the user's (it takes --bootstrap) takes --kafka-config
     * too; the demo starts its own broker and takes neither.
     */
    @Test
    void everyKafkaCommandTakesAKafkaConfigFile() {
        List<String> kafkaCommands = new java.util.ArrayList<>();
        collect(HivestreamCli.commandLine(), "", kafkaCommands);

        assertThat(kafkaCommands).contains("submit", "results", "topics", "run", "agents register");
        for (String path : kafkaCommands) {
            CommandLine command = HivestreamCli.commandLine();
            for (String name : path.split(" ")) {
                command = command.getSubcommands().get(name);
            }
            assertThat(command.getCommandSpec().findOption("--kafka-config")).as(path).isNotNull();
        }
    }

    private static void collect(CommandLine command, String path, List<String> kafkaCommands) {
        if (command.getCommandSpec().findOption("--bootstrap") != null) {
            kafkaCommands.add(path);
        }
        command.getSubcommands()
                .forEach(
                        (name, sub) ->
                                collect(
                                        sub,
                                        path.isEmpty() ? name : path + " " + name,
                                        kafkaCommands));
    }

    @Test
    void theFileGivesEveryClientItsPropertiesAndTheJobItsOptions(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(
                file,
                "security.protocol=SASL_SSL\n"
                        + "sasl.mechanism=SCRAM-SHA-512\n"
                        + "sasl.jaas.config=x required username=\"u\" password=\"${env:PW}\";\n");
        SubmitCommand submit = new SubmitCommand();
        new CommandLine(submit)
                .parseArgs("--bootstrap", "b1:9093", "--kafka-config", file.toString());

        assertThat(submit.kafka.connection().properties())
                .containsOnly(
                        Map.entry("bootstrap.servers", "b1:9093"),
                        Map.entry("security.protocol", "SASL_SSL"),
                        Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
                        Map.entry(
                                "sasl.jaas.config",
                                "x required username=\"u\" password=\"${env:PW}\";"));
        assertThat(submit.kafka.config.jobOptions())
                .containsExactly(
                        Map.entry(
                                "hivestream.kafka.properties.sasl.jaas.config",
                                "x required username=\"u\" password=\"${env:PW}\";"),
                        Map.entry("hivestream.kafka.properties.sasl.mechanism", "SCRAM-SHA-512"),
                        Map.entry("hivestream.kafka.properties.security.protocol", "SASL_SSL"));

        SubmitCommand plain = new SubmitCommand();
        new CommandLine(plain).parseArgs("--bootstrap", "b1:9092");
        assertThat(plain.kafka.connection().properties())
                .containsOnly(Map.entry("bootstrap.servers", "b1:9092"));
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("missing.properties");
        CliRunner.Run run =
                CliRunner.run(
                        "topics",
                        "--bootstrap",
                        "127.0.0.1:1",
                        "--kafka-config",
                        missing.toString());

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err())
                .contains("the Kafka client configuration " + missing + " does not exist");
    }
}
