package io.hivestream.operators.consensus;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * One way of deciding which of several replicas' answers wins. Implementations are plain,
 * deterministic and hold no state between calls; the consensus stage calls {@link #decide} each
 * time a reply arrives (with {@link Spec#pending} replies still to come) and once more when every
 * replica has answered or the deadline has passed (then {@code pending} is 0).
 *
 * <p>Every strategy counts one vote per agent (an agent that answered two replicas as a fallback
 * counts once) and never guesses: without a winner the outcome says why.
 */
public interface Vote extends Serializable {

    /**
     * Decides on the ballots received so far. A decided outcome must not change whatever the
     * pending replicas answer, so that the stage may close the window early.
     */
    Outcome decide(List<Ballot> ballots, Spec spec);

    /** Whether an answer that arrived after the decision agrees with the winner. */
    boolean agrees(String winner, String output, Spec spec);

    /**
     * One replica's reply.
     *
     * @param output the answer, or null when the replica failed
     * @param error why the replica failed, or null
     */
    record Ballot(int replica, String agentId, String output, String error) {
        public static Ballot answered(int replica, String agentId, String output) {
            return new Ballot(replica, agentId, output, null);
        }

        public static Ballot failed(int replica, String agentId, String error) {
            return new Ballot(replica, agentId, null, error);
        }

        public boolean hasAnswer() {
            return output != null && !output.isBlank();
        }
    }

    /**
     * What a vote is asked to decide.
     *
     * @param replicas the replicas the task asked for
     * @param quorum agreeing agents needed by the count-based strategies
     * @param pending replies still expected (0 for the final vote)
     * @param threshold cosine similarity from which the semantic vote counts two answers as the
     *     same, in (0, 1]
     * @param tolerance absolute difference within which the numeric vote counts two numbers as the
     *     same
     * @param weights weight of each agent for the weighted vote (agents not listed weigh {@link
     *     Reputation#DEFAULT_WEIGHT})
     */
    record Spec(
            int replicas,
            int quorum,
            int pending,
            double threshold,
            double tolerance,
            Map<String, Double> weights) {
        public static final double DEFAULT_THRESHOLD = 0.85;
        public static final double DEFAULT_TOLERANCE = 0.0;

        public Spec {
            if (replicas < 1) {
                throw new IllegalArgumentException("replicas must be at least 1: " + replicas);
            }
            if (quorum < 1 || quorum > replicas) {
                throw new IllegalArgumentException("quorum must be 1.." + replicas + ": " + quorum);
            }
            if (pending < 0 || pending > replicas) {
                throw new IllegalArgumentException(
                        "pending must be 0.." + replicas + ": " + pending);
            }
            if (!(threshold > 0 && threshold <= 1)) {
                throw new IllegalArgumentException("threshold must be in (0, 1]: " + threshold);
            }
            if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
                throw new IllegalArgumentException(
                        "tolerance must be a finite number of 0 or more: " + tolerance);
            }
            weights = weights == null ? Map.of() : Map.copyOf(weights);
        }

        /** A final vote with the default threshold and tolerance and no reputations. */
        public static Spec of(int replicas, int quorum) {
            return new Spec(replicas, quorum, 0, DEFAULT_THRESHOLD, DEFAULT_TOLERANCE, Map.of());
        }

        public Spec withPending(int pending) {
            return new Spec(replicas, quorum, pending, threshold, tolerance, weights);
        }

        public Spec withThreshold(double threshold) {
            return new Spec(replicas, quorum, pending, threshold, tolerance, weights);
        }

        public Spec withTolerance(double tolerance) {
            return new Spec(replicas, quorum, pending, threshold, tolerance, weights);
        }

        public Spec withWeights(Map<String, Double> weights) {
            return new Spec(replicas, quorum, pending, threshold, tolerance, weights);
        }

        /** The agent's weight, clamped to the range that keeps the 3f+1 guarantee. */
        public double weight(String agentId) {
            return Reputation.clampWeight(weights.getOrDefault(agentId, Reputation.DEFAULT_WEIGHT));
        }
    }

    /**
     * How a vote judged one ballot.
     *
     * @param agreed whether the answer agrees with the winner; null without a winner
     * @param reason why the answer dissents or did not count (failed, malformed, too far from the
     *     winner); null for agreeing answers and for valid answers of an undecided vote
     */
    record Verdict(Boolean agreed, String reason) {
        public static final Verdict AGREED = new Verdict(true, null);
        public static final Verdict UNDECIDED = new Verdict(null, null);
    }

    /**
     * The outcome.
     *
     * @param winner the winning answer, or null when no answer won
     * @param verdicts one per ballot, in ballot order
     * @param agreeing the agents whose answer agrees with the winner, each once, in ballot order
     * @param support how many agents agree with the winner (or, undecided, back the strongest
     *     answer)
     * @param why why no answer won; null when one did
     */
    record Outcome(
            String winner, List<Verdict> verdicts, List<String> agreeing, int support, String why) {
        public Outcome {
            verdicts = List.copyOf(verdicts);
            agreeing = List.copyOf(agreeing);
        }

        public boolean decided() {
            return winner != null;
        }
    }
}
