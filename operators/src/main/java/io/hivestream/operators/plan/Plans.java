package io.hivestream.operators.plan;

import io.hivestream.operators.lineage.TaskHash;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.SubtaskResult;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.Plan;
import io.hivestream.schemas.internal.PlanStep;
import io.hivestream.schemas.internal.StepState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The plain logic of a plan's life, over the {@link Plan} record the aggregate stage keeps: which
 * steps are ready, the subtask a step becomes (with its dependencies' results as context), how a
 * subtask's result moves the plan on, and the root task's result when the plan ends.
 */
public final class Plans {
    /** Subtask metadata: the step's id within its plan. */
    public static final String STEP = "plan.step";

    /** Subtask metadata prefix: the output of a dependency, by the dependency's step id. */
    public static final String CONTEXT = "context.";

    private Plans() {}

    /** A new plan for the root task, every step waiting. */
    public static Plan start(AnalyzedTask root, List<Planner.Step> steps, long deadline) {
        List<PlanStep> planned = new ArrayList<>(steps.size());
        for (Planner.Step step : steps) {
            planned.add(
                    PlanStep.newBuilder()
                            .setId(step.id())
                            .setTaskId(subtaskId(root.getTask().getTaskId(), step.id()))
                            .setRole(step.role())
                            .setKind(step.kind())
                            .setCapabilities(step.capabilities())
                            .setDependsOn(step.dependsOn())
                            .setInstruction(step.instruction())
                            .setState(StepState.WAITING)
                            .build());
        }
        return Plan.newBuilder().setRoot(root).setSteps(planned).setDeadline(deadline).build();
    }

    /** The id of a step's subtask: the root's id and the step's, so a replay gives the same id. */
    public static String subtaskId(String rootId, String stepId) {
        return rootId + "/" + stepId;
    }

    public static boolean completed(PlanStep step) {
        return step.getState() == StepState.DONE
                && step.getResult() != null
                && step.getResult().getStatus() == TaskStatus.COMPLETED;
    }

    /** The waiting steps whose dependencies have all completed. */
    public static List<PlanStep> ready(Plan plan) {
        Map<String, PlanStep> byId = byId(plan);
        List<PlanStep> ready = new ArrayList<>();
        for (PlanStep step : plan.getSteps()) {
            if (step.getState() != StepState.WAITING) {
                continue;
            }
            boolean met = true;
            for (String dependency : step.getDependsOn()) {
                met &= completed(byId.get(dependency));
            }
            if (met) {
                ready.add(step);
            }
        }
        return ready;
    }

    /** Marks a step released. */
    public static void release(PlanStep step) {
        step.setState(StepState.RELEASED);
    }

    /** The released step whose subtask this result answers, or null. */
    public static PlanStep awaiting(Plan plan, TaskResult result) {
        for (PlanStep step : plan.getSteps()) {
            if (step.getTaskId().equals(result.getTaskId())
                    && step.getState() == StepState.RELEASED) {
                return step;
            }
        }
        return null;
    }

    /** Records a subtask's result in its step. */
    public static void finish(PlanStep step, TaskResult result) {
        step.setState(StepState.DONE);
        step.setResult(result);
    }

    public static boolean allDone(Plan plan) {
        return plan.getSteps().stream().allMatch(s -> s.getState() == StepState.DONE);
    }

    public static long doneCount(Plan plan) {
        return plan.getSteps().stream().filter(Plans::completed).count();
    }

    /**
     * The subtask a step becomes: the step's instruction, the root task's input and the results of
     * its dependencies as its input; those results also in its metadata under {@code context.ID}.
     * It goes through the normal stages directly (no further plan) and its result comes back to
     * this plan's key.
     */
    public static Task subtask(Plan plan, PlanStep step, long now) {
        Task root = plan.getRoot().getTask();
        Map<String, PlanStep> byId = byId(plan);
        StringBuilder input =
                new StringBuilder(step.getInstruction())
                        .append("\n\nTask: ")
                        .append(root.getInput());
        Map<String, String> metadata = new HashMap<>(root.getMetadata());
        metadata.remove(TemplatePlanner.TEMPLATE);
        metadata.put(STEP, step.getId());
        if (!step.getDependsOn().isEmpty()) {
            input.append("\n\nResults of earlier steps:");
            for (String dependency : step.getDependsOn()) {
                PlanStep done = byId.get(dependency);
                String output = done.getResult().getOutput();
                input.append("\n[").append(done.getRole()).append("] ").append(output);
                metadata.put(CONTEXT + dependency, output);
            }
        }
        return Task.newBuilder()
                .setTaskId(step.getTaskId())
                .setTenant(root.getTenant())
                .setKind(step.getKind())
                .setInput(input.toString())
                .setCapabilities(step.getCapabilities())
                .setStrategy(Strategy.DIRECT)
                .setPriority(root.getPriority())
                .setDeadline(plan.getDeadline())
                .setMetadata(metadata)
                .setParentId(root.getTaskId())
                .setRootId(root.getTaskId())
                .setRole(step.getRole())
                .setCreatedAt(now)
                .build();
    }

    /**
     * The root task's result when its plan ends, with every step attached (a step that never ran or
     * had not finished has no status).
     */
    public static TaskResult rootResult(
            Plan plan, TaskStatus status, String output, String error, long now) {
        AnalyzedTask analyzed = plan.getRoot();
        Task root = analyzed.getTask();
        List<SubtaskResult> subtasks = new ArrayList<>();
        Set<String> agents = new LinkedHashSet<>();
        long tokensIn = 0;
        long tokensOut = 0;
        double cost = 0;
        boolean simulated = false;
        for (PlanStep step : plan.getSteps()) {
            TaskResult result = step.getResult();
            SubtaskResult.Builder subtask =
                    SubtaskResult.newBuilder()
                            .setTaskId(step.getTaskId())
                            .setStep(step.getId())
                            .setRole(step.getRole())
                            .setKind(step.getKind())
                            .setDependsOn(step.getDependsOn());
            if (result != null) {
                subtask.setStatus(result.getStatus())
                        .setOutput(result.getOutput())
                        .setError(result.getError())
                        .setAgents(result.getAgents())
                        .setTokensIn(result.getTokensIn())
                        .setTokensOut(result.getTokensOut())
                        .setCostUsd(result.getCostUsd())
                        .setLatencyMs(result.getLatencyMs());
                agents.addAll(result.getAgents());
                tokensIn += result.getTokensIn();
                tokensOut += result.getTokensOut();
                cost += result.getCostUsd();
                simulated |= result.getSimulated();
            }
            subtasks.add(subtask.build());
        }
        return TaskResult.newBuilder()
                .setTaskId(root.getTaskId())
                .setTenant(root.getTenant())
                .setSessionId(root.getSessionId())
                .setKind(root.getKind())
                .setStatus(status)
                .setOutput(output)
                .setError(error)
                .setStrategy(Strategy.DECOMPOSE)
                .setTier(analyzed.getAnalysis().getTier())
                .setComplexity(analyzed.getAnalysis().getComplexity())
                .setAgents(new ArrayList<>(agents))
                .setTokensIn(tokensIn)
                .setTokensOut(tokensOut)
                .setCostUsd(cost)
                .setSimulated(simulated)
                .setLatencyMs(Math.max(0, now - analyzed.getAdmittedAt()))
                .setParentId(root.getParentId())
                .setRootId(root.getRootId())
                .setSubtasks(subtasks)
                .setLineage(TaskHash.lineage(root))
                .build();
    }

    private static Map<String, PlanStep> byId(Plan plan) {
        Map<String, PlanStep> byId = new HashMap<>();
        for (PlanStep step : plan.getSteps()) {
            byId.put(step.getId(), step);
        }
        return byId;
    }
}
