package io.hivestream.jobs.cli;

import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.codec.Codecs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Reads the dead-letter topic and sends corrected records back. */
@Command(
        name = "dlq",
        mixinStandardHelpOptions = true,
        description = {
            "Prints the dead letters with their reasons, or sends corrected tasks back with --resubmit.",
            "Each dead letter shows the stage that refused the record, where the record was",
            "(topic/partition/offset), why, and the record itself. --resubmit FILE publishes",
            "corrected tasks, one JSON object per line, to the tasks topic, checked as submit checks them."
        })
final class DlqCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin KafkaOptions kafka;

    @Option(
            names = "--topic",
            defaultValue = "hivestream.dlq",
            description = "Dead-letter topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(
            names = "--follow",
            description = "Keep printing dead letters as they come, until Ctrl-C or --timeout.")
    boolean follow;

    @Option(names = "--timeout", description = "With --follow, stop after this many seconds.")
    Long timeoutSeconds;

    @Option(names = "--json", description = "Print each dead letter as one JSON object per line.")
    boolean json;

    @Option(
            names = "--resubmit",
            paramLabel = "FILE",
            description =
                    "Publish the corrected tasks of this JSON-lines file (- for standard input) instead of printing.")
    String resubmit;

    @Option(
            names = "--tasks-topic",
            defaultValue = "hivestream.tasks",
            description = "Where --resubmit publishes (default: ${DEFAULT-VALUE}).")
    String tasksTopic;

    @Override
    public Integer call() {
        if (resubmit != null) {
            // One rule for what a task must be: the submit command's.
            List<String> args =
                    new ArrayList<>(List.of("--bootstrap", kafka.bootstrap, "--topic", tasksTopic));
            if (kafka.config.file != null) {
                args.addAll(List.of("--kafka-config", kafka.config.file.toString()));
            }
            args.add(resubmit);
            return spec.root().subcommands().get("submit").execute(args.toArray(String[]::new));
        }
        AtomicInteger seen = new AtomicInteger();
        if (!follow) {
            for (var record :
                    KafkaClients.readAll(kafka.connection(), topic, Duration.ofSeconds(60))) {
                print(record.value(), record.partition(), record.offset());
                seen.incrementAndGet();
            }
            if (!json) {
                System.out.println(seen.get() + " dead letter(s) in " + topic);
            }
            return 0;
        }
        Instant deadline =
                timeoutSeconds == null
                        ? Instant.MAX
                        : Instant.now().plus(Duration.ofSeconds(timeoutSeconds));
        KafkaClients.follow(
                kafka.connection(),
                topic,
                false,
                record -> print(record.value(), record.partition(), record.offset()),
                () -> Instant.now().isAfter(deadline));
        return 0;
    }

    private void print(byte[] value, int partition, long offset) {
        DeadLetter letter;
        try {
            letter = Codecs.DEAD_LETTER.decode(value);
        } catch (RuntimeException e) {
            System.err.println(
                    topic
                            + "/"
                            + partition
                            + "/"
                            + offset
                            + " is not a dead letter ("
                            + e.getMessage()
                            + "); only the job should write to "
                            + topic
                            + ".");
            return;
        }
        System.out.println(json ? DeadLetterLines.json(letter) : DeadLetterLines.lines(letter));
    }
}
