package io.hivestream.operators.route;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.Analysis;
import io.hivestream.schemas.internal.AnalyzedTask;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Chooses agents for a task: those that offer every required capability and serve the task's
 * tenant, the analysed tier first, then the cheaper, then by id so equal agents are chosen the same
 * way every time. Each replica gets its own primary agent and the spare agents as fallbacks.
 */
public final class Router implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MAX_FALLBACKS = 2;

    private final int maxFallbacks;

    public Router() {
        this(DEFAULT_MAX_FALLBACKS);
    }

    public Router(int maxFallbacks) {
        if (maxFallbacks < 0) {
            throw new IllegalArgumentException("maxFallbacks must not be negative");
        }
        this.maxFallbacks = maxFallbacks;
    }

    /** The outcome of routing: one chain per replica, or why there is none. */
    public record Route(List<List<AgentEvent>> chains, String problem) {
        public boolean routed() {
            return problem == null;
        }
    }

    public static boolean eligible(AgentEvent agent, AnalyzedTask task) {
        List<String> required = task.getAnalysis().getCapabilities();
        List<String> tenants = agent.getTenants();
        return agent.getCapabilities().containsAll(required)
                && (tenants.isEmpty() || tenants.contains(task.getTask().getTenant()));
    }

    public List<AgentEvent> ranked(AnalyzedTask task, Collection<AgentEvent> agents) {
        Tier preferred = task.getAnalysis().getTier();
        List<AgentEvent> eligible = new ArrayList<>();
        for (AgentEvent agent : agents) {
            if (eligible(agent, task)) {
                eligible.add(agent);
            }
        }
        eligible.sort(
                Comparator.comparing((AgentEvent a) -> a.getTier() == preferred ? 0 : 1)
                        .thenComparingDouble(
                                a -> a.getCostPer1kInputTokens() + a.getCostPer1kOutputTokens())
                        .thenComparing(AgentEvent::getAgentId));
        return eligible;
    }

    public Route route(AnalyzedTask task, Collection<AgentEvent> agents) {
        Analysis analysis = task.getAnalysis();
        int replicas = analysis.getReplicas();
        List<AgentEvent> ranked = ranked(task, agents);
        if (ranked.size() < replicas) {
            String needs = replicas == 1 ? "an agent" : replicas + " distinct agents";
            return new Route(
                    List.of(),
                    "needs "
                            + needs
                            + " with capabilities "
                            + analysis.getCapabilities()
                            + " for tenant '"
                            + task.getTask().getTenant()
                            + "'; "
                            + ranked.size()
                            + " registered");
        }
        List<AgentEvent> spares =
                ranked.subList(replicas, Math.min(ranked.size(), replicas + maxFallbacks));
        List<List<AgentEvent>> chains = new ArrayList<>(replicas);
        for (int i = 0; i < replicas; i++) {
            List<AgentEvent> chain = new ArrayList<>(1 + spares.size());
            chain.add(ranked.get(i));
            chain.addAll(spares);
            chains.add(chain);
        }
        return new Route(chains, null);
    }
}
