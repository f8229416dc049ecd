package io.hivestream.loadtests;

import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.kafka.KafkaConnection;
import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.codec.Codecs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Follows a results topic with a read_committed consumer from its beginning, on its own thread, and
 * hands each result to the {@link LatencyBook} of the phase its task belongs to. A result is
 * visible when the poll that returned it came back. The agent time of a result is the longest
 * latency among its answers (replicas run side by side); a result without answers (the
 * passthrough's) took no agent time.
 */
public final class ResultReader implements AutoCloseable {
    private final Thread thread;
    private final List<LatencyBook> books = new CopyOnWriteArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Map<TaskStatus, LongAdder> statuses = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    public ResultReader(KafkaConnection kafka, String topic) {
        this.thread = new Thread(() -> follow(kafka, topic), "result-reader-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    /** Results of tasks in the book's range go to it from now on. */
    public void add(LatencyBook book) {
        books.add(book);
    }

    /** The agent time of a result, in milliseconds. */
    public static long agentMillis(TaskResult result) {
        long longest = 0;
        for (AgentAnswer answer : result.getAnswers()) {
            longest = Math.max(longest, answer.getLatencyMs());
        }
        return longest;
    }

    /** How many results of each status it read so far, by the status's name. */
    public Map<String, Long> statuses() {
        Map<String, Long> counts = new TreeMap<>();
        statuses.forEach((status, count) -> counts.put(status.name(), count.sum()));
        return counts;
    }

    /** Throws when the reader thread failed. */
    public void check() {
        Throwable error = failure.get();
        if (error != null) {
            throw new IllegalStateException("the result reader failed", error);
        }
    }

    private void follow(KafkaConnection kafka, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.readCommittedConsumer(kafka)) {
            KafkaClients.assignAll(consumer, topic, false);
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(50));
                long visible = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    TaskResult result = Codecs.TASK_RESULT.decode(record.value());
                    statuses.computeIfAbsent(result.getStatus(), status -> new LongAdder())
                            .increment();
                    long index = MixGenerator.indexOf(result.getTaskId());
                    for (LatencyBook book : books) {
                        if (book.covers(index)) {
                            book.completed(
                                    index,
                                    visible,
                                    agentMillis(result),
                                    result.getStrategy() == Strategy.DECOMPOSE,
                                    result.getCostUsd(),
                                    result.getCompletedAt());
                            break;
                        }
                    }
                }
            }
        } catch (Throwable e) {
            failure.set(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
