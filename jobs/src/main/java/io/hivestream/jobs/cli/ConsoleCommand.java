package io.hivestream.jobs.cli;

import io.hivestream.jobs.console.Console;
import io.hivestream.jobs.console.ConsoleFeed;
import io.hivestream.jobs.console.ConsoleState;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Serves the live console. */
@Command(
        name = "console",
        mixinStandardHelpOptions = true,
        description = {
            "Serves a live web page of what the job is doing, read from its own topics.",
            "It shows the agents and how their calls fare, the spend and calls of each tenant,",
            "throughput and latency over time, recent results with their votes and plans, and",
            "dead letters with their reasons. Ctrl-C stops it."
        })
final class ConsoleCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin KafkaOptions kafka;

    @Option(
            names = "--port",
            defaultValue = "8090",
            description = "Port of the page; 0 takes a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description =
                    "Address the page listens on; 0.0.0.0 opens it to the network (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(
            names = "--backlog",
            defaultValue = "" + Console.DEFAULT_BACKLOG,
            description =
                    "Records read back per partition of the results, metrics and dead-letter topics at start (default: ${DEFAULT-VALUE}).")
    long backlog;

    @Option(
            names = "--results-topic",
            defaultValue = Console.DEFAULT_RESULTS_TOPIC,
            description = "Results topic (default: ${DEFAULT-VALUE}).")
    String resultsTopic;

    @Option(
            names = "--metrics-topic",
            defaultValue = Console.DEFAULT_METRICS_TOPIC,
            description = "Metrics topic (default: ${DEFAULT-VALUE}).")
    String metricsTopic;

    @Option(
            names = "--dlq-topic",
            defaultValue = Console.DEFAULT_DLQ_TOPIC,
            description = "Dead-letter topic (default: ${DEFAULT-VALUE}).")
    String dlqTopic;

    @Option(
            names = "--agents-topic",
            defaultValue = Console.DEFAULT_AGENTS_TOPIC,
            description = "Agents topic (default: ${DEFAULT-VALUE}).")
    String agentsTopic;

    @Override
    public Integer call() throws Exception {
        if (backlog < 0) {
            throw new IllegalArgumentException("--backlog must be 0 or more");
        }
        Console console =
                Console.start(
                        kafka.connection(),
                        new ConsoleFeed.Topics(resultsTopic, metricsTopic, dlqTopic, agentsTopic),
                        backlog,
                        host,
                        port,
                        ConsoleState.Limits.defaults());
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    console.close();
                                    stop.countDown();
                                },
                                "hivestream-console-shutdown"));
        System.out.println("console: " + console.url());
        stop.await();
        return 0;
    }
}
