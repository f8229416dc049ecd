package io.hivestream.operators.route;

import io.hivestream.operators.Duplicates;
import io.hivestream.operators.Outputs;
import io.hivestream.operators.StateTtl;
import io.hivestream.operators.plan.Cancellations;
import io.hivestream.operators.plan.RolePrompts;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.codec.Codecs;
import io.hivestream.schemas.codec.FastCoders;
import io.hivestream.schemas.codec.RecordDefaults;
import io.hivestream.schemas.internal.AgentView;
import io.hivestream.schemas.internal.Analysis;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.api.java.typeutils.TupleTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by {@link SessionKeys}: a task's session, or the task itself. Owns the agents' views
 * (broadcast state, agentId to record, statistics and health, published by {@link
 * AgentStatsFunction}) and, per key, the tasks waiting for a suitable agent ({@link WaitingLine},
 * keyed state) with a timer each. A later turn of a session waits behind an earlier turn that
 * waits, so turns leave this stage in the order they arrived. A task is routed as soon as enough
 * agents in the rotation offer its capabilities; one still waiting when its wait ends, or when the
 * input ends, fails with the reason instead of waiting forever. Each task's draws come from a
 * random seeded by its id and the job's seed, so a replay after a restore routes it the same way.
 *
 * <p>With a positive dedupe retention it also remembers, per key, the id of every task it received
 * ({@code received-task-ids}, keyed map state whose entries expire by state TTL after the
 * retention): a task whose id is still remembered, its first copy in flight or answered, is not
 * routed, so no agent is called for it, but goes to the {@link Outputs#DEAD_LETTERS} side output
 * with the reason. Ids are the same by {@link Duplicates}'s rule, the aggregate stage's; a plan's
 * subtasks have ids of their own.
 *
 * <p>A task to decompose is not routed: it goes on to the aggregate stage ({@link #PLANS}) with the
 * capabilities the agents in rotation that serve its tenant offer, what its plan may ask for. On a
 * job's first start, while the agents topic is still being read, one waits in {@code plans-waiting}
 * until {@link #PLAN_SETTLE_MS} after the first agent arrived (or that long for the first, at most
 * the agent wait), so that the registry it is planned against is complete. A plan's step's
 * cancellation is passed on to the execute stage without routing ({@link Cancellations}).
 */
public final class RouteFunction
        extends KeyedBroadcastProcessFunction<
                String, AnalyzedTask, AgentView, Either<CallRequest, AgentView>> {
    private static final RecordDefaults<CallRequest> REQUESTS = RecordDefaults.of(CallRequest::new);

    private static final long serialVersionUID = 1L;

    /** The stage named in the dead letters of repeated task ids. */
    public static final String STAGE = "route";

    /**
     * Tasks to decompose, passed on to the aggregate stage with the capabilities the agents in
     * rotation offer in their metadata ({@link RolePrompts#CATALOG}): what a plan may ask for.
     */
    /** How long a task to decompose waits when no agent is known yet. */
    static final long PLAN_SETTLE_MS = 2_000;

    /**
     * The stage's output: the requests it routed and, between them, every agent view it received,
     * passed on as it arrives, so that the execute stage chained to it knows the rotation the
     * requests were routed against.
     */
    public static final TypeInformation<Either<CallRequest, AgentView>> OUTPUT =
            new EitherTypeInfo<>(
                    new AvroTypeInfo<>(CallRequest.class), new AvroTypeInfo<>(AgentView.class));

    public static final OutputTag<AnalyzedTask> PLANS =
            new OutputTag<>("plans", new AvroTypeInfo<>(AnalyzedTask.class));

    public static final MapStateDescriptor<String, AgentView> AGENTS =
            new MapStateDescriptor<>(
                    "agent-views", Types.STRING, new AvroTypeInfo<>(AgentView.class));

    private final Router router;
    private final Escalation escalation;
    private final Duration agentWait;
    private final Clock clock;
    private final boolean boundedInput;
    private final long seed;
    private final Duration dedupeRetention;
    private final String tasksTopic;
    private TurnOrder turns;
    private Duration turnRetention;
    private transient ListState<Tuple2<Long, AnalyzedTask>> waiting;
    private transient ValueState<Long> nextTurn;
    private transient ListState<Tuple2<Long, AnalyzedTask>> heldTurns;
    private transient ListState<AnalyzedTask> plansWaiting;

    /** When this instance received its first agent view; -1: none yet (or a restored registry). */
    private transient long firstViewAt;

    private transient MapState<String, Long> received;
    private transient Counter duplicates;

    /**
     * @param boundedInput whether the input ends (a bounded run); then tasks still waiting for an
     *     agent fail when it ends rather than being dropped with the job
     */
    public RouteFunction(Router router, Duration agentWait, Clock clock, boolean boundedInput) {
        this(router, Escalation.off(), agentWait, clock, boundedInput, 0);
    }

    /**
     * @param escalation picks the CLOUD agents an unsure EDGE answer escalates to
     * @param boundedInput whether the input ends (a bounded run); then tasks still waiting for an
     *     agent fail when it ends rather than being dropped with the job
     */
    public RouteFunction(
            Router router,
            Escalation escalation,
            Duration agentWait,
            Clock clock,
            boolean boundedInput) {
        this(router, escalation, agentWait, clock, boundedInput, 0);
    }

    /**
     * @param escalation picks the CLOUD agents an unsure EDGE answer escalates to
     * @param boundedInput whether the input ends (a bounded run); then tasks still waiting for an
     *     agent fail when it ends rather than being dropped with the job
     * @param seed the job's seed of the routing draws
     */
    public RouteFunction(
            Router router,
            Escalation escalation,
            Duration agentWait,
            Clock clock,
            boolean boundedInput,
            long seed) {
        this(router, escalation, agentWait, clock, boundedInput, seed, Duration.ZERO, "");
    }

    /**
     * @param escalation picks the CLOUD agents an unsure EDGE answer escalates to
     * @param boundedInput whether the input ends (a bounded run); then tasks still waiting for an
     *     agent fail when it ends rather than being dropped with the job
     * @param seed the job's seed of the routing draws
     * @param dedupeRetention how long a received task id is remembered, so that a task published
     *     again under it is not run again; zero remembers nothing
     * @param tasksTopic the topic named in the dead letters of repeated task ids
     */
    public RouteFunction(
            Router router,
            Escalation escalation,
            Duration agentWait,
            Clock clock,
            boolean boundedInput,
            long seed,
            Duration dedupeRetention,
            String tasksTopic) {
        if (agentWait.isNegative() || agentWait.isZero()) {
            throw new IllegalArgumentException("agentWait must be positive: " + agentWait);
        }
        if (dedupeRetention.isNegative()) {
            throw new IllegalArgumentException(
                    "dedupeRetention must not be negative: " + dedupeRetention);
        }
        this.router = router;
        this.escalation = escalation;
        this.agentWait = agentWait;
        this.clock = clock;
        this.boundedInput = boundedInput;
        this.seed = seed;
        this.dedupeRetention = dedupeRetention;
        this.tasksTopic = tasksTopic;
    }

    /**
     * Puts numbered turns ({@code Task.turn}) of a session in order before routing them; the
     * session's next turn number is remembered for {@code retention} after its last turn.
     */
    public RouteFunction withTurns(TurnOrder turns, Duration retention) {
        this.turns = turns;
        this.turnRetention = retention;
        return this;
    }

    private static ListStateDescriptor<AnalyzedTask> plansWaitingDescriptor() {
        return new ListStateDescriptor<>("plans-waiting", new AvroTypeInfo<>(AnalyzedTask.class));
    }

    private static ListStateDescriptor<Tuple2<Long, AnalyzedTask>> waitingDescriptor() {
        return new ListStateDescriptor<>(
                "waiting", new TupleTypeInfo<>(Types.LONG, new AvroTypeInfo<>(AnalyzedTask.class)));
    }

    /**
     * The ids received under a key, with when, each until the retention after it was received. Not
     * registered at all without a retention, so a job that turns the retention on or off restores
     * either way.
     */
    private static MapStateDescriptor<String, Long> receivedDescriptor(Duration retention) {
        MapStateDescriptor<String, Long> descriptor =
                new MapStateDescriptor<>("received-task-ids", Types.STRING, Types.LONG);
        descriptor.enableTimeToLive(StateTtl.afterWrite(retention));
        return descriptor;
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext openContext) {
        FastCoders.enable();
        waiting = getRuntimeContext().getListState(waitingDescriptor());
        plansWaiting = getRuntimeContext().getListState(plansWaitingDescriptor());
        firstViewAt = -1;
        if (dedupeRetention.toMillis() > 0) {
            received = getRuntimeContext().getMapState(receivedDescriptor(dedupeRetention));
        }
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicates");
        if (turns != null) {
            ValueStateDescriptor<Long> next = new ValueStateDescriptor<>("next-turn", Types.LONG);
            next.enableTimeToLive(StateTtl.afterWrite(turnRetention));
            nextTurn = getRuntimeContext().getState(next);
            heldTurns =
                    getRuntimeContext()
                            .getListState(
                                    new ListStateDescriptor<>(
                                            "held-turns",
                                            new TupleTypeInfo<>(
                                                    Types.LONG,
                                                    new AvroTypeInfo<>(AnalyzedTask.class))));
        }
    }

    @Override
    public void processElement(
            AnalyzedTask task,
            ReadOnlyContext ctx,
            Collector<Either<CallRequest, AgentView>> output)
            throws Exception {
        Collector<CallRequest> out = requests(output);
        // A task to decompose is not deduplicated here: the aggregate stage tells a root seen
        // before.
        if (task.getAnalysis().getStrategy() != Strategy.DECOMPOSE) {
            if (received != null && repeated(task, ctx)) {
                return;
            }
            if (Cancellations.cancelled(task.getTask()) != null) {
                // Not a task to route: the execute stage, under the cancelled step's key, applies
                // it.
                out.collect(
                        CallRequest.newBuilder()
                                .setTask(task)
                                .setReplica(0)
                                .setChain(List.of())
                                .setCancel(Cancellations.reason(task.getTask()))
                                .build());
                return;
            }
        }
        if (turns != null && task.getTask().getTurn() != null) {
            TurnOrder.Session session = session();
            List<TurnOrder.Step> steps = turns.offer(session, task, clock.millis());
            afterTurns(session, steps, ctx, out);
            return;
        }
        dispatch(task, ctx, out);
    }

    /** A task to decompose goes to the aggregate stage; any other is routed. */
    private void dispatch(AnalyzedTask task, ReadOnlyContext ctx, Collector<CallRequest> out)
            throws Exception {
        if (task.getAnalysis().getStrategy() != Strategy.DECOMPOSE) {
            routeOrWait(task, ctx, out);
            return;
        }
        // The aggregate stage plans it, with the capabilities on offer; before any agent is known
        // (a fresh start) it waits for the first one.
        Iterable<Map.Entry<String, AgentView>> views =
                ctx.getBroadcastState(AGENTS).immutableEntries();
        long settled = registrySettledAt(views.iterator().hasNext());
        if (settled >= 0 && clock.millis() >= settled) {
            ctx.output(PLANS, withCatalog(task, views));
        } else {
            plansWaiting.add(task);
            startWaiting(
                    ctx.timerService(),
                    settled >= 0
                            ? settled
                            : clock.millis() + Math.min(agentWait.toMillis(), PLAN_SETTLE_MS));
        }
    }

    /** The session's numbered turns, as kept in state. */
    private TurnOrder.Session session() throws Exception {
        Long next = nextTurn.value();
        List<TurnOrder.Held> held = new ArrayList<>();
        Iterable<Tuple2<Long, AnalyzedTask>> stored = heldTurns.get();
        if (stored != null) {
            for (Tuple2<Long, AnalyzedTask> turn : stored) {
                held.add(new TurnOrder.Held(turn.f1, turn.f0));
            }
        }
        return new TurnOrder.Session(next == null ? 0 : next, held);
    }

    /** Keeps the session's turns, routes the turns that go on and refuses the others. */
    private void afterTurns(
            TurnOrder.Session session,
            List<TurnOrder.Step> steps,
            ReadOnlyContext ctx,
            Collector<CallRequest> out)
            throws Exception {
        nextTurn.update(session.next());
        List<Tuple2<Long, AnalyzedTask>> held = new ArrayList<>();
        for (TurnOrder.Held turn : session.held()) {
            held.add(Tuple2.of(turn.arrivedAt(), turn.task()));
        }
        heldTurns.update(held);
        long deadline = turns.deadline(session);
        if (deadline >= 0) {
            startWaiting(ctx.timerService(), deadline);
        }
        for (TurnOrder.Step step : steps) {
            if (step.refused()) {
                out.collect(unroutable(step.task(), step.refusal()));
            } else {
                dispatch(step.task(), ctx, out);
            }
        }
    }

    /** Routes the task, or lines it up behind its session's waiting turns or for an agent. */
    private void routeOrWait(AnalyzedTask task, ReadOnlyContext ctx, Collector<CallRequest> out)
            throws Exception {
        long deadline = clock.millis() + agentWait.toMillis();
        // A task without a session is alone under its key: nothing can wait ahead of it.
        if (task.getTask().getSessionId() != null && !isEmpty(waiting)) {
            waiting.add(Tuple2.of(deadline, task));
            startWaiting(ctx.timerService(), deadline);
            return;
        }
        Iterable<Map.Entry<String, AgentView>> views =
                ctx.getBroadcastState(AGENTS).immutableEntries();
        Router.Route route = route(task, views);
        if (route.routed()) {
            emit(task, route, AgentDirectory.rotation(views), out);
            return;
        }
        String invalid = router.invalidPreference(task);
        if (invalid != null) {
            out.collect(unroutable(task, invalid)); // waiting would not make it valid
            return;
        }
        waiting.add(Tuple2.of(deadline, task));
        startWaiting(ctx.timerService(), deadline);
    }

    /**
     * From when the registry counts as read: {@link #PLAN_SETTLE_MS} after this instance received
     * its first agent view (the agents topic is read from its start then, its records a moment
     * apart); at once for a registry restored from a checkpoint; -1 while no agent is known.
     */
    private long registrySettledAt(boolean anyAgent) {
        if (firstViewAt >= 0) {
            return firstViewAt + PLAN_SETTLE_MS;
        }
        return anyAgent ? 0 : -1;
    }

    private static AnalyzedTask withCatalog(
            AnalyzedTask root, Iterable<Map.Entry<String, AgentView>> views) {
        Set<String> capabilities = new TreeSet<>();
        String tenant = root.getTask().getTenant();
        for (AgentEvent agent : AgentDirectory.rotation(views)) {
            // Only agents that serve the task's tenant can do its steps.
            if (agent.getTenants().isEmpty() || agent.getTenants().contains(tenant)) {
                capabilities.addAll(agent.getCapabilities());
            }
        }
        Map<String, String> metadata = new HashMap<>(root.getTask().getMetadata());
        metadata.put(RolePrompts.CATALOG, String.join(",", capabilities));
        AnalyzedTask stamped = AnalyzedTask.newBuilder(root).build();
        stamped.getTask().setMetadata(metadata);
        return stamped;
    }

    /**
     * Whether the task's id was already received: then it goes to the dead letters; else it is
     * remembered from now on.
     */
    private boolean repeated(AnalyzedTask task, ReadOnlyContext ctx) throws Exception {
        String taskId = Duplicates.idOf(task.getTask());
        if (received.contains(taskId)) {
            duplicates.inc();
            ctx.output(
                    Outputs.DEAD_LETTERS,
                    Duplicates.deadLetter(
                            tasksTopic,
                            taskId,
                            Codecs.TASK.encodeAvro(task.getTask()),
                            STAGE,
                            Duplicates.alreadyReceived(taskId, dedupeRetention),
                            clock.millis()));
            return true;
        }
        received.put(taskId, clock.millis());
        return false;
    }

    private void startWaiting(TimerService timers, long deadline) {
        timers.registerProcessingTimeTimer(deadline);
        if (boundedInput) {
            // The final watermark fires it when the input ends, so no task waits past the end.
            timers.registerEventTimeTimer(Long.MAX_VALUE);
        }
    }

    @Override
    public void processBroadcastElement(
            AgentView view, Context ctx, Collector<Either<CallRequest, AgentView>> output)
            throws Exception {
        output.collect(Either.Right(view));
        Collector<CallRequest> out = requests(output);
        BroadcastState<String, AgentView> state = ctx.getBroadcastState(AGENTS);
        String agentId = view.getAgent().getAgentId();
        AgentView before = state.get(agentId);
        state.put(agentId, view); // a retirement stays as a tombstone
        if (firstViewAt < 0) {
            firstViewAt = clock.millis();
        }
        if (!AgentDirectory.mayAdmit(before, view)) {
            return; // no waiting task can become routable
        }
        Iterable<Map.Entry<String, AgentView>> views = state.immutableEntries();

        ctx.applyToKeyedState(
                waitingDescriptor(),
                (key, tasks) -> {
                    Deque<WaitingLine.Entry> line = load(tasks);
                    if (line.isEmpty()) {
                        return;
                    }
                    // Deadlines are the timers' to enforce; a new agent only lets tasks go.
                    List<WaitingLine.Step> steps =
                            WaitingLine.advance(
                                    line,
                                    task -> route(task, views),
                                    router::invalidPreference,
                                    Long.MIN_VALUE,
                                    false);
                    if (!steps.isEmpty()) {
                        store(tasks, line);
                        emit(steps, AgentDirectory.rotation(views), out);
                    }
                });
    }

    @Override
    public void onTimer(
            long timestamp, OnTimerContext ctx, Collector<Either<CallRequest, AgentView>> output)
            throws Exception {
        Collector<CallRequest> out = requests(output);
        if (turns != null && ctx.getCurrentKey().startsWith(SessionKeys.SESSION_PREFIX)) {
            TurnOrder.Session session = session();
            if (!session.held().isEmpty()) {
                List<TurnOrder.Step> steps =
                        turns.expire(session, timestamp, ctx.timeDomain() == TimeDomain.EVENT_TIME);
                afterTurns(session, steps, ctx, out);
            }
        }
        Iterable<AnalyzedTask> roots = plansWaiting.get();
        if (roots != null && roots.iterator().hasNext()) {
            Iterable<Map.Entry<String, AgentView>> views =
                    ctx.getBroadcastState(AGENTS).immutableEntries();
            long settled = registrySettledAt(views.iterator().hasNext());
            if (settled > timestamp) {
                // The first agents arrived meanwhile: the rest of the registry is on its way.
                ctx.timerService().registerProcessingTimeTimer(settled);
            } else {
                // The registry has been read (or, still empty, tells the planner nothing).
                for (AnalyzedTask root : roots) {
                    ctx.output(PLANS, withCatalog(root, views));
                }
                plansWaiting.clear();
            }
        }
        Deque<WaitingLine.Entry> line = load(waiting);
        if (line.isEmpty()) {
            return;
        }
        Iterable<Map.Entry<String, AgentView>> views =
                ctx.getBroadcastState(AGENTS).immutableEntries();
        List<WaitingLine.Step> steps =
                WaitingLine.advance(
                        line,
                        task -> route(task, views),
                        router::invalidPreference,
                        timestamp,
                        ctx.timeDomain() == TimeDomain.EVENT_TIME);
        if (!steps.isEmpty()) {
            store(waiting, line);
            emit(steps, AgentDirectory.rotation(views), out);
        }
    }

    private void emit(
            List<WaitingLine.Step> steps, List<AgentEvent> agents, Collector<CallRequest> out) {
        for (WaitingLine.Step step : steps) {
            if (step instanceof WaitingLine.Routed routed) {
                emit(routed.task(), routed.route(), agents, out);
            } else if (step instanceof WaitingLine.Failed failed) {
                out.collect(unroutable(failed.task(), failed.problem()));
            }
        }
    }

    private static boolean isEmpty(ListState<Tuple2<Long, AnalyzedTask>> state) throws Exception {
        Iterable<Tuple2<Long, AnalyzedTask>> stored = state.get();
        return stored == null || !stored.iterator().hasNext();
    }

    private static Deque<WaitingLine.Entry> load(ListState<Tuple2<Long, AnalyzedTask>> state)
            throws Exception {
        Deque<WaitingLine.Entry> line = new ArrayDeque<>();
        Iterable<Tuple2<Long, AnalyzedTask>> stored = state.get();
        if (stored != null) {
            for (Tuple2<Long, AnalyzedTask> entry : stored) {
                line.addLast(new WaitingLine.Entry(entry.f1, entry.f0));
            }
        }
        return line;
    }

    private static void store(
            ListState<Tuple2<Long, AnalyzedTask>> state, Deque<WaitingLine.Entry> line)
            throws Exception {
        if (line.isEmpty()) {
            state.clear();
            return;
        }
        List<Tuple2<Long, AnalyzedTask>> entries = new ArrayList<>(line.size());
        for (WaitingLine.Entry entry : line) {
            entries.add(Tuple2.of(entry.deadline(), entry.task()));
        }
        state.update(entries);
    }

    /** A request that carries the routing failure; the consensus stage turns it into FAILED. */
    static CallRequest unroutable(AnalyzedTask task, String problem) {
        Analysis single =
                Analysis.newBuilder(task.getAnalysis()).setReplicas(1).setQuorum(1).build();
        AnalyzedTask copy = AnalyzedTask.newBuilder(task).setAnalysis(single).build();
        return CallRequest.newBuilder()
                .setTask(copy)
                .setReplica(0)
                .setChain(List.of())
                .setRouteError(problem)
                .build();
    }

    private void emit(
            AnalyzedTask task,
            Router.Route route,
            List<AgentEvent> agents,
            Collector<CallRequest> out) {
        for (int replica = 0; replica < route.chains().size(); replica++) {
            List<AgentEvent> chain = route.chains().get(replica);
            CallRequest request = REQUESTS.make();
            request.setTask(task);
            request.setReplica(replica);
            request.setChain(chain);
            List<AgentEvent> cloud = escalation.chain(task, chain, agents);
            if (!cloud.isEmpty()) {
                request.setEscalation(cloud);
                request.setCascadeThreshold(escalation.threshold(task));
            }
            out.collect(request);
        }
    }

    private Router.Route route(AnalyzedTask task, Iterable<Map.Entry<String, AgentView>> entries) {
        List<AgentView> views = AgentDirectory.current(entries);
        return router.route(
                task, views, Router.randomFor(task.getTask().getTaskId(), seed), clock.millis());
    }

    /** The requests' side of the stage's output. */
    private static Collector<CallRequest> requests(Collector<Either<CallRequest, AgentView>> out) {
        return new Collector<>() {
            @Override
            public void collect(CallRequest request) {
                out.collect(Either.Left(request));
            }

            @Override
            public void close() {
                out.close();
            }
        };
    }
}
