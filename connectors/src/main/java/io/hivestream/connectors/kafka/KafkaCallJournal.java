package io.hivestream.connectors.kafka;

import io.hivestream.operators.execute.CallJournal;
import io.hivestream.schemas.codec.RecordCodec;
import io.hivestream.schemas.internal.JournaledCall;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The call journal on a Kafka topic, keyed by call id and compacted: an idempotent producer that
 * waits for all in-sync replicas writes each outcome outside the job's transactions, so that it
 * survives the transaction's abort; a restore reads the topic from a time on.
 */
public final class KafkaCallJournal implements CallJournal {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaCallJournal.class);
    private static final RecordCodec<JournaledCall> CODEC = RecordCodec.of(JournaledCall.class);

    /** How long an outcome may wait to be sent with others. */
    static final long LINGER_MS = 50;

    /** How long a restore may take to read the journal before it fails. */
    static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

    private final KafkaConnection kafka;
    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();

    private KafkaCallJournal(KafkaConnection kafka, String topic) {
        this.kafka = kafka;
        this.topic = topic;
        // Outcomes gather for up to LINGER_MS into few large requests: one request per call
        // slowed exactly-once jobs by a third on a busy broker. An outcome still waiting when the
        // process dies is not lost money but a call made again, and counted as such.
        this.producer =
                KafkaClients.producer(
                        kafka,
                        Map.of(
                                "linger.ms",
                                Long.toString(LINGER_MS),
                                "batch.size",
                                Integer.toString(256 * 1024)));
    }

    /** Opens a journal on {@code topic} for each execute instance. */
    public static Factory factory(KafkaConnection kafka, String topic) {
        return () -> new KafkaCallJournal(kafka, topic);
    }

    @Override
    public void record(JournaledCall call) {
        byte[] key = call.getCallId().getBytes(StandardCharsets.UTF_8);
        byte[] value = CODEC.encodeAvro(call);
        producer.send(
                new ProducerRecord<>(topic, key, value),
                (metadata, error) -> {
                    if (error == null) {
                        written.incrementAndGet();
                        bytes.addAndGet(key.length + value.length);
                    } else if (lost.getAndIncrement() == 0) {
                        // The call is made again if a restore needs it: the journal saves money,
                        // results never depend on it.
                        LOG.warn(
                                "could not journal a call's outcome to {}; a restore would make"
                                        + " such calls again: {}",
                                topic,
                                error.toString());
                    }
                });
    }

    @Override
    public Map<String, JournaledCall> since(long sinceMillis, Predicate<String> owns) {
        Map<String, JournaledCall> calls = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.readCommittedConsumer(kafka)) {
            List<TopicPartition> partitions =
                    KafkaClients.seekSince(consumer, List.of(topic), sinceMillis);
            for (ConsumerRecord<byte[], byte[]> record :
                    KafkaClients.readToEnd(
                            consumer,
                            partitions,
                            READ_TIMEOUT,
                            () ->
                                    "did not read the call journal "
                                            + topic
                                            + " within "
                                            + READ_TIMEOUT)) {
                if (record.value() == null) {
                    continue;
                }
                JournaledCall call = CODEC.decodeAvro(record.value());
                // The calls an instance sent: marks under each call's id, whoever owns it now.
                for (CharSequence sent : call.getSent()) {
                    String id = sent.toString() + "@";
                    calls.put(id, JournaledCall.newBuilder().setCallId(id).setKey(id).build());
                }
                // A fill for the semantic cache is not a call to replay.
                if (call.getFill() == null
                        && call.getSent().isEmpty()
                        && owns.test(call.getKey())) {
                    calls.put(call.getCallId(), call);
                }
            }
        }
        return calls;
    }

    @Override
    public long written() {
        return written.get();
    }

    @Override
    public long bytesWritten() {
        return bytes.get();
    }

    /** Outcomes that could not be written. */
    public long lost() {
        return lost.get();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
