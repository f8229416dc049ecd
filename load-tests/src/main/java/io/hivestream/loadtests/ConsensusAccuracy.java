package io.hivestream.loadtests;

import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The arithmetic of the consensus-accuracy benchmark: majority-vote theory and the aggregation of
 * results of labelled tasks into one row per (agent accuracy p, replicas n).
 *
 * <p>The theory assumes independent agents, each right with probability p, and a strict-majority
 * quorum q = floor(n / 2) + 1. The vote is right when at least q agents are right: P[X ≥ q] with X
 * ~ Binomial(n, p). Simulated agents that are wrong all give the same wrong answer (the right
 * answer plus one, or the next label), so wrong agents always agree with each other: the vote is
 * wrong when at least q agents are wrong, and with n odd one of the two always happens (no
 * NO_CONSENSUS). This is the worst case for wrong majorities; with wrong answers that never agree
 * the wrong share would be 0 and its mass would go to NO_CONSENSUS, while the right share stays P[X
 * ≥ q] in both models.
 */
public final class ConsensusAccuracy {
    private ConsensusAccuracy() {}

    /** One benchmark cell: agents of accuracy {@code p}, {@code n} replicas. */
    public record Cell(double p, int n) implements Comparable<Cell> {
        @Override
        public int compareTo(Cell other) {
            int byP = Double.compare(p, other.p);
            return byP != 0 ? byP : Integer.compare(n, other.n);
        }
    }

    /** A task of the labelled set: its cell and its right answer. */
    public record Labelled(String taskId, Cell cell, String answer) {}

    /** What one cell measured, next to its theory. */
    public record Row(
            Cell cell,
            long tasks,
            long correct,
            long wrong,
            long noConsensus,
            long otherwise,
            long missing,
            double resultCost,
            double callCost) {
        public double share(long count) {
            return tasks == 0 ? Double.NaN : (double) count / tasks;
        }

        public double theoryCorrect() {
            return ConsensusAccuracy.correct(cell.n(), cell.p());
        }

        public double theoryWrong() {
            return ConsensusAccuracy.sharedWrong(cell.n(), cell.p());
        }

        /** Half-width of the 95% normal interval of the correct share under the theory. */
        public double margin95() {
            double q = theoryCorrect();
            return tasks == 0 ? Double.NaN : 1.96 * Math.sqrt(q * (1 - q) / tasks);
        }
    }

    /** The smallest strict majority of {@code n}. */
    public static int quorum(int n) {
        return n / 2 + 1;
    }

    /** P[X ≥ k] for X ~ Binomial(n, p). */
    public static double atLeast(int n, int k, double p) {
        if (n < 0 || p < 0 || p > 1) {
            throw new IllegalArgumentException("need n >= 0 and p in [0, 1]: n=" + n + " p=" + p);
        }
        double sum = 0;
        for (int i = Math.max(0, k); i <= n; i++) {
            sum += binomial(n, i) * Math.pow(p, i) * Math.pow(1 - p, n - i);
        }
        return sum;
    }

    /** The share of votes with the right winner: at least a quorum of n agents right. */
    public static double correct(int n, double p) {
        return atLeast(n, quorum(n), p);
    }

    /** The share of votes with a wrong winner when every wrong agent gives the same answer. */
    public static double sharedWrong(int n, double p) {
        return atLeast(n, quorum(n), 1 - p);
    }

    private static double binomial(int n, int k) {
        double c = 1;
        for (int i = 1; i <= k; i++) {
            c = c * (n - k + i) / i;
        }
        return c;
    }

