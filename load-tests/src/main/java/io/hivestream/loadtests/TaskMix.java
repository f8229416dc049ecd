package io.hivestream.loadtests;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What share of generated tasks has which shape. Shares are whole per-mille ({@link #BLOCK}), so
 * that every block of {@value #BLOCK} tasks holds exactly the asked-for counts.
 *
 * @param kinds share of each task kind; the shares add up to 1
 * @param sessionShare share of tasks that belong to a session
 * @param sessions how many sessions those tasks are spread over, round robin
 * @param consensusShare share of tasks that ask for {@code replicas} agents to vote
 * @param replicas replicas of a consensus task
 * @param planShare share of tasks with the {@code DECOMPOSE} strategy hint (plans); a task is a
 *     consensus task or a plan, never both
 * @param seed seeds the order of shapes within each block and the inputs
 */
public record TaskMix(
        Map<String, Double> kinds,
        double sessionShare,
        int sessions,
        double consensusShare,
        int replicas,
        double planShare,
        long seed) {

    /** Tasks per block; shares are counted in these. */
    public static final int BLOCK = 1000;

    public static final Map<String, Double> DEFAULT_KINDS = defaultKinds();

    public TaskMix {
        kinds = Map.copyOf(kinds);
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("a mix needs at least one kind");
        }
        long total = 0;
        for (Map.Entry<String, Double> kind : kinds.entrySet()) {
            total += perBlock("share of kind " + kind.getKey(), kind.getValue());
        }
        if (total != BLOCK) {
            throw new IllegalArgumentException(
                    "the kind shares add up to " + total / (double) BLOCK + ", not 1: " + kinds);
        }
        perBlock("sessionShare", sessionShare);
        if (perBlock("consensusShare", consensusShare) + perBlock("planShare", planShare) > BLOCK) {
            throw new IllegalArgumentException(
                    "consensusShare + planShare must be at most 1: "
                            + consensusShare
                            + " + "
                            + planShare);
        }
        if (sessionShare > 0 && sessions < 1) {
            throw new IllegalArgumentException(
                    "tasks in sessions need at least one session: " + sessions);
        }
        if (consensusShare > 0 && replicas < 2) {
            throw new IllegalArgumentException(
                    "consensus tasks need at least 2 replicas: " + replicas);
        }
    }

    /** Only direct tasks without sessions, spread evenly over the default kinds. */
    public static TaskMix plain(long seed) {
        return new TaskMix(DEFAULT_KINDS, 0, 0, 0, 1, 0, seed);
    }

    public TaskMix withSessions(double share, int count) {
        return new TaskMix(kinds, share, count, consensusShare, replicas, planShare, seed);
    }

    public TaskMix withConsensus(double share, int n) {
        return new TaskMix(kinds, sessionShare, sessions, share, n, planShare, seed);
    }

    public TaskMix withPlans(double share) {
        return new TaskMix(kinds, sessionShare, sessions, consensusShare, replicas, share, seed);
    }

    /** The most replicas any task of this mix asks for: the agents each kind needs. */
    public int agentsPerKind() {
        return consensusShare > 0 ? replicas : 1;
    }

    /** Tasks of a share in one block. */
    static int perBlock(String name, double share) {
        double count = share * BLOCK;
        long rounded = Math.round(count);
        if (!(share >= 0 && share <= 1) || Math.abs(count - rounded) > 1e-6) {
            throw new IllegalArgumentException(
                    name + " must be in [0, 1] in steps of 1/" + BLOCK + ": " + share);
        }
        return (int) rounded;
    }

    private static Map<String, Double> defaultKinds() {
        Map<String, Double> kinds = new LinkedHashMap<>();
        kinds.put("chat", 0.25);
        kinds.put("classify", 0.25);
        kinds.put("math", 0.25);
        kinds.put("summarize", 0.25);
        return kinds;
    }
}
