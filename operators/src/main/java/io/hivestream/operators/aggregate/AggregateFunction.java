package io.hivestream.operators.aggregate;

import io.hivestream.operators.Duplicates;
import io.hivestream.operators.Outputs;
import io.hivestream.operators.StateTtl;
import io.hivestream.operators.plan.Cancellations;
import io.hivestream.operators.plan.PlanJson;
import io.hivestream.operators.plan.PlanSettings;
import io.hivestream.operators.plan.PlanValidator;
import io.hivestream.operators.plan.Planner;
import io.hivestream.operators.plan.Plans;
import io.hivestream.operators.plan.RolePrompts;
import io.hivestream.operators.plan.Synthesizer;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskMetric;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.codec.Codecs;
import io.hivestream.schemas.codec.FastCoders;
import io.hivestream.schemas.codec.RecordDefaults;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.Plan;
import io.hivestream.schemas.internal.PlanStep;
import io.hivestream.schemas.internal.StepState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by root task id. The first input is every decided task (plain tasks and subtasks of plans);
 * the second, tasks to decompose ({@code DECOMPOSE}), which skip routing and execution.
 *
 * <p>Every task, subtask included, gets exactly one result here: its outcome, stamped, with a task
 * metric. A plain task holds no plan state, only its id while it is remembered (below).
 *
 * <p>State it owns, per plan: {@code plan}, from planning until the plan ends, with a processing
 * time timer at its deadline (the root task's {@code deadline}, or the plan timeout) and, in a
 * bounded run, an event time timer at the end of the input. A step is released as a subtask to the
 * {@link #SUBTASKS} side output (the tasks topic) when its dependencies have completed; when its
 * subtask's result comes back the plan moves on. The plan ends COMPLETED when every step has
 * completed (the synthesis of their outputs is the root's output), FAILED as soon as a step fails,
 * PARTIAL (or TIMED_OUT when nothing completed) at the deadline; the root's result carries every
 * step's result, and the state and timers are removed. A subtask that finishes after its plan ended
 * still gets its own result.
 *
 * <p>{@code finished}, when the retention is positive: the ids of the key's tasks (the task itself,
 * or a plan's root and subtasks) that got their result, with when, each until the retention after
 * its result (state TTL: never read after that, removed by RocksDB's compaction, no timer per
 * task). A task id (by {@link Duplicates}'s rule) gets one result: a second result for a remembered
 * id (a repeat the route stage did not stop, e.g. one in another session) and a DECOMPOSE root that
 * arrives again after its plan ended (a replay upstream, a user resubmitting the id) are not
 * answered again but go to the {@link Outputs#DEAD_LETTERS} side output with the reason.
 */
public final class AggregateFunction
        extends KeyedCoProcessFunction<String, TaskResult, AnalyzedTask, TaskResult> {
    private static final long serialVersionUID = 1L;

    public static final Duration DEFAULT_PLAN_TIMEOUT = Duration.ofMinutes(10);

    /** How long a task id is remembered after its result, by default. */
    public static final Duration DEFAULT_FINISHED_RETENTION = Duration.ofHours(1);

    /** The stage named in the dead letters of tasks that already had their result. */
    public static final String STAGE = "aggregate";

    /** Subtasks of plans, to be published to the tasks topic. */
    public static final OutputTag<Task> SUBTASKS =
            new OutputTag<>("subtasks", new AvroTypeInfo<>(Task.class));

    private static final long END_OF_INPUT = Long.MAX_VALUE;

    private static final RecordDefaults<Metric> METRICS = RecordDefaults.of(Metric::new);
    private static final RecordDefaults<TaskMetric> TASK_METRICS =
            RecordDefaults.of(TaskMetric::new);

    /** How many answers a planner gets per planning round: a refused answer is asked again once. */
    static final int PLANNER_ANSWERS = 2;

    /** The id of a plan's synthesis subtask. */
    static final String SYNTHESIS_ID = "synthesize";

    private static final String AGENT = "agent";
    private static final String TEMPLATE = "template";
    private static final String MERGE = "merge";
    private static final String ONE_STEP = "none: a plan of one step answers with its output";

    private final Planner planner;
    private final PlanValidator validator;
    private final Synthesizer synthesizer;
    private final PlanSettings settings;
    private final Duration planTimeout;
    private final Clock clock;
    private final boolean boundedInput;
    private final Duration finishedRetention;
    private final String tasksTopic;
    private transient ValueState<Plan> plan;
    private transient MapState<String, Long> finished;
    private transient Counter duplicates;
    private transient Counter results;
    private transient Counter noConsensus;
    private transient Histogram agreement;

    /**
     * @param planTimeout how long a plan whose root task has no deadline may run
     * @param boundedInput whether the input ends; then plans still running when it ends finish
     *     PARTIAL rather than being dropped with the job
     */
    public AggregateFunction(
            Planner planner,
            PlanValidator validator,
            Synthesizer synthesizer,
            Duration planTimeout,
            Clock clock,
            boolean boundedInput) {
        this(planner, validator, synthesizer, planTimeout, clock, boundedInput, Duration.ZERO, "");
    }

    /**
     * @param finishedRetention how long a task id is remembered after its result, so that the same
     *     id is not answered twice; zero remembers nothing
     * @param tasksTopic the topic named in the dead letters of tasks that already had their result
     */
    public AggregateFunction(
            Planner planner,
            PlanValidator validator,
            Synthesizer synthesizer,
            Duration planTimeout,
            Clock clock,
            boolean boundedInput,
            Duration finishedRetention,
            String tasksTopic) {
        this(
                planner,
                validator,
                synthesizer,
                PlanSettings.TEMPLATES,
                planTimeout,
                clock,
                boundedInput,
                finishedRetention,
                tasksTopic);
    }

    /**
     * @param settings who plans (a planner agent or the templates), how often a plan may re-plan,
     *     and the roles' system prompts
     */
    public AggregateFunction(
            Planner planner,
            PlanValidator validator,
            Synthesizer synthesizer,
            PlanSettings settings,
            Duration planTimeout,
            Clock clock,
            boolean boundedInput,
            Duration finishedRetention,
            String tasksTopic) {
        if (planTimeout.isNegative() || planTimeout.isZero()) {
            throw new IllegalArgumentException("planTimeout must be positive: " + planTimeout);
        }
        if (finishedRetention.isNegative()) {
            throw new IllegalArgumentException(
                    "finishedRetention must not be negative: " + finishedRetention);
        }
        this.planner = planner;
        this.validator = validator;
        this.synthesizer = synthesizer;
        this.settings = settings;
        this.planTimeout = planTimeout;
        this.clock = clock;
        this.boundedInput = boundedInput;
        this.finishedRetention = finishedRetention;
        this.tasksTopic = tasksTopic;
    }

    /** The key of the aggregate stage: the root of the task's plan, or the task itself. */
    public static String rootOf(TaskResult result) {
        return result.getRootId() != null ? result.getRootId() : result.getTaskId();
    }

    @Override
    public void open(OpenContext openContext) {
        FastCoders.enable();
        plan =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>("plan", new AvroTypeInfo<>(Plan.class)));
        if (finishedRetention.toMillis() > 0) {
            finished = getRuntimeContext().getMapState(finishedDescriptor(finishedRetention));
        }
        results = getRuntimeContext().getMetricGroup().counter("results");
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicates");
        noConsensus = getRuntimeContext().getMetricGroup().counter("noConsensus");
        agreement =
                getRuntimeContext()
                        .getMetricGroup()
                        .histogram("consensusAgreement", new DescriptiveStatisticsHistogram(1000));
    }

    @Override
    public void processElement1(TaskResult outcome, Context ctx, Collector<TaskResult> out)
            throws Exception {
        Long before = remembered(Duplicates.idOf(outcome));
        if (before != null) {
            duplicate(
                    Duplicates.idOf(outcome),
                    before,
                    "a second result (" + outcome.getStatus() + ") is dropped",
                    Codecs.TASK_RESULT.encodeAvro(outcome),
                    ctx);
            return;
        }
        emit(outcome, ctx, out);
        if (outcome.getRootId() == null) {
            return; // not a step of a plan: no plan state to read
        }
        Plan current = plan.value();
        if (current == null) {
            return;
        }
        PlanStep call = Plans.pendingCall(current, outcome);
        if (call != null) {
            Plans.finish(call, outcome);
            current.setPending(null);
            if (RolePrompts.SYNTHESIZER.equals(call.getRole())) {
                synthesized(current, outcome, ctx, out);
            } else {
                planned(current, call, outcome, ctx, out);
            }
            return;
        }
        PlanStep step = Plans.awaiting(current, outcome);
        if (step == null) {
            return;
        }
        Plans.finish(step, outcome);
        if (outcome.getStatus() != TaskStatus.COMPLETED) {
            if (AGENT.equals(current.getPlanner())
                    && current.getReplans() < settings.maxReplans()) {
                current.setReplans(current.getReplans() + 1);
                current.setAttempt(0);
                current.setRefusals(new ArrayList<>());
                cancel(
                        current,
                        "plan "
                                + current.getRoot().getTask().getTaskId()
                                + " re-plans after step "
                                + step.getId()
                                + " failed",
                        ctx);
                askPlanner(current, step, ctx);
                plan.update(current);
                return;
            }
            end(
                    current,
                    TaskStatus.FAILED,
                    null,
                    "subtask "
                            + step.getId()
                            + " ("
                            + step.getRole()
                            + ") ended "
                            + outcome.getStatus()
                            + ": "
                            + Plans.failureOf(outcome),
                    null,
                    ctx,
                    out);
            return;
        }
        if (Plans.settled(current)) {
            synthesize(current, ctx, out);
            return;
        }
        releaseReady(current, ctx);
        plan.update(current);
    }

    @Override
    public void processElement2(AnalyzedTask root, Context ctx, Collector<TaskResult> out)
            throws Exception {
        if (plan.value() != null) {
            // A replay of a root whose plan is running: the plan already answers for it.
            return;
        }
        Long before = remembered(Duplicates.idOf(root.getTask()));
        if (before != null) {
            duplicate(
                    Duplicates.idOf(root.getTask()),
                    before,
                    "it is not planned again",
                    Codecs.TASK.encodeAvro(root.getTask()),
                    ctx);
            return;
        }
        long now = clock.millis();
        Long deadline = root.getTask().getDeadline();
        Plan started =
                Plans.start(
                        root,
                        List.of(),
                        deadline != null ? deadline : now + planTimeout.toMillis());
        List<String> catalog = catalog(started);
        boolean byAgent =
                switch (settings.planner()) {
                    case AGENT -> true;
                    case TEMPLATE -> false;
                    // No agent known yet: the planning subtask waits for one at the route stage.
                    case AUTO -> catalog.isEmpty() || catalog.contains(RolePrompts.PLAN);
                };
        if (!byAgent) {
            planByTemplate(started, ctx, out);
            return;
        }
        started.setPlanner(AGENT);
        startTimers(started, ctx);
        askPlanner(started, null, ctx);
        plan.update(started);
    }

    /** Plans the task from a template; a refused template plan fails the task at once. */
    private void planByTemplate(Plan current, Context ctx, Collector<TaskResult> out)
            throws Exception {
        current.setPlanner(TEMPLATE);
        List<Planner.Step> steps;
        List<String> problems;
        try {
            steps = planner.plan(current.getRoot().getTask());
            problems = validator.problems(steps);
        } catch (RuntimeException e) {
            steps = List.of();
            problems = List.of(String.valueOf(e.getMessage()));
        }
        if (!problems.isEmpty()) {
            end(
                    current,
                    TaskStatus.FAILED,
                    null,
                    "no valid plan: " + String.join("; ", problems),
                    null,
                    ctx,
                    out);
            return;
        }
        current.getSteps().addAll(Plans.steps(current.getRoot().getTask().getTaskId(), steps));
        if (current.getCalls().isEmpty()) {
            startTimers(current, ctx);
        }
        releaseReady(current, ctx);
        plan.update(current);
    }

    private void startTimers(Plan started, Context ctx) {
        ctx.timerService().registerProcessingTimeTimer(started.getDeadline());
        if (boundedInput) {
            // The final watermark fires it when the input ends, so no plan waits past the end.
            ctx.timerService().registerEventTimeTimer(END_OF_INPUT);
        }
    }

    /**
     * Sends the plan's next planning subtask: the first plan, a second answer after a refused one,
     * or a re-plan after {@code failed}.
     */
    private void askPlanner(Plan current, PlanStep failed, Context ctx) {
        current.setAttempt(current.getAttempt() + 1);
        String id =
                current.getReplans() == 0
                        ? "plan-" + current.getAttempt()
                        : "replan-" + current.getReplans() + "-" + current.getAttempt();
        PlanStep call =
                Plans.call(
                        current.getRoot().getTask().getTaskId(),
                        id,
                        RolePrompts.PLANNER,
                        RolePrompts.PLAN);
        call.setBudgetUsd(Plans.budgetShare(current, 1));
        Task task =
                Plans.planning(
                        current,
                        call,
                        catalog(current),
                        failed,
                        current.getRefusals(),
                        settings,
                        clock.millis());
        current.getCalls().add(call);
        current.setPending(call.getTaskId());
        ctx.output(SUBTASKS, task);
    }

    /** A planner's answer: the plan (or the re-plan's new steps) starts, or is refused. */
    private void planned(
            Plan current, PlanStep call, TaskResult answer, Context ctx, Collector<TaskResult> out)
            throws Exception {
        if (answer.getStatus() != TaskStatus.COMPLETED) {
            if (settings.planner() == PlanSettings.Mode.AUTO && current.getSteps().isEmpty()) {
                // No planner could answer: the templates plan instead.
                planByTemplate(current, ctx, out);
                return;
            }
            end(
                    current,
                    TaskStatus.FAILED,
                    null,
                    "the planner failed: " + Plans.failureOf(answer),
                    null,
                    ctx,
                    out);
            return;
        }
        List<String> problems;
        List<Planner.Step> steps = List.of();
        try {
            steps = PlanJson.parse(answer.getOutput());
            problems =
                    validator.problems(
                            steps,
                            catalog(current).isEmpty() ? null : Set.copyOf(catalog(current)),
                            Set.copyOf(Plans.usedIds(current)),
                            Plans.completedIds(current));
        } catch (PlanJson.PlanFormatException e) {
            problems = e.problems();
        }
        if (!problems.isEmpty()) {
            String reasons = String.join("; ", problems);
            call.setResult(
                    TaskResult.newBuilder(answer)
                            .setStatus(TaskStatus.FAILED)
                            .setError("plan refused: " + reasons)
                            .build());
            List<String> refusals = new ArrayList<>(current.getRefusals());
            refusals.add(reasons);
            current.setRefusals(refusals);
            if (current.getAttempt() < PLANNER_ANSWERS) {
                askPlanner(current, Plans.lastFailed(current), ctx);
                plan.update(current);
                return;
            }
            end(
                    current,
                    TaskStatus.FAILED,
                    null,
                    "no valid plan after "
                            + PLANNER_ANSWERS
                            + " answers: "
                            + String.join(" | then: ", refusals),
                    null,
                    ctx,
                    out);
            return;
        }
        Double budget = current.getRoot().getTask().getBudgetUsd();
        double spent = Plans.spent(current);
        if (budget != null && spent >= budget) {
            end(
                    current,
                    TaskStatus.FAILED,
                    null,
                    String.format(
                            Locale.ROOT,
                            "the task's budget of $%.6f is spent ($%.6f so far): no step starts",
                            budget,
                            spent),
                    null,
                    ctx,
                    out);
            return;
        }
        current.setAttempt(0);
        current.setRefusals(new ArrayList<>());
        current.getSteps().addAll(Plans.steps(current.getRoot().getTask().getTaskId(), steps));
        releaseReady(current, ctx);
        plan.update(current);
    }

    /**
     * Every step has completed: a synthesizer agent writes the answer, or the merge does. A plan of
     * one step needs neither: its output is the answer.
     */
    private void synthesize(Plan current, Context ctx, Collector<TaskResult> out) throws Exception {
        if (current.getSteps().size() == 1) {
            end(
                    current,
                    TaskStatus.COMPLETED,
                    current.getSteps().get(0).getResult().getOutput(),
                    null,
                    ONE_STEP,
                    ctx,
                    out);
            return;
        }
        // With planner agents only (AGENT), a synthesizer is asked even when none was known when
        // the task arrived; it fails over to the merge if none answers.
        if (settings.planner() != PlanSettings.Mode.AGENT
                && !catalog(current).contains(RolePrompts.SYNTHESIZE)) {
            end(
                    current,
                    TaskStatus.COMPLETED,
                    synthesizer.synthesize(current),
                    null,
                    MERGE + ": no agent offers " + RolePrompts.SYNTHESIZE,
                    ctx,
                    out);
            return;
        }
        PlanStep call =
                Plans.call(
                        current.getRoot().getTask().getTaskId(),
                        SYNTHESIS_ID,
                        RolePrompts.SYNTHESIZER,
                        RolePrompts.SYNTHESIZE);
        call.setBudgetUsd(Plans.budgetShare(current, 1));
        Task task = Plans.synthesis(current, call, settings, clock.millis());
        current.getCalls().add(call);
        current.setPending(call.getTaskId());
        ctx.output(SUBTASKS, task);
        plan.update(current);
    }

    private void synthesized(
            Plan current, TaskResult answer, Context ctx, Collector<TaskResult> out)
            throws Exception {
        if (answer.getStatus() == TaskStatus.COMPLETED) {
            end(current, TaskStatus.COMPLETED, answer.getOutput(), null, AGENT, ctx, out);
        } else {
            end(
                    current,
                    TaskStatus.COMPLETED,
                    synthesizer.synthesize(current),
                    null,
                    MERGE + ": the synthesizer failed: " + Plans.failureOf(answer),
                    ctx,
                    out);
        }
    }

    /** The capabilities the agents in rotation offered when the route stage saw the root. */
    private static List<String> catalog(Plan current) {
        String listed = current.getRoot().getTask().getMetadata().get(RolePrompts.CATALOG);
        if (listed == null || listed.isBlank()) {
            return List.of();
        }
        return List.of(listed.split(","));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TaskResult> out)
            throws Exception {
        Plan current = plan.value();
        if (current == null) {
            return;
        }
        String why;
        if (timestamp == END_OF_INPUT) {
            why = "the input ended";
        } else if (timestamp >= current.getDeadline()) {
            why = "the deadline passed";
        } else {
            return;
        }
        long done = Plans.doneCount(current);
        end(
                current,
                done > 0 ? TaskStatus.PARTIAL : TaskStatus.TIMED_OUT,
                synthesizer.synthesize(current),
                why + " with " + done + " of " + current.getSteps().size() + " subtasks completed",
                done > 0 ? MERGE : null,
                ctx,
                out);
    }

    private void releaseReady(Plan current, Context ctx) {
        long now = clock.millis();
        List<PlanStep> ready = Plans.ready(current);
        Double share = Plans.budgetShare(current, ready.size());
        for (PlanStep step : ready) {
            step.setBudgetUsd(share);
            Plans.release(step);
            ctx.output(SUBTASKS, Plans.subtask(current, step, settings, now));
        }
    }

    /** Cancels what waits or runs: released subtasks are told, through the tasks topic. */
    private void cancel(Plan current, String reason, Context ctx) {
        long now = clock.millis();
        for (PlanStep released : Plans.cancelOutstanding(current)) {
            ctx.output(
                    SUBTASKS,
                    Cancellations.of(
                            released.getTaskId(), current.getRoot().getTask(), reason, now));
        }
    }

    /**
     * Ends the plan: cancels what still waits or runs, emits the root's result and removes the
     * plan's state and timers.
     *
     * @param synthesis who wrote the output: agent, or merge and why; null when there is none
     */
    private void end(
            Plan current,
            TaskStatus status,
            String output,
            String error,
            String synthesis,
            Context ctx,
            Collector<TaskResult> out)
            throws Exception {
        cancel(
                current,
                "plan "
                        + current.getRoot().getTask().getTaskId()
                        + " ended "
                        + status
                        + (error != null ? ": " + error : ""),
                ctx);
        Map<String, String> metadata = new TreeMap<>();
        metadata.put(Plans.PLANNER, current.getPlanner());
        metadata.put(Plans.REPLANS, String.valueOf(current.getReplans()));
        List<String> cancelled = new ArrayList<>();
        for (PlanStep step : current.getSteps()) {
            if (step.getState() == StepState.CANCELLED) {
                cancelled.add(step.getId());
            }
        }
        if (!cancelled.isEmpty()) {
            metadata.put(Plans.CANCELLED, String.join(",", cancelled));
        }
        if (synthesis != null) {
            metadata.put(Plans.SYNTHESIS, synthesis);
        }
        emit(Plans.rootResult(current, status, output, error, metadata, clock.millis()), ctx, out);
        plan.clear();
        ctx.timerService().deleteProcessingTimeTimer(current.getDeadline());
        if (boundedInput) {
            ctx.timerService().deleteEventTimeTimer(END_OF_INPUT);
        }
    }

    /** When the task id got its result, while it is remembered; else null. */
    private Long remembered(String taskId) throws Exception {
        return finishedRetention.toMillis() > 0 ? finished.get(taskId) : null;
    }

    /**
     * The task ids of a key that got their result, with when, each for {@code retention} after it.
     * Not registered at all without a retention. (State of a version that removed each id by a
     * timer restores into it: the TTL is then counted from the restore.)
     */
    private static MapStateDescriptor<String, Long> finishedDescriptor(Duration retention) {
        MapStateDescriptor<String, Long> descriptor =
                new MapStateDescriptor<>("finished", Types.STRING, Types.LONG);
        descriptor.enableTimeToLive(StateTtl.afterWrite(retention));
        return descriptor;
    }

    private void duplicate(String taskId, long resultAt, String what, byte[] value, Context ctx) {
        duplicates.inc();
        ctx.output(
                Outputs.DEAD_LETTERS,
                Duplicates.deadLetter(
                        tasksTopic,
                        taskId,
                        value,
                        STAGE,
                        "task "
                                + taskId
                                + " already got its result at "
                                + Instant.ofEpochMilli(resultAt)
                                + "; a task id gets one result, so "
                                + what
                                + " (publish it with a new id to run it again)",
                        clock.millis()));
    }

    /**
     * Stamps {@code result}, which this stage was handed and owns, with the time it completed,
     * emits it and its task metric, and remembers its task id.
     */
    private void emit(TaskResult result, Context ctx, Collector<TaskResult> out) throws Exception {
        long now = clock.millis();
        // Stamped in place: a builder would deep-copy every answer, for one field.
        result.setCompletedAt(now);
        TaskMetric task = TASK_METRICS.make();
        task.setStatus(result.getStatus());
        task.setStrategy(result.getStrategy());
        task.setTier(result.getTier());
        task.setLatencyMs(result.getLatencyMs());
        task.setCostUsd(result.getCostUsd());
        task.setTokensIn(result.getTokensIn());
        task.setTokensOut(result.getTokensOut());
        task.setAnswers(result.getAnswers().size());
        Metric metric = METRICS.make();
        metric.setKind(MetricKind.TASK);
        metric.setTimestamp(now);
        metric.setTaskId(result.getTaskId());
        metric.setTenant(result.getTenant());
        metric.setTask(task);
        ctx.output(Outputs.METRICS, metric);
        results.inc();
        if (result.getAgreement() != null) {
            agreement.update(Math.round(100 * result.getAgreement()));
        }
        if (result.getStatus() == TaskStatus.NO_CONSENSUS) {
            noConsensus.inc();
        }
        out.collect(result);
        if (finishedRetention.toMillis() > 0) {
            finished.put(Duplicates.idOf(result), now);
        }
    }
}
