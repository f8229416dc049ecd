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
import java.util.Objects;
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

    /** Root result metadata: who planned, agent or template. */
    public static final String PLANNER = "plan.planner";

    /** Root result metadata: how many times the plan was re-planned after a failed step. */
    public static final String REPLANS = "plan.replans";

    /** Root result metadata: the ids of the steps cancelled, comma-separated. */
    public static final String CANCELLED = "plan.cancelled";

    /** Root result metadata: who wrote the answer, agent or merge (and why merge). */
    public static final String SYNTHESIS = "plan.synthesis";

    /** Planning and synthesis subtask metadata: the root task's input. */
    public static final String TASK = "plan.task";

    /** Planning subtask metadata (a re-plan): the ids of the completed steps, comma-separated. */
    public static final String DONE = "plan.done";

    /** Planning subtask metadata (a re-plan): the id of the step that failed. */
    public static final String FAILED = "plan.failed";

    /** Planning subtask metadata: every step id the plan has used, comma-separated. */
    public static final String USED = "plan.used";

    /** Synthesis subtask metadata: the completed steps' ids in plan order, comma-separated. */
    public static final String STEPS = "plan.steps";

    private Plans() {}

    /** A new plan for the root task, every step waiting. */
    public static Plan start(AnalyzedTask root, List<Planner.Step> steps, long deadline) {
        return Plan.newBuilder()
                .setRoot(root)
                .setSteps(steps(root.getTask().getTaskId(), steps))
                .setDeadline(deadline)
                .build();
    }

    /** The plan's records of planned steps, every one waiting. */
    public static List<PlanStep> steps(String rootId, List<Planner.Step> steps) {
        List<PlanStep> planned = new ArrayList<>(steps.size());
        for (Planner.Step step : steps) {
            planned.add(
                    PlanStep.newBuilder()
                            .setId(step.id())
                            .setTaskId(subtaskId(rootId, step.id()))
                            .setRole(step.role())
                            .setKind(step.kind())
                            .setCapabilities(step.capabilities())
                            .setDependsOn(step.dependsOn())
                            .setInstruction(step.instruction())
                            .setState(StepState.WAITING)
                            .setReplicas(step.replicas())
                            .setQuorum(step.quorum())
                            .build());
        }
        return planned;
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
     * The subtask a step becomes: the step's instruction (each {@code {{ID}}} replaced by the
     * output of step ID), the root task's input and the results of the dependencies it does not
     * quote as its input; every dependency's result also in its metadata under {@code context.ID},
     * and its role's system prompt under {@link RolePrompts#SYSTEM}. It goes through the normal
     * stages (no further plan), voted on when the step asks for replicas, and its result comes back
     * to this plan's key.
     */
    public static Task subtask(Plan plan, PlanStep step, PlanSettings settings, long now) {
        Task root = plan.getRoot().getTask();
        Map<String, PlanStep> byId = byId(plan);
        String instruction = step.getInstruction();
        Map<String, String> metadata = subtaskMetadata(root, step.getRole(), settings.roles());
        int share = settings.maxInputChars() / Math.max(1, step.getDependsOn().size());
        metadata.put(STEP, step.getId());
        StringBuilder earlier = new StringBuilder();
        for (String dependency : step.getDependsOn()) {
            PlanStep done = byId.get(dependency);
            String output = fit(Objects.toString(done.getResult().getOutput(), ""), share);
            metadata.put(CONTEXT + dependency, output);
            String placeholder = "{{" + dependency + "}}";
            if (instruction.contains(placeholder)) {
                instruction = instruction.replace(placeholder, output);
            } else {
                earlier.append("\n[").append(done.getRole()).append("] ").append(output);
            }
        }
        StringBuilder input =
                new StringBuilder(instruction).append("\n\nTask: ").append(root.getInput());
        if (earlier.length() > 0) {
            input.append("\n\nResults of earlier steps:").append(earlier);
        }
        int replicas = Math.max(1, step.getReplicas());
        return Task.newBuilder()
                .setTaskId(step.getTaskId())
                .setTenant(root.getTenant())
                .setKind(step.getKind())
                .setInput(fit(input.toString(), settings.maxInputChars()))
                .setCapabilities(step.getCapabilities())
                .setStrategy(replicas > 1 ? Strategy.CONSENSUS : Strategy.DIRECT)
                .setReplicas(replicas)
                .setQuorum(step.getQuorum())
                .setBudgetUsd(step.getBudgetUsd())
                .setPriority(root.getPriority())
                .setDeadline(plan.getDeadline())
                .setMetadata(metadata)
                .setParentId(root.getTaskId())
                .setRootId(root.getTaskId())
                .setRole(step.getRole())
                .setCreatedAt(now)
                .build();
    }

    /** A planning or synthesis subtask's record in the plan: released as it is made. */
    public static PlanStep call(String rootId, String id, String role, String capability) {
        return PlanStep.newBuilder()
                .setId(id)
                .setTaskId(subtaskId(rootId, id))
                .setRole(role)
                .setKind(capability)
                .setCapabilities(List.of(capability))
                .setInstruction(role)
                .setState(StepState.RELEASED)
                .build();
    }

    /**
     * The planning subtask: the root task, the capabilities on offer and what the plan has done so
     * far, for a planner agent to answer with a plan in {@link PlanJson}'s form.
     *
     * @param catalog the capabilities the agents in rotation offer
     * @param failed the step whose failure asks for this re-plan; null for the first plan
     * @param refusals why the planner's earlier answers in this round were refused
     */
    public static Task planning(
            Plan plan,
            PlanStep call,
            List<String> catalog,
            PlanStep failed,
            List<String> refusals,
            PlanSettings settings,
            long now) {
        Task root = plan.getRoot().getTask();
        Map<String, String> metadata = subtaskMetadata(root, RolePrompts.PLANNER, settings.roles());
        metadata.put(TASK, root.getInput());
        metadata.put(RolePrompts.CATALOG, String.join(",", catalog));
        StringBuilder input = new StringBuilder("Task: ").append(root.getInput());
        input.append("\n\nCapabilities available: ").append(String.join(", ", catalog)).append('.');
        List<String> used = usedIds(plan);
        if (!used.isEmpty()) {
            metadata.put(USED, String.join(",", used));
            input.append("\nStep ids already used (choose others): ")
                    .append(String.join(", ", used))
                    .append('.');
        }
        if (failed != null) {
            List<String> done = new ArrayList<>();
            StringBuilder completed = new StringBuilder();
            for (PlanStep step : plan.getSteps()) {
                if (completed(step)) {
                    done.add(step.getId());
                    completed
                            .append("\n[")
                            .append(step.getId())
                            .append("] (")
                            .append(step.getRole())
                            .append(") ")
                            .append(fit(Objects.toString(step.getResult().getOutput(), ""), GIST));
                }
            }
            metadata.put(DONE, String.join(",", done));
            metadata.put(FAILED, failed.getId());
            if (completed.length() > 0) {
                input.append("\n\nCompleted steps (new steps may depend on them and quote them")
                        .append(" with {{ID}}):")
                        .append(completed);
            }
            input.append("\n\nStep '")
                    .append(failed.getId())
                    .append("' (")
                    .append(failed.getRole())
                    .append(") failed: ")
                    .append(failureOf(failed.getResult()))
                    .append(
                            "\nPlan only the work that remains, with new steps; do not repeat"
                                    + " the completed ones.");
        }
        if (!refusals.isEmpty()) {
            input.append("\n\nYour previous plan was refused: ")
                    .append(String.join("; ", refusals))
                    .append(". Answer again with a plan that has none of these problems.");
        }
        return callTask(plan, call, fit(input.toString(), settings.maxInputChars()), metadata, now);
    }

    /** The synthesis subtask: the root task and the completed steps' outputs, in plan order. */
    public static Task synthesis(Plan plan, PlanStep call, PlanSettings settings, long now) {
        Task root = plan.getRoot().getTask();
        Map<String, String> metadata =
                subtaskMetadata(root, RolePrompts.SYNTHESIZER, settings.roles());
        int share = settings.maxInputChars() / (int) Math.max(1, doneCount(plan));
        metadata.put(TASK, root.getInput());
        StringBuilder input =
                new StringBuilder("Task: ")
                        .append(root.getInput())
                        .append("\n\nOutputs of the steps:");
        List<String> ids = new ArrayList<>();
        for (PlanStep step : plan.getSteps()) {
            if (completed(step)) {
                ids.add(step.getId());
                String output = fit(Objects.toString(step.getResult().getOutput(), ""), share);
                metadata.put(CONTEXT + step.getId(), output);
                input.append("\n[")
                        .append(step.getId())
                        .append("] (")
                        .append(step.getRole())
                        .append(") ")
                        .append(output);
            }
        }
        metadata.put(STEPS, String.join(",", ids));
        return callTask(plan, call, fit(input.toString(), settings.maxInputChars()), metadata, now);
    }

    /** Every id the plan has used: its steps' and its planning and synthesis subtasks'. */
    public static List<String> usedIds(Plan plan) {
        List<String> used = new ArrayList<>();
        plan.getCalls().forEach(c -> used.add(c.getId()));
        plan.getSteps().forEach(s -> used.add(s.getId()));
        return used;
    }

    /** The ids of the plan's completed steps. */
    public static Set<String> completedIds(Plan plan) {
        Set<String> ids = new LinkedHashSet<>();
        for (PlanStep step : plan.getSteps()) {
            if (completed(step)) {
                ids.add(step.getId());
            }
        }
        return ids;
    }

    /** Whether no step waits or runs: each has completed, failed or been cancelled. */
    public static boolean settled(Plan plan) {
        return plan.getSteps().stream()
                .noneMatch(
                        s ->
                                s.getState() == StepState.WAITING
                                        || s.getState() == StepState.RELEASED);
    }

    /**
     * Cancels every step that waits or runs, and the planning or synthesis subtask the plan waits
     * for; returns the released ones, whose subtasks must be told ({@link Cancellations}).
     */
    public static List<PlanStep> cancelOutstanding(Plan plan) {
        List<PlanStep> released = new ArrayList<>();
        for (PlanStep step : plan.getSteps()) {
            if (step.getState() == StepState.RELEASED) {
                released.add(step);
            }
            if (step.getState() == StepState.RELEASED || step.getState() == StepState.WAITING) {
                step.setState(StepState.CANCELLED);
            }
        }
        for (PlanStep call : plan.getCalls()) {
            if (call.getState() == StepState.RELEASED) {
                call.setState(StepState.CANCELLED);
                released.add(call);
            }
        }
        plan.setPending(null);
        return released;
    }

    /** The planning or synthesis subtask this result answers, while the plan waits for it. */
    public static PlanStep pendingCall(Plan plan, TaskResult result) {
        if (!result.getTaskId().equals(plan.getPending())) {
            return null;
        }
        for (PlanStep call : plan.getCalls()) {
            if (call.getTaskId().equals(result.getTaskId())) {
                return call;
            }
        }
        return null;
    }

    /** How much of a completed step's output a re-plan's prompt quotes. */
    static final int GIST = 2_000;

    /**
     * The text, or as much of it as fits in {@code max} characters with a note of how much was cut:
     * a subtask's input must stay within a task's limit, and its record within Kafka's.
     */
    public static String fit(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        // The note is at most 35 characters: its number has at most ten digits.
        int keep = Math.max(0, max - 40);
        return text.substring(0, keep) + " … [" + (text.length() - keep) + " more characters cut]";
    }

    /** The last step that finished without completing: the one a re-plan is about; or null. */
    public static PlanStep lastFailed(Plan plan) {
        PlanStep failed = null;
        for (PlanStep step : plan.getSteps()) {
            if (step.getState() == StepState.DONE && !completed(step)) {
                failed = step;
            }
        }
        return failed;
    }

    /** What the plan's subtasks have cost so far: planner, steps and synthesis. */
    public static double spent(Plan plan) {
        double spent = 0;
        for (PlanStep step : plan.getCalls()) {
            spent += step.getResult() != null ? step.getResult().getCostUsd() : 0;
        }
        for (PlanStep step : plan.getSteps()) {
            spent += step.getResult() != null ? step.getResult().getCostUsd() : 0;
        }
        return spent;
    }

    /**
     * What each of {@code sharers} subtasks about to be released may spend: what the root's budget
     * has left after what the plan spent and what its subtasks in flight may still spend, split
     * evenly among them and the plan's steps that wait (the shares of the steps released later come
     * from what is left then). A plan of several steps keeps one share back for its synthesis while
     * steps wait or run. A step cancelled after its release keeps its share: its calls in flight
     * still finish. The sum of what the subtasks may spend never exceeds the budget. Null when the
     * root has no budget.
     */
    public static Double budgetShare(Plan plan, int sharers) {
        Double budget = plan.getRoot().getTask().getBudgetUsd();
        if (budget == null) {
            return null;
        }
        double reserved = 0;
        int waiting = 0;
        for (PlanStep step : allSubtasks(plan)) {
            boolean mayStillSpend =
                    step.getState() == StepState.RELEASED
                            // Cancelled after its release: calls already in flight still finish.
                            || (step.getState() == StepState.CANCELLED && step.getResult() == null);
            if (mayStillSpend && step.getBudgetUsd() != null) {
                reserved += step.getBudgetUsd();
            } else if (step.getState() == StepState.WAITING) {
                waiting++;
            }
        }
        int synthesis = plan.getSteps().size() > 1 && !settled(plan) ? 1 : 0;
        int shares = Math.max(sharers, waiting) + synthesis;
        double left = budget - spent(plan) - reserved;
        return left <= 0 ? 0.0 : left / Math.max(1, shares);
    }

    private static List<PlanStep> allSubtasks(Plan plan) {
        List<PlanStep> all = new ArrayList<>(plan.getCalls());
        all.addAll(plan.getSteps());
        return all;
    }

    /** Why a result is not a completed one, in a sentence's words. */
    public static String failureOf(TaskResult result) {
        if (result == null) {
            return "no result";
        }
        return result.getError() != null ? result.getError() : result.getStatus().name();
    }

    private static Task callTask(
            Plan plan, PlanStep call, String input, Map<String, String> metadata, long now) {
        Task root = plan.getRoot().getTask();
        return Task.newBuilder()
                .setTaskId(call.getTaskId())
                .setTenant(root.getTenant())
                .setKind(call.getKind())
                .setInput(input)
                .setCapabilities(call.getCapabilities())
                .setStrategy(Strategy.DIRECT)
                .setBudgetUsd(call.getBudgetUsd())
                .setPriority(root.getPriority())
                .setDeadline(plan.getDeadline())
                .setMetadata(metadata)
                .setParentId(root.getTaskId())
                .setRootId(root.getTaskId())
                .setRole(call.getRole())
                .setCreatedAt(now)
                .build();
    }

    /** The root's metadata a subtask keeps, with its role's system prompt. */
    private static Map<String, String> subtaskMetadata(Task root, String role, RolePrompts roles) {
        Map<String, String> metadata = new HashMap<>(root.getMetadata());
        metadata.remove(TemplatePlanner.TEMPLATE);
        metadata.remove(RolePrompts.CATALOG);
        metadata.put(RolePrompts.SYSTEM, roles.of(role));
        return metadata;
    }

    /**
     * The root task's result when its plan ends, with every subtask attached in the order the plan
     * made them: the planner's answers (a refused one {@code FAILED} with the reasons), the steps
     * (one that never ran or had not finished: {@code CANCELLED}) and the synthesis. Tokens and
     * cost are those of the whole tree.
     *
     * @param metadata what the result says of the plan: {@link #PLANNER}, {@link #REPLANS}, {@link
     *     #CANCELLED}, {@link #SYNTHESIS}
     */
    public static TaskResult rootResult(
            Plan plan,
            TaskStatus status,
            String output,
            String error,
            Map<String, String> metadata,
            long now) {
        AnalyzedTask analyzed = plan.getRoot();
        Task root = analyzed.getTask();
        List<PlanStep> all = new ArrayList<>();
        List<PlanStep> synthesis = new ArrayList<>();
        for (PlanStep call : plan.getCalls()) {
            (RolePrompts.SYNTHESIZER.equals(call.getRole()) ? synthesis : all).add(call);
        }
        all.addAll(plan.getSteps());
        all.addAll(synthesis);
        List<SubtaskResult> subtasks = new ArrayList<>();
        // The root's agents are those that answered its steps, not its planner or synthesizer.
        Set<String> agents = new LinkedHashSet<>();
        for (PlanStep step : plan.getSteps()) {
            if (step.getResult() != null) {
                agents.addAll(step.getResult().getAgents());
            }
        }
        long tokensIn = 0;
        long tokensOut = 0;
        double cost = 0;
        boolean simulated = false;
        for (PlanStep step : all) {
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
                tokensIn += result.getTokensIn();
                tokensOut += result.getTokensOut();
                cost += result.getCostUsd();
                simulated |= result.getSimulated();
            } else if (step.getState() == StepState.CANCELLED) {
                subtask.setStatus(TaskStatus.CANCELLED)
                        .setError("cancelled before it finished: the plan ended or re-planned");
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
                .setAnalyzerModel(analyzed.getAnalysis().getModel())
                .setAgents(new ArrayList<>(agents))
                .setTokensIn(tokensIn)
                .setTokensOut(tokensOut)
                .setCostUsd(cost)
                .setSimulated(simulated)
                .setLatencyMs(Math.max(0, now - analyzed.getAdmittedAt()))
                .setParentId(root.getParentId())
                .setRootId(root.getRootId())
                .setSubtasks(subtasks)
                .setMetadata(metadata)
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
