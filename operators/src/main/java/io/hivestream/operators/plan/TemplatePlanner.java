package io.hivestream.operators.plan;

import io.hivestream.schemas.Task;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fixed plans for known kinds of task: {@code code} (architect, coder, then tester and documenter
 * side by side, then reviewer) and a generic plan for every other kind (analyst, writer, then
 * fact-checker and critic side by side, then editor). A task's metadata {@code plan} may name the
 * template to use.
 */
public final class TemplatePlanner implements Planner {
    private static final long serialVersionUID = 1L;

    /** Task metadata naming the template: code or generic. */
    public static final String TEMPLATE = "plan";

    static final Map<String, List<Step>> TEMPLATES =
            Map.of(
                    "code",
                    List.of(
                            new Step(
                                    "architect",
                                    "architect",
                                    "design",
                                    List.of("design"),
                                    List.of(),
                                    "Design the solution: its components, their interfaces and"
                                            + " the data that flows between them."),
                            new Step(
                                    "coder",
                                    "coder",
                                    "code",
                                    List.of("code"),
                                    List.of("architect"),
                                    "Write the code that implements the design."),
                            new Step(
                                    "tester",
                                    "tester",
                                    "test",
                                    List.of("test"),
                                    List.of("coder"),
                                    "Write tests for the code and say what they find."),
                            new Step(
                                    "documenter",
                                    "documenter",
                                    "docs",
                                    List.of("docs"),
                                    List.of("architect", "coder"),
                                    "Document how to use the code."),
                            new Step(
                                    "reviewer",
                                    "reviewer",
                                    "review",
                                    List.of("review"),
                                    List.of("coder", "tester", "documenter"),
                                    "Review the code, its tests and its documentation; list what"
                                            + " must change.")),
                    "generic",
                    List.of(
                            new Step(
                                    "analyst",
                                    "analyst",
                                    "analyse",
                                    List.of("analyse"),
                                    List.of(),
                                    "Restate the task and list what a complete answer needs."),
                            new Step(
                                    "writer",
                                    "writer",
                                    "write",
                                    List.of("write"),
                                    List.of("analyst"),
                                    "Write a complete answer."),
                            new Step(
                                    "fact-checker",
                                    "fact-checker",
                                    "verify",
                                    List.of("verify"),
                                    List.of("writer"),
                                    "Check every claim of the answer."),
                            new Step(
                                    "critic",
                                    "critic",
                                    "review",
                                    List.of("review"),
                                    List.of("analyst", "writer"),
                                    "Say what the answer misses of what the task needs."),
                            new Step(
                                    "editor",
                                    "editor",
                                    "edit",
                                    List.of("edit"),
                                    List.of("writer", "fact-checker", "critic"),
                                    "Revise the answer with the checks and the critique.")));

    @Override
    public List<Step> plan(Task task) {
        String named = task.getMetadata().get(TEMPLATE);
        String template =
                named != null
                        ? named.strip()
                        : TEMPLATES.containsKey(task.getKind()) ? task.getKind() : "generic";
        List<Step> steps = TEMPLATES.get(template);
        if (steps == null) {
            throw new IllegalArgumentException(
                    "no plan template '" + template + "'; known: code, generic");
        }
        return steps;
    }

    @Override
    public Set<String> capabilities() {
        Set<String> capabilities = new LinkedHashSet<>();
        for (List<Step> steps : TEMPLATES.values()) {
            for (Step step : steps) {
                capabilities.addAll(step.capabilities());
            }
        }
        return capabilities;
    }
}
