package io.hivestream.connectors.analyse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.hivestream.connectors.analyse.ComplexityTrainer.Evaluation;
import io.hivestream.connectors.analyse.ComplexityTrainer.Model;
import io.hivestream.connectors.analyse.ComplexityTrainer.Split;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComplexityTrainerTest {
    static List<LabelledPrompt> prompts() {
        List<LabelledPrompt> prompts = new ArrayList<>();
        String[] easy = {
            "What is 2 + 2?",
            "Translate 'hello' into French.",
            "Is this review positive? Great phone.",
            "Hi there!",
            "What is the capital of Peru?",
            "Label this ticket: my parcel is late."
        };
        String[] hard = {
            "Prove that there are infinitely many primes and explain why the argument works.",
            "Design and implement a thread-safe LRU cache in Java with unit tests, then explain"
                    + " the complexity of each operation and the trade-offs of the design.",
            "Compare event sourcing and a CRUD database for an audit-heavy payments platform,"
                    + " weigh the operational risks and justify a recommendation.",
            "Plan a six-month migration of a monolith to services: milestones, risks,"
                    + " dependencies and staffing, then a rollback strategy for every step.",
            "Explain why the borrow checker rejects this code, then rewrite it idiomatically and"
                    + " argue why the rewrite is sound.",
            "Summarize these three papers, contrast their methods, and critique the evidence."
        };
        for (String input : easy) {
            prompts.add(new LabelledPrompt(input, "chat", List.of(), false, "hand"));
        }
        for (String input : hard) {
            prompts.add(new LabelledPrompt(input, "chat", List.of(), true, "hand"));
        }
        return prompts;
    }

    @Test
    void rocAucRanksPositivesAboveNegativesWithTiesCountingHalf() {
        boolean[] labels = {false, true, false, true};

        assertThat(ComplexityTrainer.rocAuc(new double[] {0.1, 0.9, 0.2, 0.8}, labels))
                .isEqualTo(1.0);
        assertThat(ComplexityTrainer.rocAuc(new double[] {0.9, 0.1, 0.8, 0.2}, labels))
                .isEqualTo(0.0);
        // Pairs (positive, negative): (0.5,0.5) tie, (0.5,0.2) win, (0.7,0.5) win, (0.7,0.2)
        // win: 3.5 of 4.
        assertThat(ComplexityTrainer.rocAuc(new double[] {0.5, 0.5, 0.2, 0.7}, labels))
                .isEqualTo(0.875);
        assertThat(ComplexityTrainer.rocAuc(new double[] {0.5, 0.5}, new boolean[] {true, true}))
                .isNaN();
    }

    @Test
    void evaluationCountsTheConfusionMatrixAtTheThreshold() {
        Evaluation e =
                ComplexityTrainer.evaluate(
                        new double[] {0.1, 0.6, 0.5, 0.4},
                        new boolean[] {false, false, true, true},
                        0.5);

        assertThat(e.truePositives()).isEqualTo(1);
        assertThat(e.falsePositives()).isEqualTo(1);
        assertThat(e.trueNegatives()).isEqualTo(1);
        assertThat(e.falseNegatives()).isEqualTo(1);
        assertThat(e.accuracy()).isEqualTo(0.5);
        // Both positives beat the negative at 0.1 and lose to the one at 0.6.
        assertThat(e.rocAuc()).isEqualTo(0.5);
    }

    @Test
    void theSplitKeepsEachLabelsShareAndDependsOnlyOnTheSeed() {
        List<LabelledPrompt> prompts = prompts();

        Split a = ComplexityTrainer.split(prompts, 0.34, 7);
        Split b = ComplexityTrainer.split(prompts, 0.34, 7);
        Split c = ComplexityTrainer.split(prompts, 0.34, 8);

        assertThat(a.heldOut()).hasSize(4);
        assertThat(a.heldOut().stream().filter(LabelledPrompt::cloud)).hasSize(2);
        assertThat(a.train()).hasSize(8);
        assertThat(a).isEqualTo(b);
        assertThat(c.heldOut()).isNotEqualTo(a.heldOut());
    }

    @Test
    void trainingSeparatesASeparableSetAndIsDeterministic() {
        Model model = new ComplexityTrainer().train(prompts());
        Model again = new ComplexityTrainer().train(prompts());

        assertThat(model.weights()).containsExactly(again.weights());
        assertThat(model.bias()).isEqualTo(again.bias());
        Evaluation e = ComplexityTrainer.evaluate(model, prompts(), 0.5);
        assertThat(e.accuracy()).isEqualTo(1.0);
        assertThat(e.rocAuc()).isEqualTo(1.0);
    }

    @Test
    void readsLabelledLinesAndNamesTheBadOne(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.jsonl");
        Files.writeString(
                good,
                "{\"input\":\"Hi\",\"kind\":\"chat\",\"capabilities\":[\"chat\",\"x\"],"
                        + "\"label\":\"EDGE\",\"source\":\"template:greeting\"}\n\n"
                        + "{\"input\":\"Prove it\",\"label\":\"CLOUD\"}\n");
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(
                bad,
                "{\"input\":\"Hi\",\"label\":\"EDGE\"}\n{\"input\":\"Hi\",\"label\":\"MEDIUM\"}\n");

        assertThat(LabelledPrompt.read(good))
                .containsExactly(
                        new LabelledPrompt(
                                "Hi", "chat", List.of("chat", "x"), false, "template:greeting"),
                        new LabelledPrompt("Prove it", "chat", List.of(), true, "hand"));
        assertThatThrownBy(() -> LabelledPrompt.read(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(bad + " line 2: field 'label': expected EDGE or CLOUD, got \"MEDIUM\"");
    }

    @Test
    void scoresAreTheSigmoidOfTheWeightedFeatures() {
        float[] weights = new float[io.hivestream.operators.analyse.TaskFeatures.SIZE];
        weights[0] = 2f;
        Model model = new Model(weights, -1f);
        float[] x = new float[weights.length];
        x[0] = 0.5f;

        assertThat(model.score(x)).isCloseTo(0.5, within(1e-12));
    }
}
