package io.hivestream.connectors.analyse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hivestream.operators.analyse.TaskFeatures;
import io.hivestream.schemas.Task;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One labelled example of the router's training data: a prompt, its kind and capabilities, and
 * whether a small model answers it well ({@code EDGE}) or it needs a large one ({@code CLOUD}).
 *
 * @param source {@code hand} or {@code template:NAME}
 */
public record LabelledPrompt(
        String input, String kind, List<String> capabilities, boolean cloud, String source) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS =
            Set.of("input", "kind", "capabilities", "label", "source");

    public float[] features() {
        return TaskFeatures.of(input, kind, capabilities);
    }

    /**
     * Reads JSON lines {@code {"input", "kind", "capabilities", "label": "EDGE"|"CLOUD",
     * "source"}}; blank lines are skipped.
     *
     * @throws IllegalArgumentException naming the file and line of the first bad line
     */
    public static List<LabelledPrompt> read(Path file) throws IOException {
        List<LabelledPrompt> prompts = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    prompts.add(parse(line));
                } catch (IOException | RuntimeException e) {
                    throw new IllegalArgumentException(
                            file + " line " + number + ": " + e.getMessage(), e);
                }
            }
        }
        return prompts;
    }

    /** The task this prompt stands for, as the job would receive it. */
    public Task toTask(String taskId) {
        return Task.newBuilder()
                .setTaskId(taskId)
                .setKind(kind)
                .setInput(input)
                .setCapabilities(capabilities)
                .build();
    }

    /**
     * One line of {@link #read}.
     *
     * @throws IllegalArgumentException or IOException saying what is wrong with the line
     */
    public static LabelledPrompt parse(String line) throws IOException {
        JsonNode node = JSON.readTree(line);
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        node.fieldNames()
                .forEachRemaining(
                        name -> {
                            if (!FIELDS.contains(name)) {
                                throw new IllegalArgumentException("unknown field '" + name + "'");
                            }
                        });
        String input = text(node, "input");
        String kind = node.hasNonNull("kind") ? node.get("kind").asText() : "chat";
        List<String> capabilities = new ArrayList<>();
        if (node.has("capabilities")) {
            for (JsonNode capability : node.get("capabilities")) {
                capabilities.add(capability.asText());
            }
        }
        String label = text(node, "label");
        if (!label.equals("EDGE") && !label.equals("CLOUD")) {
            throw new IllegalArgumentException(
                    "field 'label': expected EDGE or CLOUD, got \"" + label + "\"");
        }
        String source = node.hasNonNull("source") ? node.get("source").asText() : "hand";
        return new LabelledPrompt(
                input, kind, List.copyOf(capabilities), label.equals("CLOUD"), source);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new IllegalArgumentException("field '" + field + "' is missing or blank");
        }
        return value.asText();
    }
}
