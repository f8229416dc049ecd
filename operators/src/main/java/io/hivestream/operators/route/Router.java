package io.hivestream.operators.route;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.AgentStats;
import io.hivestream.schemas.internal.AgentView;
import io.hivestream.schemas.internal.Analysis;
import io.hivestream.schemas.internal.AnalyzedTask;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Chooses agents for a task. Eligible are the agents in the rotation that offer every required
 * capability and serve the task's tenant; the analysed tier comes first. Within a tier the {@link
 * Policy#LEARNED} policy ranks by expected value, quality against cost, latency and load, weighed
 * by the task's or tenant's preference, where quality is a Thompson draw from the agent's success
 * and agreement posteriors; {@link Policy#CHEAPEST} ranks by price. Ties go to the cheaper agent,
 * then by id, so agents nothing is known about are ranked as {@code CHEAPEST} ranks them. Each
 * replica gets its own primary agent and the next-best spare agents as fallbacks.
 *
 * <p>Plain code: the route stage calls it with the agents' views and a random seeded by the task,
 * an offline evaluation may call {@link #route(AnalyzedTask, Collection, RandomGenerator, long)}
 * directly.
 */
public final class Router implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MAX_FALLBACKS = 2;
    public static final int DEFAULT_MIN_OBSERVATIONS = 10;
    public static final double DEFAULT_PREFERENCE = 0.5;

    /** The task metadata key that overrides the tenant's preference. */
    public static final String PREFERENCE = "preference";

    /**
     * What an agent below the minimum of observations is assumed to do: the uniform prior's mean.
     */
    static final double PRIOR_MEAN = 0.5;

    static final double LATENCY_WEIGHT = 0.25;
    static final double LOAD_WEIGHT = 1.0;

    /** Load, as a share of an agent's maxConcurrency, from which it lowers the agent's value. */
    static final double LOAD_KNEE = 0.5;

    /** How agents of the preferred tier are ordered. */
    public enum Policy {
        LEARNED,
        CHEAPEST
    }

    /** The outcome of routing: one chain per replica, or why there is none. */
    public record Route(List<List<AgentEvent>> chains, String problem) {
        public boolean routed() {
            return problem == null;
        }
    }

    /** One eligible agent and what it is worth to this task. */
    public record Candidate(AgentEvent agent, double value, double price) {}

    private final int maxFallbacks;
    private final Policy policy;
    private final int minObservations;
    private final double defaultPreference;
    private final Map<String, Double> tenantPreferences;

    public Router() {
        this(DEFAULT_MAX_FALLBACKS);
    }

    public Router(int maxFallbacks) {
        this(maxFallbacks, Policy.LEARNED, DEFAULT_MIN_OBSERVATIONS, DEFAULT_PREFERENCE, Map.of());
    }

    /**
     * @param minObservations calls (for success) or votes (for agreement) an agent needs before its
     *     own record is used; below it, it counts as {@link #PRIOR_MEAN}
     * @param defaultPreference weight of quality against cost in [0, 1]: 1 only quality, 0 only
     *     cost
     * @param tenantPreferences tenant to preference ({@code quality}, {@code balanced}, {@code
     *     cost} or a number in [0, 1])
     */
    public Router(
            int maxFallbacks,
            Policy policy,
            int minObservations,
            double defaultPreference,
            Map<String, String> tenantPreferences) {
        if (maxFallbacks < 0) {
            throw new IllegalArgumentException("maxFallbacks must not be negative");
        }
        if (minObservations < 0) {
            throw new IllegalArgumentException("minObservations must not be negative");
        }
        if (!(defaultPreference >= 0 && defaultPreference <= 1)) {
            throw new IllegalArgumentException(
                    "the default preference must be in [0, 1]: " + defaultPreference);
        }
        this.maxFallbacks = maxFallbacks;
        this.policy = policy;
        this.minObservations = minObservations;
        this.defaultPreference = defaultPreference;
        Map<String, Double> parsed = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : tenantPreferences.entrySet()) {
            Double value = parsePreference(entry.getValue());
            if (value == null) {
                throw new IllegalArgumentException(
                        "preference of tenant '"
                                + entry.getKey()
                                + "': "
                                + preferenceProblem(entry.getValue()));
            }
            parsed.put(entry.getKey(), value);
        }
        this.tenantPreferences = parsed;
    }

    /**
     * {@code quality} 0.9, {@code balanced} 0.5, {@code cost} 0.1, or a number in [0, 1]; null if
     * neither.
     */
    public static Double parsePreference(String text) {
        if (text == null) {
            return null;
        }
        switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "quality":
                return 0.9;
            case "balanced":
                return 0.5;
            case "cost":
                return 0.1;
            default:
                try {
                    double value = Double.parseDouble(text.trim());
                    return value >= 0 && value <= 1 ? value : null;
                } catch (NumberFormatException e) {
                    return null;
                }
        }
    }

    private static String preferenceProblem(String text) {
        return "'" + text + "' is not quality, balanced, cost or a number in [0, 1]";
    }

    /** A random for one task's draws: the same task and seed draw the same way after a replay. */
    public static RandomGenerator randomFor(String taskId, long seed) {
        long h = seed;
        for (int i = 0; i < taskId.length(); i++) {
            h = 31 * h + taskId.charAt(i);
        }
        return new SplittableRandom(h);
    }

    public static boolean eligible(AgentEvent agent, AnalyzedTask task) {
        List<String> required = task.getAnalysis().getCapabilities();
        List<String> tenants = agent.getTenants();
        return agent.getCapabilities().containsAll(required)
                && (tenants.isEmpty() || tenants.contains(task.getTask().getTenant()));
    }

    /** The view of an agent nothing has been learned about. */
    public static AgentView unobserved(AgentEvent agent) {
        return AgentView.newBuilder().setAgent(agent).setStats(AgentStatistics.empty()).build();
    }

    /** Ranks agents without statistics: the preferred tier, then the cheaper, then by id. */
    public List<AgentEvent> ranked(AnalyzedTask task, Collection<AgentEvent> agents) {
        return ranked(task, views(agents), new SplittableRandom(0), 0).stream()
                .map(Candidate::agent)
                .toList();
    }

    /** Routes with agents nothing has been learned about. */
    public Route route(AnalyzedTask task, Collection<AgentEvent> agents) {
        return route(task, views(agents), new SplittableRandom(0), 0);
    }

    private static List<AgentView> views(Collection<AgentEvent> agents) {
        return agents.stream().map(Router::unobserved).toList();
    }

    /**
     * The eligible agents in the rotation, best first.
     *
     * @param random the source of the Thompson draws
     * @param now the time the load estimates are taken at, epoch milliseconds
     */
    public List<Candidate> ranked(
            AnalyzedTask task, Collection<AgentView> agents, RandomGenerator random, long now) {
        double preference = preferenceOf(task);
        List<AgentView> eligible = new ArrayList<>();
        for (AgentView view : agents) {
            if (view.getStats().getHealthy() && eligible(view.getAgent(), task)) {
                eligible.add(view);
            }
        }
        // Draw in id order, so that the draws do not depend on the registry's iteration order.
        eligible.sort(Comparator.comparing(v -> v.getAgent().getAgentId()));
        double maxPrice = 0;
        double maxLatency = 0;
        double maxQuality = 0;
        double[] quality = new double[eligible.size()];
        for (int i = 0; i < eligible.size(); i++) {
            AgentView view = eligible.get(i);
            maxPrice = Math.max(maxPrice, price(view.getAgent()));
            if (view.getStats().getCalls() >= minObservations) {
                maxLatency = Math.max(maxLatency, view.getStats().getLatencyMs());
            }
            if (policy == Policy.LEARNED) {
                quality[i] = quality(view.getStats(), random);
                maxQuality = Math.max(maxQuality, quality[i]);
            }
        }
        List<Candidate> candidates = new ArrayList<>(eligible.size());
        for (int i = 0; i < eligible.size(); i++) {
            AgentView view = eligible.get(i);
            AgentStats stats = view.getStats();
            double price = price(view.getAgent());
            double value = 0;
            if (policy == Policy.LEARNED) {
                // Each term is relative to the best candidate, so the preference weighs like with
                // like.
                double relativeQuality = maxQuality > 0 ? quality[i] / maxQuality : 0;
                double cost = maxPrice > 0 ? price / maxPrice : 0;
                double latency =
                        stats.getCalls() >= minObservations && maxLatency > 0
                                ? stats.getLatencyMs() / maxLatency
                                : 0;
                double load =
                        AgentStatistics.inFlight(stats, now)
                                / Math.max(1, view.getAgent().getMaxConcurrency());
                double overload = Math.max(0, Math.min(1, load) - LOAD_KNEE) / (1 - LOAD_KNEE);
                value =
                        preference * relativeQuality
                                - (1 - preference) * cost
                                - LATENCY_WEIGHT * latency
                                - LOAD_WEIGHT * overload;
            }
            candidates.add(new Candidate(view.getAgent(), value, price));
        }
        Tier preferred = task.getAnalysis().getTier();
        candidates.sort(
                Comparator.comparing((Candidate c) -> c.agent().getTier() == preferred ? 0 : 1)
                        .thenComparing(Comparator.comparingDouble(Candidate::value).reversed())
                        .thenComparingDouble(Candidate::price)
                        .thenComparing(c -> c.agent().getAgentId()));
        return candidates;
    }

    /**
     * The chance of a useful answer: a Thompson draw from the success posterior times one from the
     * agreement posterior, each the prior's mean until the agent has enough observations.
     */
    private double quality(AgentStats stats, RandomGenerator random) {
        double success =
                stats.getCalls() >= minObservations
                        ? Beta.sample(1 + stats.getSuccesses(), 1 + stats.getFailures(), random)
                        : PRIOR_MEAN;
        double agreement =
                stats.getVotes() >= minObservations
                        ? Beta.sample(1 + stats.getAgreed(), 1 + stats.getDisagreed(), random)
                        : PRIOR_MEAN;
        return success * agreement;
    }

    private static double price(AgentEvent agent) {
        return agent.getCostPer1kInputTokens() + agent.getCostPer1kOutputTokens();
    }

    /** Why the task's metadata {@code preference} is not valid, or null when it is. */
    public String invalidPreference(AnalyzedTask task) {
        String asked = task.getTask().getMetadata().get(PREFERENCE);
        return asked == null || parsePreference(asked) != null
                ? null
                : "metadata " + PREFERENCE + ": " + preferenceProblem(asked);
    }

    /**
     * The task's metadata {@code preference}, else its tenant's, else the default.
     *
     * @throws IllegalArgumentException when the task's metadata names no preference
     */
    public double preferenceOf(AnalyzedTask task) {
        String asked = task.getTask().getMetadata().get(PREFERENCE);
        if (asked != null) {
            Double value = parsePreference(asked);
            if (value == null) {
                throw new IllegalArgumentException(
                        "metadata " + PREFERENCE + ": " + preferenceProblem(asked));
            }
            return value;
        }
        return tenantPreferences.getOrDefault(task.getTask().getTenant(), defaultPreference);
    }

    /**
     * Routes a task: one chain per replica, each its own primary agent followed by the spare
     * agents, or the problem.
     */
    public Route route(
            AnalyzedTask task, Collection<AgentView> agents, RandomGenerator random, long now) {
        Analysis analysis = task.getAnalysis();
        int replicas = analysis.getReplicas();
        List<Candidate> ranked;
        try {
            ranked = ranked(task, agents, random, now);
        } catch (IllegalArgumentException e) {
            return new Route(List.of(), e.getMessage());
        }
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
        List<Candidate> spares =
                ranked.subList(replicas, Math.min(ranked.size(), replicas + maxFallbacks));
        List<List<AgentEvent>> chains = new ArrayList<>(replicas);
        for (int i = 0; i < replicas; i++) {
            List<AgentEvent> chain = new ArrayList<>(1 + spares.size());
            chain.add(ranked.get(i).agent());
            spares.forEach(spare -> chain.add(spare.agent()));
            chains.add(chain);
        }
        return new Route(chains, null);
    }

    public int maxFallbacks() {
        return maxFallbacks;
    }
}
