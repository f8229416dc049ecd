package io.hivestream.connectors.agents;

import io.hivestream.operators.plan.PlanJson;
import io.hivestream.operators.plan.Planner;
import io.hivestream.operators.plan.Plans;
import io.hivestream.operators.plan.RolePrompts;
import io.hivestream.schemas.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deterministic planner for the demo and tests: it answers a planning subtask (role {@value
 * RolePrompts#PLANNER}) with a plan in the form {@link PlanJson} reads, made from cues in the root
 * task's text (metadata {@value Plans#TASK}, else the subtask's input).
 *
 * <ol>
 *   <li>The text is split into sentences at every {@code .}, {@code !}, {@code ?} and {@code ;} and
 *       at the word {@code then} (any case).
 *   <li>A sentence is split into clauses at the word {@code and} (any case). The clauses of one
 *       sentence are parallel steps: they have the same dependencies, namely every step of the
 *       nearest earlier sentence that produced steps (none for the first such sentence).
 *   <li>A clause becomes a step by its first cue, a word that begins with one of (any case): {@code
 *       research}, {@code find}, {@code look up}, {@code investigate}: role {@code researcher},
 *       capability {@code research}; {@code code}, {@code implement}, {@code function}, {@code
 *       program}, {@code script}: {@code coder}, {@code code}; {@code test}: {@code tester}, {@code
 *       test}; {@code review}, {@code check}, {@code audit}: {@code reviewer}, {@code review};
 *       {@code write}, {@code summar}, {@code explain}, {@code report}, {@code draft}, {@code
 *       document}: {@code writer}, {@code write}. "First" is the cue that starts earliest in the
 *       clause, so "review the code" is a review and "test the script" a test. A clause without a
 *       cue gives no step. A step's kind is its capability.
 *   <li>A step whose capability is not in {@value RolePrompts#CATALOG} (comma-separated; absent or
 *       empty: every capability is offered) is dropped, and the steps that depended on it depend on
 *       what it depended on instead.
 *   <li>When no step is left, the plan is one step: role {@code writer}, capability {@code write}
 *       if it is offered, else the first capability of the catalog other than {@value
 *       RolePrompts#PLAN} and {@value RolePrompts#SYNTHESIZE} (the plan's own subtasks'), else
 *       {@code write}; input the whole text, trimmed.
 *   <li>A step's id is its capability, or the capability followed by {@code -2}, {@code -3}, ...
 *       (the first that is free) when that id is taken by an earlier step of the plan or listed in
 *       {@value Plans#USED}, {@value Plans#DONE} or {@value Plans#FAILED}.
 *   <li>A step's input is its clause, trimmed, followed by {@code " Use: {{ID}}"} for each of its
 *       dependencies, in the order of its {@code dependsOn}: the earlier sentence's steps in text
 *       order, a dropped one replaced in place by what it depended on.
 * </ol>
 *
 * <p>A re-plan (metadata {@value Plans#FAILED} present) plans the whole text again by the same
 * rules, then leaves out the work already done: a completed step's capability is its id in {@value
 * Plans#DONE} without a {@code -N} suffix, and the k-th step of a capability in the new plan stands
 * for the k-th completed step of that capability (in the order of {@value Plans#DONE}), if there is
 * one. Such a step is not planned again; steps that depended on it depend on the completed step's
 * id. This happens before the catalog drops steps, so a completed step counts even when its
 * capability is no longer offered. The other steps are planned with new ids; if none is left, the
 * one fallback step depends on every completed step.
 */
public final class SimulatedPlanner {
    private static final Pattern SENTENCE_BREAK =
            Pattern.compile("[.!?;]|\\bthen\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern CLAUSE_BREAK =
            Pattern.compile("\\band\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern CUE =
            Pattern.compile(
                    "\\b(?:(research|find|look\\s+up|investigate)"
                            + "|(code|implement|function|program|script)"
                            + "|(test)"
                            + "|(review|check|audit)"
                            + "|(write|summar|explain|report|draft|document))",
                    Pattern.CASE_INSENSITIVE);
    private static final String[][] ROLES = {
        {"researcher", "research"},
        {"coder", "code"},
        {"tester", "test"},
        {"reviewer", "review"},
        {"writer", "write"}
    };
    private static final Pattern SUFFIX = Pattern.compile("-\\d+$");

    private SimulatedPlanner() {}

    /** A step as the text gives it, before ids: a step of the new plan or a completed one. */
    private static final class Draft {
        final String role;
        final String capability;
        final String clause;
        final List<Draft> dependsOn;
        boolean dropped;
        String doneId;
        String id;

        Draft(String role, String capability, String clause, List<Draft> dependsOn) {
            this.role = role;
            this.capability = capability;
            this.clause = clause;
            this.dependsOn = dependsOn;
        }
    }

    /** The answer to a planning subtask: its plan in the JSON form {@link PlanJson} reads. */
    public static String answer(Task task) {
        return PlanJson.write(plan(task));
    }

    /** The plan for a planning subtask, from its metadata. */
    public static List<Planner.Step> plan(Task task) {
        Map<String, String> metadata = task.getMetadata();
        String text = metadata.getOrDefault(Plans.TASK, task.getInput());
        String failed = metadata.get(Plans.FAILED);
        return plan(
                text,
                list(metadata.get(RolePrompts.CATALOG)),
                list(metadata.get(Plans.USED)),
                failed != null ? list(metadata.get(Plans.DONE)) : null,
                failed);
    }

    /**
     * The plan for a text.
     *
     * @param catalog the capabilities offered; empty: any
     * @param used step ids the plan has already used
     * @param done for a re-plan, the completed steps' ids; null for a first plan
     * @param failed for a re-plan, the failed step's id; null for a first plan
     */
    static List<Planner.Step> plan(
            String text,
            List<String> catalog,
            List<String> used,
            List<String> done,
            String failed) {
        List<Draft> drafts = drafts(text);
        if (done != null) {
            standForCompleted(drafts, done);
        }
        for (Draft draft : drafts) {
            draft.dropped =
                    draft.doneId == null
                            && !catalog.isEmpty()
                            && !catalog.contains(draft.capability);
        }
        List<Draft> planned = new ArrayList<>();
        for (Draft draft : drafts) {
            if (!draft.dropped && draft.doneId == null) {
                planned.add(draft);
            }
        }
        if (planned.isEmpty()) {
            String capability =
                    catalog.contains("write")
                            ? "write"
                            : catalog.stream()
                                    .filter(
                                            c ->
                                                    !c.equals(RolePrompts.PLAN)
                                                            && !c.equals(RolePrompts.SYNTHESIZE))
                                    .findFirst()
                                    .orElse("write");
            List<Draft> completed = new ArrayList<>();
            for (String id : done == null ? List.<String>of() : done) {
                Draft draft = new Draft(null, capabilityOf(id), null, List.of());
                draft.doneId = id;
                completed.add(draft);
            }
            planned.add(new Draft("writer", capability, text.strip(), completed));
        }
        Set<String> taken = new HashSet<>(used);
        if (done != null) {
            taken.addAll(done);
        }
        if (failed != null) {
            taken.add(failed);
        }
        for (Draft draft : planned) {
            draft.id = freeId(draft.capability, taken);
            taken.add(draft.id);
        }
        List<Planner.Step> steps = new ArrayList<>(planned.size());
        for (Draft draft : planned) {
            Set<String> dependsOn = new LinkedHashSet<>();
            for (Draft dependency : draft.dependsOn) {
                targets(dependency, dependsOn);
            }
            StringBuilder input = new StringBuilder(draft.clause);
            for (String dependency : dependsOn) {
                input.append(" Use: {{").append(dependency).append("}}");
            }
            steps.add(
                    new Planner.Step(
                            draft.id,
                            draft.role,
                            draft.capability,
                            List.of(draft.capability),
                            List.copyOf(dependsOn),
                            input.toString()));
        }
        return steps;
    }

    /** The steps the text's cues give, each depending on the previous sentence's steps. */
    private static List<Draft> drafts(String text) {
        List<Draft> drafts = new ArrayList<>();
        List<Draft> previous = List.of();
        for (String sentence : SENTENCE_BREAK.split(text, -1)) {
            List<Draft> current = new ArrayList<>();
            for (String clause : CLAUSE_BREAK.split(sentence, -1)) {
                String trimmed = clause.strip();
                Matcher cue = CUE.matcher(trimmed);
                if (trimmed.isEmpty() || !cue.find()) {
                    continue;
                }
                int group = 1;
                while (cue.group(group) == null) {
                    group++;
                }
                String[] role = ROLES[group - 1];
                current.add(new Draft(role[0], role[1], trimmed, previous));
            }
            if (!current.isEmpty()) {
                drafts.addAll(current);
                previous = current;
            }
        }
        return drafts;
    }

    /** Pairs the k-th draft of each capability with the k-th completed step of that capability. */
    private static void standForCompleted(List<Draft> drafts, List<String> done) {
        Map<String, List<String>> completed = new HashMap<>();
        for (String id : done) {
            completed.computeIfAbsent(capabilityOf(id), c -> new ArrayList<>()).add(id);
        }
        Map<String, Integer> seen = new HashMap<>();
        for (Draft draft : drafts) {
            int k = seen.merge(draft.capability, 1, Integer::sum) - 1;
            List<String> ids = completed.getOrDefault(draft.capability, List.of());
            if (k < ids.size()) {
                draft.doneId = ids.get(k);
            }
        }
    }

    /** The ids a dependency on this draft means: its own, or those of what a dropped one needed. */
    private static void targets(Draft draft, Set<String> into) {
        if (draft.doneId != null) {
            into.add(draft.doneId);
        } else if (!draft.dropped) {
            into.add(draft.id);
        } else {
            for (Draft dependency : draft.dependsOn) {
                targets(dependency, into);
            }
        }
    }

    private static String capabilityOf(String stepId) {
        return SUFFIX.matcher(stepId).replaceFirst("");
    }

    private static String freeId(String capability, Set<String> taken) {
        if (!taken.contains(capability)) {
            return capability;
        }
        int n = 2;
        while (taken.contains(capability + "-" + n)) {
            n++;
        }
        return capability + "-" + n;
    }

    private static List<String> list(String commaSeparated) {
        if (commaSeparated == null) {
            return List.of();
        }
        return Arrays.stream(commaSeparated.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }
}
