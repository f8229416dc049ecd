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
import java.util.regex.Pattern;

/**
 * Checks a plan before any of it runs: at least one and at most {@code maxSteps} steps, unique
 * well-formed ids, known dependencies and no cycle among them, and only known capabilities. Returns
 * every problem at once.
 */
public final class PlanValidator implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MAX_STEPS = 20;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final int maxSteps;
    private final Set<String> knownCapabilities;

    public PlanValidator(int maxSteps, Set<String> knownCapabilities) {
        if (maxSteps < 1) {
            throw new IllegalArgumentException("maxSteps must be at least 1: " + maxSteps);
        }
        this.maxSteps = maxSteps;
        this.knownCapabilities = Set.copyOf(knownCapabilities);
    }

    public List<String> problems(List<Planner.Step> steps) {
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
            for (String capability : step.capabilities()) {
                if (!knownCapabilities.contains(capability)) {
                    problems.add(
                            "step '"
                                    + step.id()
                                    + "' asks for unknown capability '"
                                    + capability
                                    + "'");
                }
            }
        }
        for (Planner.Step step : steps) {
            for (String dependency : step.dependsOn()) {
                if (dependency.equals(step.id())) {
                    problems.add("step '" + step.id() + "' depends on itself");
                } else if (!byId.containsKey(dependency)) {
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
