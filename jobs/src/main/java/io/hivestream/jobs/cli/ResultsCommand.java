package io.hivestream.jobs.cli;

import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.codec.Codecs;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Follows the results topic. */
@Command(
        name = "results",
        mixinStandardHelpOptions = true,
        description = {
            "Follows the results topic and prints one line per result (one JSON object with --json).",
            "Reads with read_committed, so only results of committed checkpoints are shown."
        })
final class ResultsCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin KafkaOptions kafka;

    @Option(
            names = "--topic",
            defaultValue = "hivestream.results",
            description = "Results topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(
            names = "--count",
            description = "Exit after this many results (exit 1 if the timeout comes first).")
    Integer count;

    @Option(names = "--timeout", description = "Stop after this many seconds.")
    Long timeoutSeconds;

    @Option(names = "--json", description = "Print each result as one JSON object per line.")
    boolean json;

    @Option(
            names = "--from-end",
            description = "Only results written from now on (default: from the beginning).")
    boolean fromEnd;

    @Override
    public Integer call() {
        AtomicInteger seen = new AtomicInteger();
        Instant deadline =
                timeoutSeconds == null
                        ? Instant.MAX
                        : Instant.now().plus(Duration.ofSeconds(timeoutSeconds));
        KafkaClients.follow(
                kafka.connection(),
                topic,
                fromEnd,
                record -> {
                    if (count != null && seen.get() >= count) {
                        return;
                    }
                    try {
                        TaskResult result = Codecs.TASK_RESULT.decode(record.value());
                        System.out.println(
                                json
                                        ? Codecs.TASK_RESULT.toJsonString(result)
                                        : ResultLines.line(result));
                    } catch (RuntimeException e) {
                        System.err.println(
                                "offset "
                                        + record.partition()
                                        + "/"
                                        + record.offset()
                                        + ": not a result: "
                                        + e.getMessage());
                    }
                    seen.incrementAndGet();
                },
                () -> (count != null && seen.get() >= count) || Instant.now().isAfter(deadline));
        if (count != null && seen.get() < count) {
            System.err.println(
                    "only "
                            + seen.get()
                            + " of "
                            + count
                            + " results within "
                            + timeoutSeconds
                            + " s");
            return 1;
        }
        return 0;
    }
}
