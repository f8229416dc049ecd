package io.hivestream.operators.route;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.AnalyzedTask;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The cascade's routing half: picks the CLOUD agents that an EDGE agent's unsure answer escalates
 * to, and the confidence under which it does. The execute stage does the escalating.
 *
 * <p>A task answered by one agent (one replica) whose chain has an EDGE agent gets the cheapest
 * eligible CLOUD agents (same capabilities and tenant rule as {@link Router#eligible}), at most
 * {@code maxAgents}, as its escalation chain. Votes do not cascade: their replicas check each
 * other, and a CLOUD answer swapped into one replica would change who votes.
 *
 * <p>The threshold is the job's, or the task's metadata {@value #THRESHOLD_KEY} in [0, 1]; 0
 * switches the cascade off (the job's for every task, a task's for itself).
 */
public final class Escalation implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final double DEFAULT_THRESHOLD = 0.5;
    public static final String THRESHOLD_KEY = "cascadeThreshold";

    private final double threshold;
    private final int maxAgents;

    /**
     * @param threshold confidence in [0, 1] under which an EDGE answer escalates; 0: never
     * @param maxAgents CLOUD agents in an escalation chain, at least 1
     */
    public Escalation(double threshold, int maxAgents) {
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException(
                    "cascade confidence threshold must be in [0, 1]: " + threshold);
        }
        if (maxAgents < 1) {
            throw new IllegalArgumentException(
                    "an escalation chain needs at least 1 agent: " + maxAgents);
        }
        this.threshold = threshold;
        this.maxAgents = maxAgents;
    }

    /** No cascade, whatever the tasks ask. */
    public static Escalation off() {
        return new Escalation(0, 1);
    }

    /** What is wrong with a task's {@value #THRESHOLD_KEY}, if anything; for the decode stage. */
    public static List<String> problems(Map<String, String> metadata) {
        String value = metadata.get(THRESHOLD_KEY);
        if (value == null || parse(value) != null) {
            return List.of();
        }
        return List.of(THRESHOLD_KEY + " is '" + value + "'; must be a number in [0, 1]");
    }

    /**
     * The threshold for this task: its metadata's when valid, else the job's; 0 when the job's is
     * 0, so that switching the cascade off holds for every task.
     */
    public double threshold(AnalyzedTask task) {
        if (threshold == 0) {
            return 0;
        }
        String value = task.getTask().getMetadata().get(THRESHOLD_KEY);
        Double parsed = value == null ? null : parse(value);
        return parsed != null ? parsed : threshold;
    }

    /**
     * The CLOUD agents, best first, that an unsure EDGE answer to this replica escalates to; empty
     * when the task does not cascade.
     *
     * @param chain the replica's chain as routed
     * @param agents every registered agent
     */
    public List<AgentEvent> chain(
            AnalyzedTask task, List<AgentEvent> chain, Collection<AgentEvent> agents) {
        if (task.getAnalysis().getReplicas() != 1
                || threshold(task) <= 0
                || chain.stream().noneMatch(a -> a.getTier() == Tier.EDGE)) {
            return List.of();
        }
        List<AgentEvent> cloud = new ArrayList<>();
        for (AgentEvent agent : agents) {
            if (agent.getTier() == Tier.CLOUD && Router.eligible(agent, task)) {
                cloud.add(agent);
            }
        }
        cloud.sort(
                Comparator.comparingDouble(
                                (AgentEvent a) ->
                                        a.getCostPer1kInputTokens() + a.getCostPer1kOutputTokens())
                        .thenComparing(AgentEvent::getAgentId));
        return List.copyOf(cloud.subList(0, Math.min(maxAgents, cloud.size())));
    }

    private static Double parse(String value) {
        try {
            double parsed = Double.parseDouble(value.strip());
            return parsed >= 0 && parsed <= 1 ? parsed : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
