package io.hivestream.connectors.agents;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.schemas.Task;
import java.util.Map;
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
}
