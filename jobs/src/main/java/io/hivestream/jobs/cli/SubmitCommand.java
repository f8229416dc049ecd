package io.hivestream.jobs.cli;

import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.kafka.KafkaConnection;
import io.hivestream.operators.decode.RawDecoder;
import io.hivestream.operators.decode.TaskValidator;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.codec.TaskKeys;
import io.hivestream.schemas.internal.RawRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Publishes JSON-lines tasks. */
@Command(
        name = "submit",
        mixinStandardHelpOptions = true,
        description = {
            "Publishes tasks, one JSON object per line, to the tasks topic.",
            "Each line is checked as the job would check it; a bad line is reported with its number and",
            "not sent (use --no-validate to send lines as they are and let the job dead-letter them).",
            "A task with a sessionId is keyed by it, so a session's turns stay in one partition in",
            "the order of the file; any other task by its taskId. Tasks go out asynchronously in",
            "batches; a task the broker did not take is reported with its line number."
        })
final class SubmitCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin KafkaOptions kafka;

    @Option(
            names = "--topic",
            defaultValue = "hivestream.tasks",
            description = "Tasks topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--no-validate", description = "Send every line as it is.")
    boolean noValidate;

    @Parameters(
            index = "0",
            arity = "0..1",
            defaultValue = "-",
            description = "JSON-lines file, or - for standard input (default).")
    String file;

    @Option(
            names = "--max-in-flight",
            defaultValue = "10000",
            description =
                    "Tasks sent and not yet acknowledged by the broker, at most (default:"
                            + " ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Override
    public Integer call() throws Exception {
        if (maxInFlight < 1) {
            System.err.println(
                    "--max-in-flight must be at least 1, got " + maxInFlight + "; use e.g. 10000.");
            return 2;
        }
        RawDecoder decoder = new RawDecoder(new TaskValidator());
        int rejected = 0;
        int offered = 0;
        // Sends complete on the producer's I/O thread; a permit per task bounds those in flight.
        Semaphore inFlight = new Semaphore(maxInFlight);
        AtomicInteger sent = new AtomicInteger();
        ConcurrentSkipListMap<Integer, String> failures = new ConcurrentSkipListMap<>();
        try (BufferedReader in =
                        file.equals("-")
                                ? new BufferedReader(
                                        new InputStreamReader(System.in, StandardCharsets.UTF_8))
                                : Files.newBufferedReader(Path.of(file));
                KafkaProducer<byte[], byte[]> producer = producer(kafka.connection())) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                byte[] value = line.getBytes(StandardCharsets.UTF_8);
                byte[] key;
                if (noValidate) {
                    key = TaskKey.ofJson(line);
                } else {
                    try {
                        Task task =
                                decoder.decodeTask(
                                        RawRecord.newBuilder()
                                                .setTopic(topic)
                                                .setPartition(-1)
                                                .setOffset(number)
                                                .setValue(ByteBuffer.wrap(value))
                                                .build());
                        // An id the job would derive from the offset is not the producer's.
                        key = TaskKeys.of(task, line.contains("\"taskId\""));
                    } catch (RuntimeException e) {
                        System.err.println("line " + number + ": " + e.getMessage());
                        rejected++;
                        continue;
                    }
                }
                inFlight.acquire();
                offered++;
                int lineNumber = number;
                try {
                    producer.send(
                            new ProducerRecord<>(topic, key, value),
                            (metadata, error) -> {
                                if (error == null) {
                                    sent.incrementAndGet();
                                } else {
                                    failures.put(lineNumber, failure(error));
                                }
                                inFlight.release();
                            });
                } catch (KafkaException e) {
                    // Failed before it was queued (no metadata in time, a closed producer).
                    failures.put(lineNumber, failure(e));
                    inFlight.release();
                }
            }
            producer.flush();
        }
        failures.forEach(
                (number, message) ->
                        System.err.println("line " + number + ": not sent: " + message));
        System.out.println(
                "sent "
                        + sent.get()
                        + " task(s) to "
                        + topic
                        + (rejected > 0 ? "; rejected " + rejected + " line(s)" : "")
                        + (failures.isEmpty()
                                ? ""
                                : "; "
                                        + failures.size()
                                        + " of "
                                        + offered
                                        + " not sent (lines above)"));
        return rejected > 0 || !failures.isEmpty() ? 1 : 0;
    }

    /** What went wrong with a send, and what to do about it. */
    private String failure(Exception error) {
        String message = error.getMessage();
        String what =
                error.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
        if (error instanceof RecordTooLargeException) {
            return what + "; shorten the task to under 1 MiB and submit this line again.";
        }
        return what
                + "; check that the broker at "
                + kafka.bootstrap
                + " is up and the topic "
                + topic
                + " exists, then submit this line again.";
    }

    /**
     * The shared producer's settings (idempotent, acknowledged by all in-sync replicas, so a
     * session's turns keep their order in their partition), with larger batches that wait a little
     * longer to fill.
     */
    private static KafkaProducer<byte[], byte[]> producer(KafkaConnection kafka) {
        return KafkaClients.producer(
                kafka,
                Map.of(
                        ProducerConfig.LINGER_MS_CONFIG, "20",
                        ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024),
                        ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"));
    }
}
