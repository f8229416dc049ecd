package io.hivestream.loadtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hivestream.loadtests.ConsensusAccuracy.Cell;
import io.hivestream.loadtests.ConsensusAccuracy.Labelled;
import io.hivestream.loadtests.ConsensusAccuracy.Row;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsensusAccuracyTest {
    @Test
    void theoryIsTheBinomialTailFromTheStrictMajority() {
        assertThat(ConsensusAccuracy.quorum(1)).isEqualTo(1);
        assertThat(ConsensusAccuracy.quorum(3)).isEqualTo(2);
        assertThat(ConsensusAccuracy.quorum(4)).isEqualTo(3);
        assertThat(ConsensusAccuracy.quorum(5)).isEqualTo(3);

        assertThat(ConsensusAccuracy.correct(1, 0.7)).isCloseTo(0.7, within(1e-12));
        // 3 p^2 (1 - p) + p^3
        assertThat(ConsensusAccuracy.correct(3, 0.6)).isCloseTo(0.648, within(1e-12));
        assertThat(ConsensusAccuracy.correct(3, 0.7)).isCloseTo(0.784, within(1e-12));
        assertThat(ConsensusAccuracy.correct(3, 0.9)).isCloseTo(0.972, within(1e-12));
        // 10 p^3 (1 - p)^2 + 5 p^4 (1 - p) + p^5
        assertThat(ConsensusAccuracy.correct(5, 0.6)).isCloseTo(0.68256, within(1e-12));
        assertThat(ConsensusAccuracy.correct(5, 0.7)).isCloseTo(0.83692, within(1e-12));
        assertThat(ConsensusAccuracy.correct(5, 0.9)).isCloseTo(0.99144, within(1e-12));

        // All wrong agents give the same answer: odd n always decides one way or the other.
        assertThat(ConsensusAccuracy.sharedWrong(3, 0.7)).isCloseTo(0.216, within(1e-12));
        assertThat(ConsensusAccuracy.sharedWrong(5, 0.7)).isCloseTo(0.16308, within(1e-12));
        // Even n can tie: 4 replicas at p = 0.5 decide right 5 times in 16, wrong 5 in 16.
        assertThat(ConsensusAccuracy.correct(4, 0.5)).isCloseTo(0.3125, within(1e-12));
        assertThat(ConsensusAccuracy.sharedWrong(4, 0.5)).isCloseTo(0.3125, within(1e-12));

        assertThat(ConsensusAccuracy.atLeast(5, 0, 0.3)).isCloseTo(1.0, within(1e-12));
        assertThat(ConsensusAccuracy.atLeast(5, 6, 0.3)).isEqualTo(0.0);
    }

    private static TaskResult result(String id, TaskStatus status, String output, double cost) {
        return TaskResult.newBuilder()
                .setTaskId(id)
                .setStatus(status)
                .setOutput(output)
                .setCostUsd(cost)
                .build();
    }

    @Test
    void resultsAreCountedPerCellAgainstTheirLabels() {
        Cell single = new Cell(0.7, 1);
        Cell three = new Cell(0.7, 3);
        List<Labelled> tasks =
                List.of(
                        new Labelled("a1", single, "10"),
                        new Labelled("a2", single, "20"),
                        new Labelled("a3", single, "30"),
                        new Labelled("a4", single, "40"),
                        new Labelled("b1", three, "50"),
                        new Labelled("b2", three, "60"),
                        new Labelled("b3", three, "70"),
                        new Labelled("b4", three, "80"));
        List<TaskResult> results =
                List.of(
                        result("a1", TaskStatus.COMPLETED, "10", 0.001),
                        result("a2", TaskStatus.COMPLETED, "21", 0.001),
                        result("a3", TaskStatus.FAILED, null, 0.0),
                        result("a4", TaskStatus.COMPLETED, "40", 0.001),
                        result("b1", TaskStatus.COMPLETED, "50", 0.002),
                        // A second result of a task does not count: the first one does.
                        result("b1", TaskStatus.COMPLETED, "51", 0.002),
                        result("b2", TaskStatus.NO_CONSENSUS, null, 0.003),
                        result("b3", TaskStatus.COMPLETED, "71", 0.002));
        Map<String, Double> calls =
                Map.of(
                        "a1", 0.001, "a2", 0.001, "a3", 0.001, "a4", 0.001, "b1", 0.003, "b2",
                        0.003, "b3", 0.003);

        List<Row> rows = ConsensusAccuracy.aggregate(tasks, results, calls);

        assertThat(rows).hasSize(2);
        Row one = rows.get(0);
        assertThat(one.cell()).isEqualTo(single);
        assertThat(List.of(one.tasks(), one.correct(), one.wrong(), one.noConsensus()))
                .containsExactly(4L, 2L, 1L, 0L);
        assertThat(List.of(one.otherwise(), one.missing())).containsExactly(1L, 0L);
        assertThat(one.resultCost()).isCloseTo(0.00075, within(1e-15));
        assertThat(one.callCost()).isCloseTo(0.001, within(1e-15));
        Row vote = rows.get(1);
        assertThat(vote.cell()).isEqualTo(three);
        assertThat(List.of(vote.tasks(), vote.correct(), vote.wrong(), vote.noConsensus()))
                .containsExactly(4L, 1L, 1L, 1L);
        assertThat(List.of(vote.otherwise(), vote.missing())).containsExactly(0L, 1L);
        assertThat(vote.resultCost()).isCloseTo(0.007 / 3, within(1e-15));
        assertThat(vote.callCost()).isCloseTo(0.003, within(1e-15));
        assertThat(vote.margin95()).isCloseTo(1.96 * Math.sqrt(0.784 * 0.216 / 4), within(1e-12));

        assertThat(ConsensusAccuracy.table(rows).lines().toList())
                .containsExactly(
                        "| p | n | quorum | tasks | correct | theory P[≥ quorum right] |"
                                + " correct − theory | ±95% | wrong | theory wrong (shared wrong"
                                + " answer) | NO_CONSENSUS | other | cost ÷ n=1 (result) |"
                                + " cost ÷ n=1 (all calls) |",
                        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
                        "| 0.70 | 1 | 1 | 4 | 50.0% | 70.0% | -20.0 pp | 44.9 pp | 25.0% | 30.0% |"
                                + " 0.0% | 1 | 1.00 | 1.00 |",
                        "| 0.70 | 3 | 2 | 4 | 25.0% | 78.4% | -53.4 pp | 40.3 pp | 25.0% | 21.6% |"
                                + " 25.0% | 1 | 3.11 | 3.00 |");
        assertThat(ConsensusAccuracy.headlines(rows))
                .containsExactly(
                        "p=0.70 n=1: correct 50.0% (theory 70.0%, -20.0 pp, ±44.9 pp), wrong"
                                + " 25.0%, no consensus 0.0%, cost x1.00 (all calls x1.00)",
                        "p=0.70 n=3: correct 25.0% (theory 78.4%, -53.4 pp, ±40.3 pp), wrong"
                                + " 25.0%, no consensus 25.0%, cost x3.11 (all calls x3.00)");
    }
}
