package io.hivestream.connectors.agents.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hivestream.connectors.agents.onnx.TextSkills.Label;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Zero-shot accuracy on the customer-support messages of {@code onnx/classify.jsonl}: lines with a
 * {@code description} define a label, lines with a {@code text} are a message and its true label.
 */
class ClassifierAccuracyTest {
    /** Measured 73 of 80 (0.9125); chance with four labels is 0.25. */
    private static final double MIN_ACCURACY = 0.9;

    private record Example(String text, String label) {}

    @Test
    void classifiesSupportMessagesWellAboveChance() throws IOException {
        List<Label> labels = new ArrayList<>();
        List<Example> examples = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (BufferedReader in =
                new BufferedReader(
                        new InputStreamReader(
                                getClass().getResourceAsStream("/onnx/classify.jsonl"),
                                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                JsonNode record = json.readTree(line);
                if (record.has("description")) {
                    labels.add(
                            new Label(
                                    record.get("label").asText(),
                                    record.get("description").asText()));
                } else {
                    examples.add(
                            new Example(record.get("text").asText(), record.get("label").asText()));
                }
            }
        }
        TextSkills skills = new TextSkills(MiniLmEmbedder.shared());

        int right = 0;
        for (Example example : examples) {
            String answer = skills.classify(example.text(), labels).output();
            if (answer.equals(example.label())) {
                right++;
            } else {
                System.out.println(
                        "misclassified as "
                                + answer
                                + " ("
                                + example.label()
                                + "): "
                                + example.text());
            }
        }
        double accuracy = (double) right / examples.size();
        System.out.printf(
                Locale.ROOT,
                "onnx classify accuracy: %d of %d = %.4f%n",
                right,
                examples.size(),
                accuracy);

        assertThat(labels)
                .extracting(Label::name)
                .containsExactly("billing", "shipping", "technical", "account");
        assertThat(examples).hasSize(80);
        assertThat(accuracy).isGreaterThanOrEqualTo(MIN_ACCURACY);
    }
}
