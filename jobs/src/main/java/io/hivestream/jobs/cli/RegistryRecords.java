package io.hivestream.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.kafka.KafkaConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Records of a compacted registry topic (agents, tenants): read from a file of JSON, published
 * keyed by their name.
 */
final class RegistryRecords {
    private RegistryRecords() {}

    /**
     * Reads records from a JSON array, or from JSON lines (blank lines skipped); refuses the first
     * bad one, naming its entry (from 0) or line (from 1).
     *
     * @param parse one record from one JSON object; throws saying what is wrong with it
     */
    static <T> List<T> read(Path file, Function<String, T> parse) throws Exception {
        String text = Files.readString(file).strip();
        List<T> records = new ArrayList<>();
        if (text.startsWith("[")) {
            JsonNode array = new ObjectMapper().readTree(text);
            int i = 0;
            for (JsonNode node : array) {
                records.add(parse(parse, node.toString(), "entry " + i++));
            }
        } else {
            int number = 0;
            for (String line : text.split("\n")) {
                number++;
                if (!line.isBlank()) {
                    records.add(parse(parse, line, "line " + number));
                }
            }
        }
        return records;
    }

    private static <T> T parse(Function<String, T> parse, String json, String where) {
        try {
            return parse.apply(json);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * Publishes {@code records} to {@code topic}, each keyed by {@code key}, and waits for each.
     */
    static <T> void publish(
            KafkaConnection kafka,
            String topic,
            List<T> records,
            Function<T, String> key,
            Function<T, byte[]> encode)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka)) {
            for (T record : records) {
                producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        key.apply(record).getBytes(StandardCharsets.UTF_8),
                                        encode.apply(record)))
                        .get();
            }
        }
    }
}
