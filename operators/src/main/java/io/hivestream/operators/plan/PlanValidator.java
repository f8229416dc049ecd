package io.hivestream.operators.plan;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a plan before any of it runs: at least one and at most {@code maxSteps} steps, unique
 * well-formed ids, known dependencies and no cycle among them, and only known capabilities. Returns
 * every problem at once.
 */
public final class PlanValidator implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MAX_STEPS = 20;

    /** Most replicas a step may ask for, by default: as many as a task may. */
    public static final int DEFAULT_MAX_REPLICAS = 15;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** The ids of a plan's planning and synthesis subtasks, which no step may take. */
    private static final Pattern RESERVED = Pattern.compile("(re)?plan-\\d+(-\\d+)?|synthesize");

    private static final Pattern QUOTE = Pattern.compile("\\{\\{([^{}]*)}}");

    private final int maxSteps;
    private final int maxReplicas;
    private final Set<String> knownCapabilities;

    public PlanValidator(int maxSteps, Set<String> knownCapabilities) {
        this(maxSteps, DEFAULT_MAX_REPLICAS, knownCapabilities);
    }

    /**
     * @param maxReplicas most replicas a step may ask for; the same limit as a task's
     * @param knownCapabilities what a template's steps may ask for
     */
    public PlanValidator(int maxSteps, int maxReplicas, Set<String> knownCapabilities) {
        if (maxSteps < 1) {
            throw new IllegalArgumentException("maxSteps must be at least 1: " + maxSteps);
        }
        if (maxReplicas < 1) {
            throw new IllegalArgumentException("maxReplicas must be at least 1: " + maxReplicas);
        }
        this.maxSteps = maxSteps;
        this.maxReplicas = maxReplicas;
        this.knownCapabilities = Set.copyOf(knownCapabilities);
    }

    public List<String> problems(List<Planner.Step> steps) {
        return problems(steps, knownCapabilities, Set.of(), Set.of());
    }

    /**
     * The problems of a plan, or of a re-plan's new steps.
     *
     * @param capabilities the capabilities steps may ask for: those the agents in rotation offer;
     *     null when no agent was known yet, and then any
     * @param used ids the plan has used already, which new steps may not take
     * @param completed the completed steps' ids, which new steps may depend on and quote
     */
    public List<String> problems(
            List<Planner.Step> steps,
            Set<String> capabilities,
            Set<String> used,
            Set<String> completed) {
        List<String> problems = new ArrayList<>();
        if (steps.isEmpty()) {
            problems.add("the plan has no steps");
            return problems;
        }
        if (steps.size() > maxSteps) {
            problems.add("the plan has " + steps.size() + " steps; at most " + maxSteps);
        }
        Map<String, Planner.Step> byId = new LinkedHashMap<>();
        for (Planner.Step step : steps) {
            if (step.id() == null || !ID.matcher(step.id()).matches()) {
                problems.add(
                        "step id '" + step.id() + "' must be 1 to 64 letters, digits, '-' or '_'");
            } else if (RESERVED.matcher(step.id()).matches()) {
                problems.add(
                        "step id '"
                                + step.id()
                                + "' is reserved for the plan's own subtasks (plan-N, replan-N-N,"
                                + " synthesize)");
            } else if (used.contains(step.id())) {
                problems.add("step id '" + step.id() + "' is already used by this plan");
            } else if (byId.put(step.id(), step) != null) {
                problems.add("step id '" + step.id() + "' is used twice");
            }
            if (step.role() == null || step.role().isBlank()) {
                problems.add("step '" + step.id() + "' has no role");
            }
            if (step.kind() == null || step.kind().isBlank()) {
                problems.add("step '" + step.id() + "' has no kind");
            }
            if (step.instruction() == null || step.instruction().isBlank()) {
                problems.add("step '" + step.id() + "' has no instruction");
            }
            if (step.capabilities().isEmpty()) {
                problems.add("step '" + step.id() + "' asks for no capability");
            }
            if (step.replicas() < 1 || step.replicas() > maxReplicas) {
                problems.add(
                        "step '"
                                + step.id()
                                + "' asks for "
                                + step.replicas()
                                + " replicas; 1 to "
                                + maxReplicas);
            } else if (step.quorum() != null
                    && (step.quorum() <= step.replicas() / 2 || step.quorum() > step.replicas())) {
                problems.add(
                        "step '"
                                + step.id()
                                + "' asks for a quorum of "
                                + step.quorum()
                                + "; with "
                                + step.replicas()
                                + " replicas it must be "
                                + (step.replicas() / 2 + 1)
                                + " to "
                                + step.replicas());
            }
            if (step.instruction() != null) {
                Matcher quoted = QUOTE.matcher(step.instruction());
                while (quoted.find()) {
                    if (!step.dependsOn().contains(quoted.group(1))) {
                        problems.add(
                                "step '"
                                        + step.id()
                                        + "' quotes {{"
                                        + quoted.group(1)
                                        + "}}, which is not one of its dependencies");
                    }
                }
            }
            for (String capability : step.capabilities()) {
                if (capabilities != null && !capabilities.contains(capability)) {
                    problems.add(
                            "step '"
                                    + step.id()
                                    + "' asks for capability '"
                                    + capability
                                    + "', which no agent offers");
                }
            }
        }
        for (Planner.Step step : steps) {
            for (String dependency : step.dependsOn()) {
                if (dependency.equals(step.id())) {
                    problems.add("step '" + step.id() + "' depends on itself");
                } else if (!byId.containsKey(dependency) && !completed.contains(dependency)) {
                    problems.add(
                            "step '"
                                    + step.id()
                                    + "' depends on unknown step '"
                                    + dependency
                                    + "'");
                }
            }
        }
        List<String> cycle = cycle(byId);
        if (!cycle.isEmpty()) {
            problems.add(
                    "the steps "
                            + String.join(", ", cycle)
                            + " cannot run: their dependencies form a cycle");
        }
        return problems;
    }

    /** The steps left when every step that can run in some order is taken away (Kahn). */
    private static List<String> cycle(Map<String, Planner.Step> byId) {
        Map<String, Integer> waitingOn = new HashMap<>();
        Map<String, List<String>> dependents = new HashMap<>();
        for (Planner.Step step : byId.values()) {
            int known = 0;
            for (String dependency : step.dependsOn()) {
                if (byId.containsKey(dependency) && !dependency.equals(step.id())) {
                    known++;
                    dependents.computeIfAbsent(dependency, d -> new ArrayList<>()).add(step.id());
                }
            }
            waitingOn.put(step.id(), known);
        }
        Deque<String> free = new ArrayDeque<>();
        waitingOn.forEach(
                (id, count) -> {
                    if (count == 0) {
                        free.add(id);
                    }
                });
        while (!free.isEmpty()) {
            String done = free.poll();
            waitingOn.remove(done);
            for (String dependent : dependents.getOrDefault(done, List.of())) {
                if (waitingOn.merge(dependent, -1, Integer::sum) == 0) {
                    free.add(dependent);
                }
            }
        }
        List<String> left = new ArrayList<>();
        for (String id : byId.keySet()) {
            if (waitingOn.containsKey(id)) {
                left.add(id);
            }
        }
        return left;
    }
}