    /**
     * One row per cell, in order of p then n. {@code results} may hold several results of one task
     * (the first counts); tasks without a result are counted as missing. {@code callCosts} is the
     * cost of every agent call made for a task (late replicas included), by task id.
     */
    public static List<Row> aggregate(
            Collection<Labelled> tasks,
            Collection<TaskResult> results,
            Map<String, Double> callCosts) {
        Map<String, TaskResult> byId = new HashMap<>();
        for (TaskResult result : results) {
            byId.putIfAbsent(result.getTaskId(), result);
        }
        Map<Cell, long[]> counts = new TreeMap<>();
        Map<Cell, double[]> costs = new TreeMap<>();
        for (Labelled task : tasks) {
            long[] count = counts.computeIfAbsent(task.cell(), c -> new long[6]);
            double[] cost = costs.computeIfAbsent(task.cell(), c -> new double[2]);
            count[0]++;
            TaskResult result = byId.get(task.taskId());
            if (result == null) {
                count[5]++;
                continue;
            }
            if (result.getStatus() == TaskStatus.COMPLETED) {
                count[task.answer().equals(result.getOutput()) ? 1 : 2]++;
            } else if (result.getStatus() == TaskStatus.NO_CONSENSUS) {
                count[3]++;
            } else {
                count[4]++;
            }
            cost[0] += result.getCostUsd();
            cost[1] += callCosts.getOrDefault(task.taskId(), 0.0);
        }
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<Cell, long[]> entry : counts.entrySet()) {
            long[] c = entry.getValue();
            double[] cost = costs.get(entry.getKey());
            long answered = c[0] - c[5];
            rows.add(
                    new Row(
                            entry.getKey(),
                            c[0],
                            c[1],
                            c[2],
                            c[3],
                            c[4],
                            c[5],
                            answered == 0 ? Double.NaN : cost[0] / answered,
                            answered == 0 ? Double.NaN : cost[1] / answered));
        }
        return rows;
    }

    /** The row of the same p with n = 1, whose costs are the unit of the cost columns. */
    private static Row single(List<Row> rows, Cell cell) {
        for (Row row : rows) {
            if (row.cell().n() == 1 && row.cell().p() == cell.p()) {
                return row;
            }
        }
        return null;
    }

    /** The Markdown table of the rows. */
    public static String table(List<Row> rows) {
        StringBuilder md = new StringBuilder();
        md.append(
                "| p | n | quorum | tasks | correct | theory P[≥ quorum right] | correct − theory |"
                        + " ±95% | wrong | theory wrong (shared wrong answer) | NO_CONSENSUS |"
                        + " other | cost ÷ n=1 (result) | cost ÷ n=1 (all calls) |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            Row base = single(rows, row.cell());
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %.2f | %d | %d | %d | %s | %s | %+.1f pp | %.1f pp | %s | %s | %s |"
                                    + " %d | %s | %s |\n",
                            row.cell().p(),
                            row.cell().n(),
                            quorum(row.cell().n()),
                            row.tasks(),
                            percent(row.share(row.correct())),
                            percent(row.theoryCorrect()),
                            100 * (row.share(row.correct()) - row.theoryCorrect()),
                            100 * row.margin95(),
                            percent(row.share(row.wrong())),
                            percent(row.theoryWrong()),
                            percent(row.share(row.noConsensus())),
                            row.otherwise() + row.missing(),
                            ratio(row.resultCost(), base == null ? Double.NaN : base.resultCost()),
                            ratio(row.callCost(), base == null ? Double.NaN : base.callCost())));
        }
        return md.toString();
    }

    /** One printed line per row. */
    public static List<String> headlines(List<Row> rows) {
        List<String> lines = new ArrayList<>();
        for (Row row : rows) {
            Row base = single(rows, row.cell());
            lines.add(
                    String.format(
                            Locale.ROOT,
                            "p=%.2f n=%d: correct %s (theory %s, %+.1f pp, ±%.1f pp), wrong %s,"
                                    + " no consensus %s, cost x%s (all calls x%s)",
                            row.cell().p(),
                            row.cell().n(),
                            percent(row.share(row.correct())),
                            percent(row.theoryCorrect()),
                            100 * (row.share(row.correct()) - row.theoryCorrect()),
                            100 * row.margin95(),
                            percent(row.share(row.wrong())),
                            percent(row.share(row.noConsensus())),
                            ratio(row.resultCost(), base == null ? Double.NaN : base.resultCost()),
                            ratio(row.callCost(), base == null ? Double.NaN : base.callCost())));
        }
        return lines;
    }

    private static String percent(double share) {
        return Double.isNaN(share) ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    private static String ratio(double value, double unit) {
        return Double.isNaN(value) || Double.isNaN(unit) || unit == 0
                ? "–"
                : String.format(Locale.ROOT, "%.2f", value / unit);
    }
}
