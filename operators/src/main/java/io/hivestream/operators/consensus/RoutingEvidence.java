package io.hivestream.operators.consensus;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.RoutingExample;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * What a task's result says about the tier it needed, as a labelled example for the complexity
 * model. Two outcomes are evidence:
 *
 * <ul>
 *   <li>{@value #CASCADE_ESCALATED}, label CLOUD: an EDGE agent answered with a confidence under
 *       the cascade's threshold, the task escalated and a CLOUD agent's answer is the output
 *       (result metadata {@code cascade} {@code escalated}, answers EDGE then CLOUD);
 *   <li>{@value #EDGE_MATCHED_VOTE}, label EDGE: a completed vote on a task the analyser sent to
 *       the CLOUD tier, in which at least one CLOUD agent and every EDGE agent agreed with the
 *       winner: the EDGE agents alone would have given the same answer.
 * </ul>
 *
 * <p>Every other result says nothing here: a direct answer that did not escalate only confirms the
 * analyser's own choice, a cascade whose CLOUD tier failed has no better answer to compare with,
 * and a vote an EDGE agent disagreed with (or failed in), or without an agreeing CLOUD agent, is no
 * clear match.
 */
public final class RoutingEvidence implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String CASCADE_ESCALATED = "cascade-escalated";
    public static final String EDGE_MATCHED_VOTE = "edge-matched-vote";

    private final String analyzer;

    /**
     * @param analyzer the analyser that scores tasks, recorded with every example; null: unknown
     */
    public RoutingEvidence(String analyzer) {
        this.analyzer = analyzer;
    }

    /**
     * The example {@code result} is evidence for, if any.
     *
     * @param task the task as the analyser saw it
     * @param tier the tier the analyser chose (or the task asked for)
     * @param complexity the analyser's score
     * @param now when the result was decided
     */
    public Optional<RoutingExample> of(
            Task task, Tier tier, double complexity, TaskResult result, long now) {
        String evidence = evidence(tier, result);
        if (evidence == null) {
            return Optional.empty();
        }
        return Optional.of(
                RoutingExample.newBuilder()
                        .setTaskId(task.getTaskId())
                        .setTenant(task.getTenant())
                        .setKind(task.getKind())
                        .setCapabilities(List.copyOf(task.getCapabilities()))
                        .setInput(task.getInput())
                        .setLabel(evidence.equals(CASCADE_ESCALATED) ? Tier.CLOUD : Tier.EDGE)
                        .setEvidence(evidence)
                        .setTier(tier)
                        .setComplexity(complexity)
                        .setAnalyzer(analyzer)
                        .setSimulated(result.getSimulated())
                        .setCreatedAt(now)
                        .build());
    }

    /** {@value #CASCADE_ESCALATED}, {@value #EDGE_MATCHED_VOTE} or null. */
    static String evidence(Tier tier, TaskResult result) {
        if (result.getStatus() != TaskStatus.COMPLETED) {
            return null;
        }
        List<AgentAnswer> answers = result.getAnswers();
        if (TaskResults.ESCALATED.equals(result.getMetadata().get(TaskResults.CASCADE))) {
            boolean edgeThenCloud =
                    answers.size() == 2
                            && answers.get(0).getTier() == Tier.EDGE
                            && answers.get(1).getTier() == Tier.CLOUD
                            && answers.get(1).getError() == null;
            return edgeThenCloud ? CASCADE_ESCALATED : null;
        }
        if (result.getStrategy() != Strategy.CONSENSUS || tier != Tier.CLOUD) {
            return null;
        }
        boolean cloudAgreed = false;
        boolean edgeAnswered = false;
        for (AgentAnswer answer : answers) {
            boolean agreed = Boolean.TRUE.equals(answer.getAgreed());
            if (answer.getTier() == Tier.EDGE) {
                if (!agreed) {
                    return null;
                }
                edgeAnswered = true;
            } else if (answer.getTier() == Tier.CLOUD && agreed) {
                cloudAgreed = true;
            }
        }
        return edgeAnswered && cloudAgreed ? EDGE_MATCHED_VOTE : null;
    }
}
