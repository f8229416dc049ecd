package io.hivestream.loadtests;

import io.hivestream.connectors.kafka.KafkaConnection;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.codec.Codecs;
import io.hivestream.schemas.codec.TaskKeys;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes generated tasks to a topic, Avro-encoded and keyed as {@link TaskKeys} says (by
 * session, else by task id), at a fixed rate or as fast as the producer takes them. Each task's
 * {@code createdAt} is the wall-clock time it was handed to the producer, and the same time goes
 * into the phase's {@link LatencyBook}.
 */
public final class LoadGenerator implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    public LoadGenerator(KafkaConnection kafka, String topic) {
        Properties props = kafka.properties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        this.producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    /**
     * Publishes {@code count} tasks from {@code tasks} and waits until the broker has acknowledged
     * all of them.
     *
     * @param perSecond the rate; 0 or less for as fast as possible
     * @return the seconds publishing took
     */
    public double publish(MixGenerator tasks, long count, double perSecond, LatencyBook book) {
        long start = System.nanoTime();
        double nanosPerTask = perSecond > 0 ? 1e9 / perSecond : 0;
        for (long i = 0; i < count; i++) {
            if (nanosPerTask > 0) {
                long due = start + (long) (i * nanosPerTask);
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            long index = tasks.nextIndex();
            long now = System.currentTimeMillis();
            Task task = tasks.next(now);
            book.published(index, now);
            producer.send(
                    new ProducerRecord<>(topic, TaskKeys.of(task), Codecs.TASK.encodeAvro(task)),
                    (metadata, error) -> {
                        if (error != null) {
                            failure.compareAndSet(null, error);
                        }
                    });
            if (failure.get() != null) {
                break;
            }
        }
        producer.flush();
        Exception error = failure.get();
        if (error != null) {
            throw new IllegalStateException("publishing to " + topic + " failed", error);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    @Override
    public void close() {
        producer.close();
    }
}
