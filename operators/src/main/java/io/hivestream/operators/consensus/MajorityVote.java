package io.hivestream.operators.consensus;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Exact-majority vote on normalised answers: case, surrounding white space, runs of white space and
 * a final full stop do not count as differences. The winner needs at least {@code quorum} agreeing
 * answers; with a quorum above half the replicas there can be at most one winner. Each agent votes
 * once, with its first ballot.
 */
public final class MajorityVote {
    private MajorityVote() {}

    /** One agent's answer; {@code output} is null when the agent failed. */
    public record Ballot(String agentId, String output) {}

    /**
     * The outcome.
     *
     * @param winner the winning answer as first given, or null without a quorum
     * @param agreeing the agents whose answer is the winner
     * @param support the number of ballots behind the largest answer
     */
    public record Outcome(String winner, List<String> agreeing, int support) {
        public boolean decided() {
            return winner != null;
        }

        /**
         * Whether an output (null for a failure) is the winning answer, compared as the vote
         * compares answers. Judges the answer, not the agent: one agent may answer several ballots.
         */
        public boolean isWinner(String output) {
            return winner != null
                    && output != null
                    && !output.isBlank()
                    && normalise(output).equals(normalise(winner));
        }
    }

    public static String normalise(String answer) {
        String text = answer.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
        return text.endsWith(".") ? text.substring(0, text.length() - 1).strip() : text;
    }

    public static Outcome decide(List<Ballot> ballots, int quorum) {
        if (quorum < 1) {
            throw new IllegalArgumentException("quorum must be at least 1: " + quorum);
        }
        Map<String, List<Ballot>> groups = new LinkedHashMap<>();
        Set<String> voted = new HashSet<>();
        for (Ballot ballot : ballots) {
            // One vote per agent: a fallback agent shared by several replicas must not make a
            // quorum on its own.
            if (!voted.add(ballot.agentId())) {
                continue;
            }
            if (ballot.output() != null && !ballot.output().isBlank()) {
                groups.computeIfAbsent(normalise(ballot.output()), k -> new ArrayList<>())
                        .add(ballot);
            }
        }
        List<Ballot> largest = List.of();
        for (List<Ballot> group : groups.values()) {
            if (group.size() > largest.size()) {
                largest = group;
            }
        }
        List<String> agreeing = largest.stream().map(Ballot::agentId).toList();
        if (largest.size() < quorum) {
            return new Outcome(null, List.of(), largest.size());
        }
        return new Outcome(largest.get(0).output(), agreeing, largest.size());
    }
}
