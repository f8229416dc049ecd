package io.hivestream.operators.consensus;

import io.hivestream.operators.consensus.Vote.Ballot;
import io.hivestream.operators.consensus.Vote.Verdict;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The vote strategies a task may ask for with its metadata {@code vote}, and what they share: one
 * vote per agent, the reasons given for failed answers, the wording of a missing quorum.
 */
public final class Votes {
    /** Task metadata naming the strategy: exact, weighted, semantic, numeric or json. */
    public static final String VOTE = "vote";

    /** Task metadata: the semantic vote's similarity threshold, in (0, 1]. */
    public static final String THRESHOLD = "vote.threshold";

    /** Task metadata: the numeric vote's absolute tolerance, 0 or more. */
    public static final String TOLERANCE = "vote.tolerance";

    /** The strategies by name. */
    public enum Kind {
        EXACT,
        WEIGHTED,
        SEMANTIC,
        NUMERIC,
        JSON;

        /** The name as tasks write it. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The strategy a task's metadata asks for; exact when it names none. */
        public static Kind of(Map<String, String> metadata) {
            String name = metadata.get(VOTE);
            if (name == null || name.isBlank()) {
                return EXACT;
            }
            try {
                return valueOf(name.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "vote '"
                                + name
                                + "' is not one of exact, weighted, semantic, numeric, json");
            }
        }
    }

    private Votes() {}

    /** The strategy of the given kind; the semantic vote embeds with {@code embedder}. */
    public static Vote of(Kind kind, TextEmbedder embedder) {
        return switch (kind) {
            case EXACT -> new ExactVote();
            case WEIGHTED -> new WeightedVote();
            case SEMANTIC -> new SemanticVote(embedder);
            case NUMERIC -> new NumericVote();
            case JSON -> new JsonFieldVote();
        };
    }

    /**
     * The problems with a task's vote settings, for the validator: an unknown strategy, a threshold
     * outside (0, 1], a negative or unreadable tolerance.
     */
    public static List<String> problems(Map<String, String> metadata) {
        List<String> problems = new java.util.ArrayList<>();
        try {
            Kind.of(metadata);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        String threshold = metadata.get(THRESHOLD);
        if (threshold != null) {
            Double value = number(threshold);
            if (value == null || !(value > 0 && value <= 1)) {
                problems.add(THRESHOLD + " is '" + threshold + "'; must be a number in (0, 1]");
            }
        }
        String tolerance = metadata.get(TOLERANCE);
        if (tolerance != null) {
            Double value = number(tolerance);
            if (value == null || !(value >= 0) || value.isInfinite()) {
                problems.add(TOLERANCE + " is '" + tolerance + "'; must be a number of 0 or more");
            }
        }
        return problems;
    }

    /** The threshold a task's metadata sets, or the default. */
    public static double threshold(Map<String, String> metadata) {
        Double value = number(metadata.get(THRESHOLD));
        return value != null && value > 0 && value <= 1 ? value : Vote.Spec.DEFAULT_THRESHOLD;
    }

    /** The tolerance a task's metadata sets, or the default. */
    public static double tolerance(Map<String, String> metadata) {
        Double value = number(metadata.get(TOLERANCE));
        return value != null && value >= 0 && !value.isInfinite()
                ? value
                : Vote.Spec.DEFAULT_TOLERANCE;
    }

    private static Double number(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Which ballots vote: the first of each agent. */
    static boolean[] firstPerAgent(List<Ballot> ballots) {
        boolean[] votes = new boolean[ballots.size()];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < ballots.size(); i++) {
            votes[i] = seen.add(ballots.get(i).agentId());
        }
        return votes;
    }

    /** Agents that replied at all, failures included, each once. */
    static Set<String> agents(List<Ballot> ballots) {
        Set<String> agents = new java.util.LinkedHashSet<>();
        for (Ballot ballot : ballots) {
            agents.add(ballot.agentId());
        }
        return agents;
    }

    /**
     * The verdict of a ballot that cannot count: a failure or an empty answer; null for a ballot
     * with an answer.
     */
    static Verdict unusable(Ballot ballot, boolean decided) {
        Boolean agreed = decided ? Boolean.FALSE : null;
        if (ballot.output() == null) {
            return new Verdict(agreed, "failed: " + ballot.error());
        }
        if (ballot.output().isBlank()) {
            return new Verdict(agreed, "empty answer");
        }
        return null;
    }

    static String noQuorum(int quorum, int support, int replicas) {
        return "no answer reached the quorum of "
                + quorum
                + " (largest agreement: "
                + support
                + " of "
                + replicas
                + ")";
    }

    /** An answer as a reason quotes it: on one line, at most 60 characters. */
    static String quote(String answer) {
        String line = answer.strip().replaceAll("\\s+", " ");
        return "'" + (line.length() <= 60 ? line : line.substring(0, 57) + "...") + "'";
    }
}
