package io.hivestream.jobs.console;

import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.kafka.KafkaConnection;
import io.hivestream.schemas.codec.Codecs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads the job's topics into a {@link ConsoleState} on a thread of its own: the agents topic from
 * its beginning (it is compacted: one record per agent), the results (read_committed), metrics and
 * dead-letter topics from their end minus {@code backlog} records per partition, then everything
 * that follows.
 */
public final class ConsoleFeed implements AutoCloseable {
    /** The topics the console reads. */
    public record Topics(String results, String metrics, String deadLetters, String agents) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ConsoleState state;
    private final Topics topics;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    private ConsoleFeed(KafkaConsumer<byte[], byte[]> consumer, ConsoleState state, Topics topics) {
        this.consumer = consumer;
        this.state = state;
        this.topics = topics;
        this.thread = new Thread(this::run, "hivestream-console-feed");
        this.thread.setDaemon(true);
    }

    /**
     * Assigns every partition of the four topics, seeks as described above and starts reading.
     *
     * @throws IllegalStateException naming a topic that does not exist
     */
    public static ConsoleFeed start(
            KafkaConnection kafka, Topics topics, long backlog, ConsoleState state) {
        KafkaConsumer<byte[], byte[]> consumer = KafkaClients.readCommittedConsumer(kafka);
        try {
            List<TopicPartition> all = new ArrayList<>();
            List<TopicPartition> tail = new ArrayList<>();
            for (String topic :
                    List.of(
                            topics.agents(),
                            topics.results(),
                            topics.metrics(),
                            topics.deadLetters())) {
                for (TopicPartition partition : KafkaClients.partitionsOf(consumer, topic)) {
                    all.add(partition);
                    if (!topic.equals(topics.agents())) {
                        tail.add(partition);
                    }
                }
            }
            consumer.assign(all);
            consumer.seekToBeginning(all);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(tail);
            Map<TopicPartition, Long> end = consumer.endOffsets(tail);
            for (TopicPartition partition : tail) {
                consumer.seek(
                        partition, Math.max(begin.get(partition), end.get(partition) - backlog));
            }
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        ConsoleFeed feed = new ConsoleFeed(consumer, state, topics);
        feed.thread.start();
        return feed;
    }

    /** Why reading stopped, if it did; null while it goes on. */
    public RuntimeException failure() {
        return failure;
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    apply(record);
                }
            }
        } catch (WakeupException stopping) {
            // closed
        } catch (RuntimeException e) {
            failure = e;
            System.err.println("error: the console stopped reading the topics: " + e.getMessage());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        String topic = record.topic();
        try {
            if (topic.equals(topics.results())) {
                state.onResult(Codecs.TASK_RESULT.decode(record.value()), record.timestamp());
            } else if (topic.equals(topics.metrics())) {
                state.onMetric(Codecs.METRIC.decode(record.value()));
            } else if (topic.equals(topics.deadLetters())) {
                state.onDeadLetter(Codecs.DEAD_LETTER.decode(record.value()));
            } else if (record.value() != null) {
                state.onAgent(Codecs.AGENT_EVENT.decode(record.value()));
            }
        } catch (RuntimeException e) {
            state.onUndecodable(topic);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
