package io.hivestream.operators.analyse;

import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.Analysis;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A first, transparent analyser: a complexity score in [0, 1] from the length of the input, code,
 * questions and steps asked for; a tier by threshold; a strategy from the replicas asked for. A
 * task's own strategy and tier hints win, except that a subtask of a plan is not decomposed again.
 */
public final class RuleBasedAnalyzer implements ComplexityAnalyzer {
    private static final long serialVersionUID = 1L;

    public static final double DEFAULT_CLOUD_THRESHOLD = 0.6;

    /** Replicas used when a task asks for consensus without saying how many. */
    public static final int DEFAULT_CONSENSUS_REPLICAS = 3;

    private static final Pattern CODE =
            Pattern.compile(
                    "```|\\b(def|class|function|public|return|import)\\b|[{};]\\s*$",
                    Pattern.MULTILINE);
    private static final Pattern STEPS =
            Pattern.compile(
                    "\\b(then|after that|step|first|finally|and also)\\b",
                    Pattern.CASE_INSENSITIVE);

    private final double cloudThreshold;

    public RuleBasedAnalyzer() {
        this(DEFAULT_CLOUD_THRESHOLD);
    }

    public RuleBasedAnalyzer(double cloudThreshold) {
        if (!(cloudThreshold >= 0 && cloudThreshold <= 1)) {
            throw new IllegalArgumentException(
                    "cloudThreshold must be in [0, 1]: " + cloudThreshold);
        }
        this.cloudThreshold = cloudThreshold;
    }

    public double score(Task task) {
        String input = task.getInput();
        double length = Math.min(1.0, Math.log1p(input.length()) / Math.log1p(4000));
        double code = CODE.matcher(input).find() ? 1.0 : 0.0;
        long questions = input.chars().filter(c -> c == '?').count();
        double asks = Math.min(1.0, questions / 3.0);
        double steps = Math.min(1.0, STEPS.matcher(input).results().count() / 4.0);
        double score = 0.45 * length + 0.25 * code + 0.1 * asks + 0.2 * steps;
        return Math.max(0.0, Math.min(1.0, score));
    }

    @Override
    public Analysis analyse(Task task) {
        double score = score(task);
        Tier tier =
                task.getTier() != null
                        ? task.getTier()
                        : score >= cloudThreshold ? Tier.CLOUD : Tier.EDGE;
        Strategy strategy = task.getStrategy();
        if (strategy == null) {
            strategy = task.getReplicas() > 1 ? Strategy.CONSENSUS : Strategy.DIRECT;
        }
        if (strategy == Strategy.DECOMPOSE && task.getParentId() != null) {
            // Plans are one level deep: a subtask's result must come back to its root's plan.
            strategy = task.getReplicas() > 1 ? Strategy.CONSENSUS : Strategy.DIRECT;
        }
        int replicas = task.getReplicas();
        if (strategy == Strategy.CONSENSUS && replicas == 1) {
            replicas = DEFAULT_CONSENSUS_REPLICAS;
        } else if (strategy != Strategy.CONSENSUS) {
            replicas = 1;
        }
        // The task's quorum was validated against the replicas it asked for; it does not hold for
        // replicas chosen here (a quorum of 1 for one replica would let one of three answers win).
        int quorum =
                task.getQuorum() != null
                                && strategy == Strategy.CONSENSUS
                                && replicas == task.getReplicas()
                        ? task.getQuorum()
                        : replicas / 2 + 1;
        List<String> capabilities =
                task.getCapabilities().isEmpty()
                        ? List.of(task.getKind())
                        : List.copyOf(task.getCapabilities());
        return Analysis.newBuilder()
                .setComplexity(score)
                .setTier(tier)
                .setStrategy(strategy)
                .setReplicas(replicas)
                .setQuorum(quorum)
                .setCapabilities(capabilities)
                .build();
    }
}
