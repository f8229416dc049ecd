package io.hivestream.jobs.cli;

import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.schemas.codec.Codecs;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A live view of the job from its results and metrics topics. */
@Command(
        name = "top",
        mixinStandardHelpOptions = true,
        description = {
            "Shows throughput, results by status, latency, agent calls in flight and spend, refreshed live.",
            "Everything is read from the results and metrics topics over the last --window seconds;",
            "--once prints the figures one time and exits. Ctrl-C stops the live view."
        })
final class TopCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin KafkaOptions kafka;

    @Option(
            names = "--results-topic",
            defaultValue = "hivestream.results",
            description = "Results topic (default: ${DEFAULT-VALUE}).")
    String resultsTopic;

    @Option(
            names = "--metrics-topic",
            defaultValue = "hivestream.metrics",
            description = "Metrics topic (default: ${DEFAULT-VALUE}).")
    String metricsTopic;

    @Option(
            names = "--window",
            defaultValue = "60",
            description = "Seconds the figures cover (default: ${DEFAULT-VALUE}).")
    long windowSeconds;

    @Option(
            names = "--interval",
            defaultValue = "2",
            description = "Seconds between refreshes (default: ${DEFAULT-VALUE}).")
    long intervalSeconds;

    @Option(names = "--once", description = "Print the figures once and exit.")
    boolean once;

    @Option(names = "--timeout", description = "Stop the live view after this many seconds.")
    Long timeoutSeconds;

    @Override
    public Integer call() {
        if (windowSeconds <= 0 || intervalSeconds <= 0) {
            throw new IllegalArgumentException(
                    "--window and --interval must be positive numbers of seconds.");
        }
        TopStats stats = new TopStats(windowSeconds * 1000);
        long from = System.currentTimeMillis() - windowSeconds * 1000;
        if (once) {
            long now = System.currentTimeMillis();
            TopicWindow.readSince(
                            kafka.connection(),
                            List.of(resultsTopic, metricsTopic),
                            from,
                            Duration.ofSeconds(60))
                    .forEach(r -> add(stats, r));
            print(stats, now);
            return 0;
        }
        Instant deadline =
                timeoutSeconds == null
                        ? Instant.MAX
                        : Instant.now().plus(Duration.ofSeconds(timeoutSeconds));
        try (KafkaConsumer<byte[], byte[]> consumer =
                KafkaClients.readCommittedConsumer(kafka.connection())) {
            KafkaClients.seekSince(consumer, List.of(resultsTopic, metricsTopic), from);
            while (Instant.now().isBefore(deadline)) {
                long until = System.nanoTime() + Duration.ofSeconds(intervalSeconds).toNanos();
                while (System.nanoTime() < until) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> add(stats, r));
                }
                // Clears the terminal and starts at its top, as top(1) does.
                System.out.print("\u001b[H\u001b[2J");
                print(stats, System.currentTimeMillis());
                System.out.flush();
            }
        }
        return 0;
    }

    private void add(TopStats stats, ConsumerRecord<byte[], byte[]> record) {
        try {
            if (record.topic().equals(resultsTopic)) {
                stats.add(Codecs.TASK_RESULT.decode(record.value()));
            } else {
                stats.add(Codecs.METRIC.decode(record.value()));
            }
        } catch (RuntimeException notOurs) {
            // Only the job writes to these topics; a record of another kind is not counted.
        }
    }

    private void print(TopStats stats, long now) {
        System.out.println(
                "hivestream top at "
                        + kafka.bootstrap
                        + ", "
                        + Instant.ofEpochMilli(now)
                        + ", last "
                        + windowSeconds
                        + " s");
        stats.lines(now).forEach(System.out::println);
    }
}
