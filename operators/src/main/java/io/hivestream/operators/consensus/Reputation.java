package io.hivestream.operators.consensus;

/**
 * An agent's reputation and its weight in a weighted vote. The reputation is a moving average of
 * whether the agent agreed with the winners of its votes, in [0, 1]; the weight maps it linearly to
 * [{@link #MIN_WEIGHT}, {@link #MAX_WEIGHT}].
 *
 * <p>Why the weights stay within a factor of two: with 3f+1 replicas and f Byzantine agents, the
 * 2f+1 honest agents weigh at least (2f+1) / 2 = f + 1/2, more than the f Byzantine agents can
 * weigh at most, so a weight majority of all replicas can never be theirs, whatever reputations
 * they have earned.
 */
public final class Reputation {
    public static final double MIN_WEIGHT = 0.5;
    public static final double MAX_WEIGHT = 1.0;

    /** The reputation of an agent never seen in a vote. */
    public static final double PRIOR = 0.5;

    /** How much one vote moves the average. */
    public static final double LEARNING_RATE = 0.1;

    public static final double DEFAULT_WEIGHT = weight(PRIOR);

    private Reputation() {}

    /** The reputation after one more vote. */
    public static double update(double reputation, boolean agreed) {
        return reputation + LEARNING_RATE * ((agreed ? 1.0 : 0.0) - reputation);
    }

    public static double weight(double reputation) {
        double clamped = Math.max(0.0, Math.min(1.0, reputation));
        return MIN_WEIGHT + (MAX_WEIGHT - MIN_WEIGHT) * clamped;
    }

    static double clampWeight(double weight) {
        if (Double.isNaN(weight)) {
            return DEFAULT_WEIGHT;
        }
        return Math.max(MIN_WEIGHT, Math.min(MAX_WEIGHT, weight));
    }
}
