package io.hivestream.jobs.cli;

import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.operators.decode.RawDecoder;
import io.hivestream.operators.decode.TaskValidator;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.RawRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
            "not sent (use --no-validate to send lines as they are and let the job dead-letter them)."
        })
final class SubmitCommand implements Callable<Integer> {
    @Option(
            names = "--bootstrap",
            required = true,
            description = "Kafka bootstrap servers, HOST:PORT.")
    String bootstrap;

    @picocli.CommandLine.Mixin KafkaConfigOption kafkaConfig;

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

    @Override
    public Integer call() throws Exception {
        RawDecoder decoder = new RawDecoder(new TaskValidator());
        int sent = 0;
        int rejected = 0;
        try (BufferedReader in =
                        file.equals("-")
                                ? new BufferedReader(
                                        new InputStreamReader(System.in, StandardCharsets.UTF_8))
                                : Files.newBufferedReader(Path.of(file));
                KafkaProducer<byte[], byte[]> producer =
                        KafkaClients.producer(kafkaConfig.connection(bootstrap))) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                byte[] value = line.getBytes(StandardCharsets.UTF_8);
                String key = null;
                if (!noValidate) {
                    try {
                        Task task =
                                decoder.decodeTask(
                                        RawRecord.newBuilder()
                                                .setTopic(topic)
                                                .setPartition(-1)
                                                .setOffset(number)
                                                .setValue(ByteBuffer.wrap(value))
                                                .build());
                        // An id the job would derive from the offset is not the producer's: leave
                        // it to the job.
                        key = line.contains("\"taskId\"") ? task.getTaskId() : null;
                    } catch (RuntimeException e) {
                        System.err.println("line " + number + ": " + e.getMessage());
                        rejected++;
                        continue;
                    }
                }
                producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                                        value))
                        .get();
                sent++;
            }
        }
        System.out.println(
                "sent "
                        + sent
                        + " task(s) to "
                        + topic
                        + (rejected > 0 ? "; rejected " + rejected + " line(s)" : ""));
        return rejected > 0 ? 1 : 0;
    }
}
