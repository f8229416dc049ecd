package io.hivestream.connectors.agents;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.schemas.Task;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TaskSolverTest {
    private static Task classify(String input, Map<String, String> metadata) {
        return task("t", "classify", input).setMetadata(metadata).build();
    }

    private static final Map<String, String> SUPPORT_LABELS =
            Map.of(
                    "labels", "billing, shipping,technical",
                    "label.billing", "charged refund invoice payment",
                    "label.shipping", "parcel delivery late courier",
                    "label.technical", "crash error login app");

    @Test
    void classifyPicksTheLabelSharingTheMostWordsWithItsDescription() {
        assertThat(
                        TaskSolver.solve(
                                classify("I was charged twice, please refund me", SUPPORT_LABELS)))
                .isEqualTo("billing");
        assertThat(TaskSolver.solve(classify("My parcel is late again", SUPPORT_LABELS)))
                .isEqualTo("shipping");
        assertThat(TaskSolver.solve(classify("The APP shows an Error at login", SUPPORT_LABELS)))
                .isEqualTo("technical");
    }

    @Test
    void classifyMatchesLabelNamesWithoutDescriptions() {
        Map<String, String> labels = Map.of("labels", "positive,negative");

        assertThat(TaskSolver.solve(classify("Overall a negative experience", labels)))
                .isEqualTo("negative");
    }

    @Test
    void classifyTakesTheFirstLabelWhenNoneMatches() {
        assertThat(TaskSolver.solve(classify("Hello", SUPPORT_LABELS))).isEqualTo("billing");
    }

    @Test
    void classifyWithoutLabelsFails() {
        assertThatThrownBy(() -> TaskSolver.solve(classify("Hello", Map.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("classify needs metadata.labels, e.g. \"billing,shipping\"");
        assertThatThrownBy(() -> TaskSolver.solve(classify("Hello", Map.of("labels", " "))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("classify needs metadata.labels, e.g. \"billing,shipping\"");
    }

    @Test
    void mathEvaluatesTheExpressionInASentence() {
        assertThat(TaskSolver.solve(task("t", "math", "What is 12 * (3 + 4)?").build()))
                .isEqualTo("84");
        assertThat(TaskSolver.solve(task("t", "math", "Compute 2^10 - 24").build()))
                .isEqualTo("1000");
        assertThat(TaskSolver.solve(task("t", "math", "Please work out 1.5 + 2.25.").build()))
                .isEqualTo("3.75");
    }

    @Test
    void mathTakesTheLongestExpression() {
        assertThat(TaskSolver.solve(task("t", "math", "In 2024, what is 100 / 8?").build()))
                .isEqualTo("12.5");
    }

    @Test
    void mathWithoutArithmeticFails() {
        assertThatThrownBy(() -> TaskSolver.solve(task("t", "math", "What is love?").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no arithmetic expression in the input");
    }

    @Test
    void summarizeReturnsTheFirstSentence() {
        assertThat(
                        TaskSolver.solve(
                                task(
                                                "t",
                                                "summarize",
                                                "  Flink 2.2 ran 3.5 times faster. It also"
                                                        + " used less memory!")
                                        .build()))
                .isEqualTo("Flink 2.2 ran 3.5 times faster.");
        assertThat(TaskSolver.solve(task("t", "summarize", "Is it done? Yes.").build()))
                .isEqualTo("Is it done?");
        assertThat(TaskSolver.solve(task("t", "summarize", "No full stop at all").build()))
                .isEqualTo("No full stop at all");
    }

    @Test
    void summarizeCutsASentenceAt200Characters() {
        String sentence = "a".repeat(250) + ".";

        assertThat(TaskSolver.solve(task("t", "summarize", sentence).build()))
                .isEqualTo("a".repeat(199) + "…");
    }

    @Test
    void otherKindsGetARecognisableReply() {
        assertThat(TaskSolver.solve(task("t", "chat", "  Hello there  ").build()))
                .isEqualTo("simulated chat reply to: Hello there");
        assertThat(TaskSolver.solve(task("t", "code", "x".repeat(100)).build()))
                .isEqualTo("simulated code reply to: " + "x".repeat(79) + "…");
    }

    @Test
    void theWrongClassificationIsTheNextLabel() {
        Task task = classify("refund", SUPPORT_LABELS);

        assertThat(TaskSolver.wrong(task, "billing")).isEqualTo("shipping");
        assertThat(TaskSolver.wrong(task, "technical")).isEqualTo("billing");
        assertThat(TaskSolver.wrong(classify("x", Map.of("labels", "only")), "only"))
                .isEqualTo("none");
    }

    @Test
    void theWrongSumIsOneMore() {
        Task task = task("t", "math", "What is 12 * (3 + 4)?").build();

        assertThat(TaskSolver.wrong(task, "84")).isEqualTo("85");
        assertThat(TaskSolver.wrong(task, "-0.5")).isEqualTo("0.5");
        assertThat(TaskSolver.wrong(task, "not a number")).isEqualTo("0");
    }

    @Test
    void theWrongAnswerOfOtherKindsIsNegated() {
        assertThat(TaskSolver.wrong(task("t", "summarize", "A. B.").build(), "A."))
                .isEqualTo("not A.");
    }

    @Test
    void wordsAreTheRunsOfLettersAndNumbersAsTheRegularExpressionFindsThem() {
        Pattern word = Pattern.compile("[\\p{L}\\p{N}]+");
        // Letters of several scripts, digits, numbers that are not digits (superscript two, a
        // roman numeral, a half), a combining mark, an emoji beyond the BMP, a capital that
        // lower-cases to a letter and a combining mark, punctuation and spaces.
        String pool = "aZq09 .,-_'éßΩж中ك٣²Ⅻ½\u0301😀İ\t!";
        Random random = new Random(17);
        assertThat(TaskSolver.words("I was charged TWICE, twice: for order #42."))
                .containsExactlyInAnyOrder("i", "was", "charged", "twice", "for", "order", "42");
        for (int n = 0; n < 20_000; n++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(40);
            for (int i = 0; i < length; i++) {
                int at = random.nextInt(pool.codePointCount(0, pool.length()));
                text.appendCodePoint(pool.codePointAt(pool.offsetByCodePoints(0, at)));
            }
            Set<String> expected = new HashSet<>();
            Matcher matcher = word.matcher(text.toString().toLowerCase(Locale.ROOT));
            while (matcher.find()) {
                expected.add(matcher.group());
            }
            assertThat(TaskSolver.words(text.toString())).as(text.toString()).isEqualTo(expected);
        }
    }
}
