package io.hivestream.operators.analyse;

import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.codec.RecordDefaults;
import io.hivestream.schemas.internal.Analysis;
import java.io.Serializable;
import java.util.List;

/**
 * Turns a complexity score into the analyser's decision, whatever produced the score: the tier by
 * the cloud threshold; the strategy, replicas and quorum from what the task asks for; optionally
 * DECOMPOSE for very complex multi-step tasks. A task's own strategy and tier hints win, except
 * that a subtask of a plan is not decomposed again. Immutable and thread-safe; every analyser
 * shares it so hints are honoured the same way.
 */
public final class AnalysisPolicy implements Serializable {
    private static final RecordDefaults<Analysis> ANALYSES = RecordDefaults.of(Analysis::new);

    private static final long serialVersionUID = 1L;

    public static final double DEFAULT_CLOUD_THRESHOLD = 0.6;
    public static final double DEFAULT_DECOMPOSE_THRESHOLD = 0.85;

    /** Replicas used when a task asks for consensus without saying how many. */
    public static final int DEFAULT_CONSENSUS_REPLICAS = 3;

    /** Step cues ({@link TaskFeatures#stepCues}) from which a task counts as multi-step. */
    public static final int DECOMPOSE_MIN_STEPS = 3;

    private final double cloudThreshold;
    private final boolean autoDecompose;
    private final double decomposeThreshold;

    /**
     * The capabilities a task asks for: its own, else its kind. The task's list itself, not a copy.
     */
    public static List<String> capabilitiesAsked(Task task) {
        List<String> capabilities = task.getCapabilities();
        return capabilities.isEmpty() ? List.of(task.getKind()) : capabilities;
    }

    /** Today's defaults: the tier by threshold 0.6, never decomposing on its own. */
    public AnalysisPolicy() {
        this(DEFAULT_CLOUD_THRESHOLD, false, DEFAULT_DECOMPOSE_THRESHOLD);
    }

    /**
     * @param cloudThreshold score from which a task prefers the CLOUD tier, in [0, 1]
     * @param autoDecompose whether tasks without a strategy hint may be decomposed
     * @param decomposeThreshold score from which a multi-step task is decomposed, in [0, 1]
     */
    public AnalysisPolicy(double cloudThreshold, boolean autoDecompose, double decomposeThreshold) {
        this.cloudThreshold = checkShare("cloudThreshold", cloudThreshold);
        this.autoDecompose = autoDecompose;
        this.decomposeThreshold = checkShare("decomposeThreshold", decomposeThreshold);
    }

    private static double checkShare(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1]: " + value);
        }
        return value;
    }

    public double cloudThreshold() {
        return cloudThreshold;
    }

    /** The same policy with another cloud threshold, in [0, 1]. */
    public AnalysisPolicy withCloudThreshold(double threshold) {
        return new AnalysisPolicy(threshold, autoDecompose, decomposeThreshold);
    }

    /** The decision for a task whose complexity score is {@code score}, in [0, 1]. */
    public Analysis decide(Task task, double score) {
        return decide(task, score, null);
    }

    /**
     * The decision for a task whose complexity score is {@code score}, in [0, 1], given by the
     * model of version {@code model}.
     */
    public Analysis decide(Task task, double score, String model) {
        Tier tier =
                task.getTier() != null
                        ? task.getTier()
                        : score >= cloudThreshold ? Tier.CLOUD : Tier.EDGE;
        Strategy strategy = task.getStrategy();
        if (strategy == null) {
            strategy = task.getReplicas() > 1 ? Strategy.CONSENSUS : Strategy.DIRECT;
            if (strategy == Strategy.DIRECT && decomposes(task, score)) {
                strategy = Strategy.DECOMPOSE;
            }
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
        List<String> capabilities = List.copyOf(capabilitiesAsked(task));
        // Made once per task: from the schema's defaults read once, not through a builder.
        Analysis analysis = ANALYSES.make();
        analysis.setComplexity(score);
        analysis.setTier(tier);
        analysis.setStrategy(strategy);
        analysis.setReplicas(replicas);
        analysis.setQuorum(quorum);
        analysis.setCapabilities(capabilities);
        analysis.setModel(model);
        return analysis;
    }

    /**
     * Only very complex tasks that ask for several steps are planned: a plan costs one agent call
     * per step, worth it only when one call is unlikely to do everything asked.
     */
    private boolean decomposes(Task task, double score) {
        return autoDecompose
                && task.getParentId() == null
                && score >= decomposeThreshold
                && TaskFeatures.stepCues(task.getInput()) >= DECOMPOSE_MIN_STEPS;
    }
}
