package io.hivestream.jobs.console;

import io.hivestream.connectors.kafka.KafkaConnection;
import java.io.IOException;

/**
 * The live console: the topics read into a {@link ConsoleState}, served by a {@link ConsoleServer}.
 */
public final class Console implements AutoCloseable {
    /** Records read back per partition of the results, metrics and dead-letter topics at start. */
    public static final long DEFAULT_BACKLOG = 1_000;

    public static final String DEFAULT_RESULTS_TOPIC = "hivestream.results";
    public static final String DEFAULT_METRICS_TOPIC = "hivestream.metrics";
    public static final String DEFAULT_DLQ_TOPIC = "hivestream.dlq";
    public static final String DEFAULT_AGENTS_TOPIC = "hivestream.agents";

    /** The job's topics under their default names. */
    public static final ConsoleFeed.Topics DEFAULT_TOPICS =
            new ConsoleFeed.Topics(
                    DEFAULT_RESULTS_TOPIC,
                    DEFAULT_METRICS_TOPIC,
                    DEFAULT_DLQ_TOPIC,
                    DEFAULT_AGENTS_TOPIC);

    private final ConsoleState state;
    private final ConsoleFeed feed;
    private final ConsoleServer server;

    private Console(ConsoleState state, ConsoleFeed feed, ConsoleServer server) {
        this.state = state;
        this.feed = feed;
        this.server = server;
    }

    /** Reads {@code topics} from {@code kafka} and serves the page on {@code host:port}. */
    public static Console start(
            KafkaConnection kafka,
            ConsoleFeed.Topics topics,
            long backlog,
            String host,
            int port,
            ConsoleState.Limits limits)
            throws IOException {
        ConsoleState state = new ConsoleState(limits);
        ConsoleServer server = ConsoleServer.start(host, port, state);
        try {
            return new Console(state, ConsoleFeed.start(kafka, topics, backlog, state), server);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** Where the page is. */
    public String url() {
        return server.url();
    }

    /** What the page shows. */
    public ConsoleState state() {
        return state;
    }

    /** Why reading the topics stopped, if it did; null while it goes on. */
    public RuntimeException failure() {
        return feed.failure();
    }

    @Override
    public void close() {
        server.close();
        feed.close();
    }
}
