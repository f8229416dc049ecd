package io.hivestream.jobs.cli;

import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.operators.lineage.LineageKeys;
import io.hivestream.operators.lineage.LineageVerifier;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.codec.Codecs;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Checks the signed lineage of results, on the results topic or in files. */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Checks every signed result's hashes, inclusion proof, signature and chain link.",
            "It reads the results topic (--bootstrap, read_committed, up to its end as it is now)",
            "or files of results as JSON lines (`hivestream results --json`), prints a summary and",
            "the first bad result with why, and exits with 1 on any failure."
        })
final class VerifyCommand implements Callable<Integer> {
    @Option(
            names = "--public-key",
            required = true,
            description =
                    "Public key PEM file of a key results may name: FILE (id: its fingerprint) or"
                            + " ID=FILE. Repeat it for several keys (a rotated key).")
    List<String> publicKeys;

    @Option(names = "--bootstrap", description = "Kafka bootstrap servers, HOST:PORT.")
    String bootstrap;

    @picocli.CommandLine.Mixin KafkaConfigOption kafkaConfig;

    @Option(
            names = "--topic",
            defaultValue = "hivestream.results",
            description = "Results topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--tenant", description = "Only this tenant's results.")
    String tenant;

    @Option(
            names = "--timeout",
            defaultValue = "60",
            description = "Seconds to read the topic up to its end (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Parameters(arity = "0..*", paramLabel = "FILE", description = "Files of JSON-line results.")
    List<Path> files = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if ((bootstrap == null) == files.isEmpty()) {
            System.err.println(
                    "error: give either --bootstrap (read the results topic) or FILE... (JSON"
                            + " lines), not "
                            + (bootstrap == null ? "neither" : "both"));
            return 2;
        }
        List<LineageKeys.VerifyingKey> keys = new ArrayList<>();
        for (String spec : publicKeys) {
            int eq = spec.indexOf('=');
            String id = eq > 0 ? spec.substring(0, eq) : null;
            Path file = Path.of(eq > 0 ? spec.substring(eq + 1) : spec);
            keys.add(
                    LineageKeys.verifyingKey(
                            Files.readString(file, StandardCharsets.US_ASCII),
                            id,
                            "public key file " + file));
        }
        // One tenant's results alone leave out the other tenants' leaves of shared batches.
        LineageVerifier verifier = new LineageVerifier(keys, tenant == null);
        if (bootstrap != null) {
            for (ConsumerRecord<byte[], byte[]> record :
                    KafkaClients.readAll(
                            kafkaConfig.connection(bootstrap),
                            topic,
                            Duration.ofSeconds(timeoutSeconds))) {
                String position =
                        topic + " partition " + record.partition() + " offset " + record.offset();
                check(verifier, "partition " + record.partition(), position, record.value());
            }
        } else {
            for (Path file : files) {
                try (BufferedReader reader = Files.newBufferedReader(file)) {
                    int number = 0;
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                        number++;
                        if (!line.isBlank()) {
                            // A file may gather several partitions: no order to check.
                            check(
                                    verifier,
                                    null,
                                    file + " line " + number,
                                    line.getBytes(StandardCharsets.UTF_8));
                        }
                    }
                }
            }
        }
        LineageVerifier.Report report = verifier.finish();
        System.out.println(report.summary());
        if (!report.failures().isEmpty()) {
            System.out.println("first bad result: " + report.failures().get(0));
        }
        return report.ok() ? 0 : 1;
    }

    private void check(LineageVerifier verifier, String lane, String position, byte[] value) {
        TaskResult result;
        try {
            result = Codecs.TASK_RESULT.decode(value);
        } catch (RuntimeException e) {
            verifier.reject(position, "not a result: " + e.getMessage());
            return;
        }
        if (tenant == null || tenant.equals(result.getTenant())) {
            verifier.accept(lane, position, result);
        }
    }
}
