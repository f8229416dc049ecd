package io.hivestream.operators.consensus;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Numeric answers: the winner is the median of the numbers given (the lower median for an even
 * count, so it is always a number some agent gave), and the answers within the tolerance of it
 * agree; it wins when a quorum of agents agree. An answer that is not a number does not count.
 *
 * <p>The median keeps faulty agents at bay: a decided median has a quorum of answers within the
 * tolerance, and as fewer than a quorum are faulty, at least one of those is honest, so the winner
 * is within the tolerance of an honest answer.
 */
public final class NumericVote implements Vote {
    private static final long serialVersionUID = 1L;

    private static final Pattern NUMBER =
            Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    @Override
    public Outcome decide(List<Ballot> ballots, Spec spec) {
        boolean[] votes = Votes.firstPerAgent(ballots);
        Double[] numbers = new Double[ballots.size()];
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < ballots.size(); i++) {
            Ballot ballot = ballots.get(i);
            if (ballot.hasAnswer()) {
                numbers[i] = parse(ballot.output());
                if (votes[i] && numbers[i] != null) {
                    values.add(numbers[i]);
                }
            }
        }
        Double median = null;
        Set<String> agreeing = new LinkedHashSet<>();
        if (!values.isEmpty()) {
            List<Double> sorted = new ArrayList<>(values);
            sorted.sort(Double::compare);
            median = sorted.get((sorted.size() - 1) / 2);
            for (int i = 0; i < ballots.size(); i++) {
                if (votes[i] && numbers[i] != null && within(numbers[i], median, spec)) {
                    agreeing.add(ballots.get(i).agentId());
                }
            }
        }
        boolean decided = agreeing.size() >= spec.quorum();
        List<Verdict> verdicts = new ArrayList<>(ballots.size());
        for (int i = 0; i < ballots.size(); i++) {
            Ballot ballot = ballots.get(i);
            Verdict unusable = Votes.unusable(ballot, decided);
            if (unusable != null) {
                verdicts.add(unusable);
            } else if (numbers[i] == null) {
                verdicts.add(
                        new Verdict(
                                decided ? false : null,
                                Votes.quote(ballot.output()) + " is not a number"));
            } else if (!decided) {
                verdicts.add(Verdict.UNDECIDED);
            } else if (within(numbers[i], median, spec)) {
                verdicts.add(Verdict.AGREED);
            } else {
                verdicts.add(
                        new Verdict(
                                false,
                                format(numbers[i])
                                        + " is "
                                        + format(Math.abs(numbers[i] - median))
                                        + " from the median "
                                        + format(median)
                                        + " (tolerance "
                                        + format(spec.tolerance())
                                        + ")"));
            }
        }
        return new Outcome(
                decided ? format(median) : null,
                verdicts,
                decided ? List.copyOf(agreeing) : List.of(),
                agreeing.size(),
                decided ? null : Votes.noQuorum(spec.quorum(), agreeing.size(), spec.replicas()));
    }

    @Override
    public boolean agrees(String winner, String output, Spec spec) {
        Double a = parse(winner);
        Double b = output == null ? null : parse(output);
        return a != null && b != null && within(a, b, spec);
    }

    /** The number an answer gives (a final full stop allowed), or null when it is not one. */
    public static Double parse(String answer) {
        String text = answer.strip();
        if (text.endsWith(".") && text.length() > 1) {
            text = text.substring(0, text.length() - 1);
        }
        if (!NUMBER.matcher(text).matches()) {
            return null;
        }
        double value = Double.parseDouble(text);
        return Double.isFinite(value) ? value : null;
    }

    /** A number as the winner writes it: no exponent, no trailing zeros. */
    public static String format(double value) {
        if (value == 0) {
            return "0";
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static boolean within(double value, double median, Spec spec) {
        // Room for the rounding of decimal fractions, so that 0.1 + 0.2 is within 0 of 0.3.
        double slack = 1e-9 * Math.max(1.0, Math.max(Math.abs(value), Math.abs(median)));
        return Math.abs(value - median) <= spec.tolerance() + slack;
    }
}
