package io.hivestream.operators.execute;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.hivestream.operators.Outputs;
import io.hivestream.operators.StateTtl;
import io.hivestream.operators.admit.CallBudget;
import io.hivestream.operators.admit.TaskPriority;
import io.hivestream.operators.cache.CacheBudget;
import io.hivestream.operators.cache.CacheKeys;
import io.hivestream.operators.cache.CachePolicy;
import io.hivestream.operators.consensus.ConsensusFunction;
import io.hivestream.operators.consensus.TaskResults;
import io.hivestream.operators.route.Rotation;
import io.hivestream.operators.route.RouteFunction;
import io.hivestream.operators.route.Router;
import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.codec.FastCoders;
import io.hivestream.schemas.codec.RecordDefaults;
import io.hivestream.schemas.internal.AgentView;
import io.hivestream.schemas.internal.CachedAnswer;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import io.hivestream.schemas.internal.Cascade;
import io.hivestream.schemas.internal.Escalating;
import io.hivestream.schemas.internal.JournaledCall;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.types.Either;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by session. Calls agents without a thread per call: a call's completion is handed back to
 * the task's mailbox, where the operator sets the session's key, updates state and emits.
 *
 * <p>State per key, all in the checkpoint: the session's ({@link SessionState}: calls in flight,
 * the queue, memory, the cascade's second phase, spend, cancellation), and
 *
 * <ul>
 *   <li>{@code response-cache}: under a cache key only ({@code c/TENANT/HASH}: {@link
 *       CachePolicy}), each agent's answer to the key's request, by the agent's fingerprint ({@link
 *       CacheKeys#agent}), until {@link ExecuteSettings#cacheTtl()} after the call.
 * </ul>
 *
 * <p>The response cache: a request under a cache key is looked up when it starts, against its
 * chain's agents in order; an answer found (that would not escalate) is the replica's reply at
 * once, marked cached, with a call metric that costs nothing and records what it saved. Otherwise
 * the chain is called as always, and an answer that did not escalate is stored for the agent that
 * gave it, as far as {@link ExecuteSettings#cacheMaxEntries()} allows ({@link CacheBudget}). Since
 * identical requests share the key, and a key runs one task at a time with later ones queued, a
 * request that arrives while an identical one is in flight waits for it and then finds its answer:
 * concurrent identical requests make one call. Requests under other keys never look.
 *
 * <p>Different sessions run concurrently, up to {@link ExecuteSettings#capacity()} calls in flight;
 * a new request beyond it waits, back-pressuring the stage. Each replica tries its chain in order:
 * the same agent again after a backoff while its failure is retryable (one retry loop for the whole
 * stack: runtimes never retry), then the next agent; an agent whose circuit breaker is open is
 * skipped. A replica that exhausts its chain is answered with every agent's reason.
 *
 * <p>The cascade: when an EDGE agent answers with a confidence under the request's {@code
 * cascadeThreshold} and the request has an {@code escalation} chain, that chain is called the same
 * way (retries, breakers, fallbacks). The reply's answer is then the CLOUD answer, or the EDGE
 * answer when every CLOUD agent failed; its {@code cascade} keeps both, and its calls are those of
 * both phases. An answer without a confidence never escalates.
 *
 * <p>Every completed call's outcome goes to the {@link CallJournal} at once. After a restore, the
 * outcomes journaled since the checkpoint are read back, and a call whose id (tenant, task,
 * replica, phase, attempt, agent) is among them is replayed from the journal, with its metric as
 * first emitted, instead of being made again.
 *
 * <p>Its one input is the route stage's output, chained to it: the requests, and between them the
 * agents' views the route stage received ({@link RouteFunction#OUTPUT}), in the order the route
 * stage saw them. With the views it keeps the agents' rotation ({@link Rotation}): when an agent
 * leaves it, queued requests whose primary is that agent are re-routed, and a request is checked
 * again when it starts.
 */
public final class ExecuteOperator extends AbstractStreamOperator<CallReply>
        implements OneInputStreamOperator<Either<CallRequest, AgentView>, CallReply>,
                BoundedOneInput {
    private static final RecordDefaults<AgentAnswer> ANSWERS = RecordDefaults.of(AgentAnswer::new);
    private static final RecordDefaults<CallReply> REPLIES = RecordDefaults.of(CallReply::new);

    private static final long serialVersionUID = 1L;

    static final String RESPONSE_CACHE = "response-cache";

    private final AgentRuntimeFactory factory;
    private final ExecuteSettings settings;
    private final Clock clock;
    private final ToolPolicy tools;
    private final Router router;
    private final CallJournal.Factory journals;
    private final PauseDetector.Source pauseSource;
    private final transient MailboxExecutor mailbox;
    private transient Rotation rotation;

    /** The current key's calls in flight, queue, memory, cascade, spend and cancellation. */
    private transient SessionState session;

    private transient Map<String, CallBudget> budgets;

    private transient MapState<String, CachedAnswer> responses;
    private transient CacheBudget cacheBudget;
    private transient ListState<Long> snapshotTimes;
    private transient long restoredFrom = -1;

    private transient InstanceJournal journal;

    private transient AgentClients clients;
    private transient RetryPolicy retries;
    private transient AgentSlots<ReplicaCall> slots;
    private transient AgentRates rates;
    private transient BreakerWait breakerWait;
    private transient PauseDetector pauses;
    private transient int parallelism;
    private transient int inFlight;
    private transient ExecuteMetrics metrics;

    /** Deciding tasks here ({@link #decideAlone}): the results of tasks with one replica. */
    public static final OutputTag<TaskResult> DECIDED =
            new OutputTag<>("decided", new AvroTypeInfo<>(TaskResult.class));

    /** Null: every reply goes to the consensus stage; else tasks with one replica decide here. */
    private TaskResults results;

    /** The tools a tenant may use; null from {@link #allowed} allows every tool. */
    @FunctionalInterface
    public interface ToolPolicy extends java.io.Serializable {
        List<String> allowed(String tenant);

        static ToolPolicy allowAll() {
            return tenant -> null;
        }
    }

    public ExecuteOperator(
            StreamOperatorParameters<CallReply> parameters,
            AgentRuntimeFactory factory,
            ExecuteSettings settings,
            ToolPolicy tools,
            Clock clock) {
        this(parameters, factory, settings, tools, clock, new Router(), CallJournal.NONE);
    }

    /**
     * @param router re-routes queued requests whose agents all left the rotation
     * @param journals where each instance journals its calls' outcomes
     */
    public ExecuteOperator(
            StreamOperatorParameters<CallReply> parameters,
            AgentRuntimeFactory factory,
            ExecuteSettings settings,
            ToolPolicy tools,
            Clock clock,
            Router router,
            CallJournal.Factory journals) {
        this(parameters, factory, settings, tools, clock, router, journals, PauseDetector.SHARED);
    }

    /**
     * @param pauses the detector of this JVM's pauses, during which a call's timeout is not the
     *     agent's fault
     */
    public ExecuteOperator(
            StreamOperatorParameters<CallReply> parameters,
            AgentRuntimeFactory factory,
            ExecuteSettings settings,
            ToolPolicy tools,
            Clock clock,
            Router router,
            CallJournal.Factory journals,
            PauseDetector.Source pauses) {
        super(parameters);
        this.factory = factory;
        this.settings = settings;
        this.tools = tools;
        this.clock = clock;
        this.router = router;
        this.journals = journals;
        this.pauseSource = pauses;
        this.mailbox = parameters.getMailboxExecutor();
    }

    /**
     * Decides tasks with one replica here with {@code results}, and sends call metrics out of this
     * stage ({@link #emit}); set before the operator opens.
     */
    void decideAlone(TaskResults results) {
        this.results = results;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        snapshotTimes =
                context.getOperatorStateStore()
                        .getUnionListState(new ListStateDescriptor<>("journal-since", Types.LONG));
        if (context.isRestored()) {
            for (Long time : snapshotTimes.get()) {
                restoredFrom = restoredFrom < 0 ? time : Math.min(restoredFrom, time);
            }
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        // Calls in flight join the keyed state before it is snapshot.
        session.saveInFlight(this::setCurrentKey);
        // Wall-clock time, as the journal's record timestamps are.
        snapshotTimes.update(List.of(System.currentTimeMillis()));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        journal.expire(clock.millis());
    }

    @Override
    public void open() throws Exception {
        super.open();
        FastCoders.enable();
        session = new SessionState(getRuntimeContext(), settings);
        rotation =
                new Rotation(getOperatorStateBackend().getBroadcastState(Rotation.VIEWS), router);
        MapStateDescriptor<String, CachedAnswer> cacheDescriptor =
                new MapStateDescriptor<>(
                        RESPONSE_CACHE, Types.STRING, new AvroTypeInfo<>(CachedAnswer.class));
        // Counted from the call that gave the answer: a hit does not make it live longer.
        cacheDescriptor.enableTimeToLive(StateTtl.afterWrite(settings.cacheTtl()));
        responses = getRuntimeContext().getMapState(cacheDescriptor);
        cacheBudget = new CacheBudget(settings.cacheTtl().toMillis(), settings.cacheMaxEntries());

        clients = new AgentClients(factory, settings, clock);
        parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        retries =
                new RetryPolicy(
                        settings, getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
        slots =
                new AgentSlots<>(
                        TaskPriority.first((ReplicaCall c) -> c.request.getTask().getTask()));
        budgets = new HashMap<>();
        rates = new AgentRates(parallelism);
        breakerWait = new BreakerWait(settings.agentWait(), settings.breakerOpen());
        metrics = new ExecuteMetrics(getMetricGroup());
        pauses = pauseSource.acquire();
        getMetricGroup().gauge("callsInFlight", () -> inFlight);
        getMetricGroup().gauge("callsWaitingForAgentSlot", () -> slots.waiting());
        journal =
                new InstanceJournal(
                        journals.open(),
                        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask()
                                + "-"
                                + getRuntimeContext().getTaskInfo().getAttemptNumber()
                                + "-"
                                + System.currentTimeMillis());
        getMetricGroup().gauge("callsJournaled", journal::written);
        getMetricGroup().gauge("callJournalBytes", journal::bytesWritten);
        if (restoredFrom >= 0) {
            journal.restore(restoredFrom, this::owns, clock.millis());
        }
        getMetricGroup().gauge("journalReplaysWaiting", journal::waiting);
        reissueRestoredCalls();
    }

    /** Whether this instance executes the calls of {@code key}. */
    private boolean owns(String key) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(
                        key,
                        getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks(),
                        parallelism)
                == getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    }

    /** Calls that were in flight at the checkpoint we restored from are made again. */
    private void reissueRestoredCalls() throws Exception {
        List<String> keys = new ArrayList<>();
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        try (Stream<String> stream = backend.getKeys(SessionState.ACTIVE, VoidNamespace.INSTANCE)) {
            stream.forEach(k -> keys.add(k));
        }
        for (String key : keys) {
            setCurrentKey(key);
            for (CallRequest request : session.restoreInFlight(key)) {
                inFlight++;
                issue(restored(key, request));
            }
        }
    }

    /** A request sets its key; a view concerns every key, and is taken under none. */
    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public void setKeyContextElement1(StreamRecord record) throws Exception {
        if (((Either<CallRequest, AgentView>) record.getValue()).isLeft()) {
            super.setKeyContextElement1(record);
        }
    }

    @Override
    public void processElement(StreamRecord<Either<CallRequest, AgentView>> element)
            throws Exception {
        Either<CallRequest, AgentView> routed = element.getValue();
        if (routed.isRight()) {
            view(routed.right());
        } else {
            request(routed.left());
        }
    }

    private void request(CallRequest request) throws Exception {
        String key = (String) getCurrentKey();
        if (request.getRouteError() != null) {
            AgentAnswer answer =
                    AgentAnswer.newBuilder()
                            .setAgentId("-")
                            .setError(request.getRouteError())
                            .setAttempts(0)
                            .build();
            emit(reply(request, answer, List.of()));
            return;
        }
        if (request.getCancel() != null) {
            // A plan's step, under this key, is cancelled: no call of it starts from now on.
            session.cancel(request.getTask().getTask().getCreatedAt(), request.getCancel());
            return;
        }
        String cancellation = session.cancellation(request);
        if (cancellation != null) {
            emit(cancelledReply(request, cancellation, List.of()));
            return;
        }
        if (session.queuedBehindCurrent(key, request)) {
            return;
        }
        CallRequest routed = rerouted(request);
        if (answeredFromCache(key, routed)) {
            return; // no call, so no wait for capacity
        }
        while (inFlight >= settings.capacity()) {
            mailbox.yield();
        }
        // Completions handled while yielding switch the key; this element's key comes back.
        setCurrentKey(key);
        start(key, routed);
    }

    /** An agent's view: when the agent left the rotation, queued work for it is re-routed. */
    private void view(AgentView view) throws Exception {
        if (!rotation.update(view)) {
            return;
        }
        long now = clock.millis();
        int[] moved = {0};
        getKeyedStateBackend()
                .applyToAllKeys(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        SessionState.queueDescriptor(),
                        (key, waiting) -> moved[0] += rotation.rerouteAll(waiting, now));
        metrics.rerouted.inc(moved[0]);
    }

    /** Routed before its agent left the rotation, or queued while the view was on its way. */
    private CallRequest rerouted(CallRequest original) throws Exception {
        CallRequest request = rotation.reroute(original, clock.millis());
        metrics.rerouted.inc(request == original ? 0 : 1);
        return request;
    }

    /**
     * Whether the request, under a cache key, was answered from the cache: then its reply is out.
     * The first agent of its chain with a cached answer that would not escalate gives it.
     */
    private boolean answeredFromCache(String key, CallRequest request) throws Exception {
        if (!CacheKeys.isCacheKey(key)) {
            return false;
        }
        for (AgentEvent agent : request.getChain()) {
            CachedAnswer cached = responses.get(CacheKeys.agent(agent));
            if (cached != null && !ReplicaCall.escalates(request, agent, cached.getConfidence())) {
                Task task = request.getTask().getTask();
                Metric metric = CallMetrics.cached(task, cached, clock.millis());
                emit(reply(request, CachedAnswers.answer(agent, cached), List.of(metric)));
                metrics.cacheHit(cached.getCostUsd());
                return true;
            }
        }
        metrics.cacheMisses.inc();
        return false;
    }

    /** Keeps a successful first-phase answer under a cache key for the agent that gave it. */
    private void cache(ReplicaCall call, AgentEvent agent, AgentReply reply, double cost)
            throws Exception {
        if (!CachedAnswers.storable(reply)) {
            return;
        }
        long now = clock.millis();
        if (!cacheBudget.tryStore(now)) {
            metrics.cacheFull.inc();
            return;
        }
        responses.put(
                CacheKeys.agent(agent),
                CachedAnswers.entry(call.request.getTask().getTask(), agent, reply, cost, now));
        metrics.cacheStored.inc();
    }

    private void start(String key, CallRequest request) throws Exception {
        session.start(key, request);
        inFlight++;
        issue(new ReplicaCall(key, request));
    }

    private void issue(ReplicaCall call) throws Exception {
        ReplicaCall.Step step = call.next(clock.millis(), breakerWait);
        if (step instanceof ReplicaCall.Wait wait) {
            String why = session.cancellation(call.request);
            if (why != null) {
                cancel(call, why);
            } else {
                later(call, wait.delayMs());
            }
            return;
        }
        if (step instanceof ReplicaCall.Fail fail) {
            complete(call, fail.answer());
            return;
        }
        AgentEvent agent = ((ReplicaCall.Call) step).agent();
        String callId = call.callId(agent);
        InstanceJournal.Earlier earlier = journal.take(callId);
        call.abandoned |= earlier.sentWithoutOutcome();
        if (earlier.outcome() != null) {
            releaseSlot(call, agent);
            replay(call, agent, earlier.outcome());
            return;
        }
        String why = session.cancellation(call.request);
        if (why != null) {
            releaseSlot(call, agent); // one it was handed while waiting, if any
            cancel(call, why);
            return;
        }
        int agentSlots = AgentSlots.perInstance(agent.getMaxConcurrency(), parallelism);
        if (!call.holdsSlot) {
            if (!slots.tryAcquire(agent.getAgentId(), agentSlots)) {
                // Waits here, in the active state already, for a call to this agent to end.
                slots.await(agent.getAgentId(), call);
                return;
            }
            call.holdsSlot = true;
        }
        long now = clock.millis();
        Task task = call.request.getTask().getTask();
        if (task.getDeadline() != null && now >= task.getDeadline()) {
            releaseSlot(call, agent);
            bookAbandoned(call, agent, task);
            complete(call, call.pastDeadline(agent, task.getDeadline(), now).answer());
            return;
        }
        CallBudget budget = budgetOf(call);
        double estimate = 0;
        if (budget != null) {
            estimate = CallBudget.estimate(agent, task.getInput());
            String over = budget.refusal(agent.getAgentId(), estimate);
            if (over != null) {
                releaseSlot(call, agent);
                bookAbandoned(call, agent, task);
                call.overBudget(over);
                issue(call);
                return;
            }
        }
        long allowedAt = rates.start(agent, task.getInput(), now);
        if (allowedAt > now) {
            // The provider's rate limit: the call waits for room in its minute, holding no slot,
            // and no longer than the task's deadline, when it ends TIMED_OUT.
            releaseSlot(call, agent);
            Long deadline = task.getDeadline();
            later(call, (deadline != null ? Math.min(allowedAt, deadline) : allowedAt) - now);
            return;
        }
        CircuitBreaker breaker = clients.breaker(agent.getAgentId());
        if (!breaker.tryAcquirePermission()) {
            releaseSlot(call, agent);
            if (call.refused(agent)) {
                call.metrics.add(
                        CallMetrics.refused(
                                call.request.getTask().getTask(),
                                agent,
                                call.attempt(),
                                clock.millis()));
            }
            issue(call);
            return;
        }
        if (budget != null) {
            budget.reserve(estimate);
            call.reservedUsd = estimate;
        }
        InstanceJournal.Steps steps = journal.steps(callId, call.key);
        metrics.stepsReplayed.inc(steps.replayedSteps());
        AgentCall agentCall =
                new AgentCall(
                        task,
                        call.request.getTask().getAnalysis(),
                        agent,
                        call.request.getReplica(),
                        call.attempt(),
                        task.getSessionId() != null ? session.history(call.key) : List.of(),
                        tools.allowed(task.getTenant()),
                        steps);
        // A restore that finds this call sent and no outcome knows the provider may have
        // answered, and billed, it. Listed with the others sent within SENT_FLUSH_MS.
        if (journal.markSent(callId)) {
            long at =
                    getProcessingTimeService().getCurrentProcessingTime()
                            + InstanceJournal.SENT_FLUSH_MS;
            getProcessingTimeService().registerTimer(at, time -> journal.flushSent());
        }
        long started = clock.millis();
        PauseDetector detector = pauses;
        long startedNanos = detector.nanoTime();
        CompletableFuture<AgentReply> future;
        try {
            future =
                    clients.runtime(agent)
                            .call(agentCall)
                            .orTimeout(agent.getTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        metrics.sent(agent);
        boolean abandoned = call.abandoned;
        call.abandoned = false;
        if (abandoned) {
            metrics.repeated.inc();
        }
        future.whenComplete(
                (reply, error) -> {
                    // When it ended, not when the mailbox gets to it: a pause after its end is
                    // none of its business.
                    long endedNanos = detector.nanoTime();
                    mailbox.execute(
                            () ->
                                    onCompletion(
                                            call,
                                            agent,
                                            breaker,
                                            callId,
                                            abandoned,
                                            steps,
                                            started,
                                            startedNanos,
                                            endedNanos,
                                            reply,
                                            error),
                            "agent reply");
                });
    }

    /** Issues the call again after {@code delayMs}, on the task's processing-time service. */
    private void later(ReplicaCall call, long delayMs) {
        // No checkpointing needed: the call is in the active state and is re-issued after a
        // restore.
        long at = getProcessingTimeService().getCurrentProcessingTime() + delayMs;
        getProcessingTimeService()
                .registerTimer(
                        at,
                        time -> {
                            setCurrentKey(call.key);
                            issue(call);
                        });
    }

    /** The call's slot of {@code agent} goes to the oldest call waiting for one, if any. */
    private void releaseSlot(ReplicaCall call, AgentEvent agent) {
        if (!call.holdsSlot) {
            return;
        }
        call.holdsSlot = false;
        ReplicaCall next =
                slots.release(
                        agent.getAgentId(),
                        AgentSlots.perInstance(agent.getMaxConcurrency(), parallelism));
        if (next != null) {
            next.holdsSlot = true;
            mailbox.execute(
                    () -> {
                        setCurrentKey(next.key);
                        issue(next);
                    },
                    "agent slot");
        }
    }

    private void onCompletion(
            ReplicaCall call,
            AgentEvent agent,
            CircuitBreaker breaker,
            String callId,
            boolean abandoned,
            InstanceJournal.Steps steps,
            long started,
            long startedNanos,
            long endedNanos,
            AgentReply reply,
            Throwable error)
            throws Exception {
        setCurrentKey(call.key);
        long nanos = endedNanos - startedNanos;
        releaseSlot(call, agent);
        metrics.ended(agent);
        long latency = clock.millis() - started;
        if (abandoned) {
            // The try lost at the failure, priced as this one without its replayed steps.
            Metric lost =
                    CallMetrics.abandoned(
                            call.request.getTask().getTask(),
                            agent,
                            call.attempt(),
                            error == null ? reply.tokensIn() - steps.replayedIn() : 0,
                            error == null ? reply.tokensOut() - steps.replayedOut() : 0,
                            clock.millis());
            book(call, lost, 0);
        }
        double reserved = call.reservedUsd;
        call.reservedUsd = 0;
        if (error == null) {
            breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
            double cost = CallMetrics.cost(agent, reply);
            long micros = Math.round(cost * 1_000_000);
            metrics.answered(agent, reply, micros, latency);
            Metric metric =
                    CallMetrics.success(
                            call.request.getTask().getTask(),
                            agent,
                            call.attempt(),
                            latency,
                            reply,
                            clock.millis());
            book(call, metric, reserved);
            journal.record(CallJournals.success(callId, call.key, metric, reply));
            answered(call, agent, reply, latency, cost);
            return;
        }
        Throwable cause = unwrap(error);
        Task task = call.request.getTask().getTask();
        // A timeout while this JVM was paused: the time ran out here, not at the agent.
        boolean paused =
                CallMetrics.outcome(cause) == CallOutcome.TIMEOUT
                        && pauses.excuse(startedNanos, endedNanos);
        Metric metric;
        if (paused) {
            breaker.releasePermission();
            metric =
                    CallMetrics.timedOutInPause(
                            task, agent, call.attempt(), latency, clock.millis());
        } else {
            breaker.onError(nanos, TimeUnit.NANOSECONDS, cause);
            metrics.failed(agent);
            metric =
                    CallMetrics.failure(
                            task, agent, call.attempt(), latency, cause, clock.millis());
        }
        book(call, metric, reserved);
        if (cause instanceof TimeoutException) {
            cause =
                    new AgentCallException(
                            AgentCallException.Kind.TIMEOUT,
                            "no answer within " + agent.getTimeoutMs() + " ms");
        }
        journal.record(CallJournals.failure(callId, call.key, metric, cause, describe(cause)));
        if (paused) {
            timedOutInPause(call, agent, cause, false);
        } else {
            failed(call, agent, cause, false);
        }
    }

    /**
     * After a call that timed out while this JVM was paused: the same agent again at once, without
     * a backoff or one of its attempts, as long as the replica has pause retries left; else as any
     * failure.
     */
    private void timedOutInPause(
            ReplicaCall call, AgentEvent agent, Throwable cause, boolean replay) throws Exception {
        if (!call.timedOutInPause()) {
            failed(call, agent, cause, replay);
            return;
        }
        metrics.retriedAfterPause.inc();
        issue(call);
    }

    /**
     * A call whose outcome the journal kept: its metric as first emitted, and the same answer or
     * the same failure, without calling the agent or touching its breaker.
     */
    private void replay(ReplicaCall call, AgentEvent agent, JournaledCall journaled)
            throws Exception {
        metrics.replayed.inc();
        Metric metric = journaled.getMetric();
        book(call, metric, 0);
        if (journaled.getError() == null) {
            answered(
                    call,
                    agent,
                    CallJournals.reply(journaled),
                    metric.getCall().getLatencyMs(),
                    metric.getCall().getCostUsd());
        } else if (CallMetrics.timedOutInPause(metric)) {
            timedOutInPause(call, agent, CallJournals.cause(journaled), true);
        } else {
            failed(call, agent, CallJournals.cause(journaled), true);
        }
    }

    private void answered(
            ReplicaCall call, AgentEvent agent, AgentReply reply, long latency, double cost)
            throws Exception {
        AgentAnswer answer = ANSWERS.make();
        answer.setAgentId(agent.getAgentId());
        answer.setTier(agent.getTier());
        answer.setModel(reply.model());
        answer.setOutput(reply.output());
        answer.setConfidence(reply.confidence());
        answer.setLatencyMs(latency);
        answer.setTokensIn(reply.tokensIn());
        answer.setTokensOut(reply.tokensOut());
        answer.setCostUsd(cost);
        answer.setAttempts(call.attempt());
        answer.setSimulated(reply.simulated());
        if (call.escalates(agent, answer)) {
            escalate(call, answer);
            return;
        }
        if (call.edge == null && CacheKeys.isCacheKey(call.key)) {
            cache(call, agent, reply, cost);
            if (call.request.getTask().getEmbedding() != null && CachedAnswers.storable(reply)) {
                // For the semantic cache stage, which reads the journal's fills back.
                long now = clock.millis();
                journal.record(
                        SemanticFills.fill(
                                call.request.getTask(),
                                CachedAnswers.entry(
                                        call.request.getTask().getTask(), agent, reply, cost, now),
                                agent.getTier(),
                                now));
            }
        }
        complete(call, answer);
    }

    /**
     * After a failed call: the same agent again after a backoff, or the next agent. A replayed
     * failure's retry is not waited for: its wait happened before the restore.
     */
    private void failed(ReplicaCall call, AgentEvent agent, Throwable cause, boolean replay)
            throws Exception {
        RetryPolicy.Decision decision = retries.afterFailure(cause, call.attemptOnAgent());
        long retryAfter = call.failed(agent, describe(cause), decision);
        if (retryAfter >= 0) {
            metrics.retried.inc();
            if (!replay) {
                later(call, retryAfter);
                return;
            }
        }
        issue(call);
    }

    private void complete(ReplicaCall call, AgentAnswer last) throws Exception {
        complete(call, last, null);
    }

    /**
     * A call sent before a failure and never answered, that will not be made again (its task's
     * deadline passed or its budget no longer fits it): the provider may have billed it, so its
     * metric is emitted and its price booked, at its estimate.
     */
    private void bookAbandoned(ReplicaCall call, AgentEvent agent, Task task) throws Exception {
        if (!call.abandoned) {
            return;
        }
        call.abandoned = false;
        Metric lost =
                CallMetrics.abandoned(
                        task,
                        agent,
                        call.attempt(),
                        CallBudget.inputTokens(task.getInput()),
                        CallBudget.outputTokens(agent),
                        clock.millis());
        book(call, lost, 0);
    }

    /**
     * The budget of the call's task, or null when it has none: what the task spent so far (in the
     * keyed state, so a restore keeps it) and what its calls in flight reserved (in memory: a
     * restore makes those calls again and they reserve again).
     */
    private CallBudget budgetOf(ReplicaCall call) throws Exception {
        Double budgetUsd = call.request.getTask().getTask().getBudgetUsd();
        if (budgetUsd == null) {
            return null;
        }
        CallBudget budget = budgets.get(call.key);
        if (budget == null) {
            budget = new CallBudget(budgetUsd, session.spent());
            budgets.put(call.key, budget);
        }
        return budget;
    }

    /**
     * A call of the replica ended (or was replayed, or was lost at a failure): its metric joins the
     * replica's, and for a task with a budget the call's reservation goes and its cost is booked.
     */
    private void book(ReplicaCall call, Metric metric, double reservedUsd) throws Exception {
        call.metrics.add(metric);
        CallBudget budget = budgetOf(call);
        if (budget != null) {
            budget.settle(reservedUsd, metric.getCall().getCostUsd());
            session.spent(budget.spentUsd());
        }
    }

    /**
     * Sends a replica's reply on. Deciding tasks here ({@link #decideAlone}), its calls' metrics go
     * to {@link Outputs#METRICS}, and a task with one replica becomes its result here, on {@link
     * #DECIDED} (with its labelled example on {@link ConsensusFunction#EXAMPLES}), without a hop to
     * the consensus stage; the reply of a replica of a vote goes to the consensus stage without its
     * metrics. Otherwise every reply goes to the consensus stage with its metrics.
     */
    private void emit(CallReply reply) {
        if (results == null) {
            output.collect(new StreamRecord<>(reply));
            return;
        }
        for (Metric metric : reply.getCalls()) {
            output.collect(Outputs.METRICS, new StreamRecord<>(metric));
        }
        reply.setCalls(List.of());
        if (!TaskResults.decidesAlone(reply)) {
            output.collect(new StreamRecord<>(reply));
            return;
        }
        TaskResult result = results.single(reply);
        output.collect(DECIDED, new StreamRecord<>(result));
        results.example(reply.getRequest().getTask(), result)
                .ifPresent(
                        example ->
                                output.collect(
                                        ConsensusFunction.EXAMPLES, new StreamRecord<>(example)));
    }

    /** Completes a call of a cancelled step: it makes no more calls. */
    private void cancel(ReplicaCall call, String cancellation) throws Exception {
        if (call.edge != null) {
            session.escalated(call.request.getReplica());
        }
        complete(call, null, cancellation);
    }

    private void complete(ReplicaCall call, AgentAnswer last, String cancellation)
            throws Exception {
        CallRequest request = call.request;
        CallReply reply =
                cancellation != null
                        ? cancelledReply(request, cancellation, call.metrics)
                        : call.edge == null
                                ? reply(request, last, call.metrics)
                                : cascaded(call, last);
        if (cancellation == null && call.edge == null) {
            reply.setRefused(call.refused);
        }
        AgentAnswer answer = reply.getAnswer();
        emit(reply);
        inFlight--;
        // Only a session has memory: a task without one is its own key and is never asked again.
        boolean remembers =
                request.getTask().getTask().getSessionId() != null && settings.memoryTurns() > 0;
        if (remembers && answer.getError() == null && !session.hasTurn(call.key)) {
            session.turn(
                    call.key,
                    SessionMemory.turn(
                            request.getTask().getTask(),
                            answer,
                            settings.memoryTurnChars(),
                            clock.millis()));
        }
        // A task that ends here leaves its turn in the session's memory.
        if (!session.end(call.key, request)) {
            return;
        }
        if (request.getTask().getTask().getBudgetUsd() != null) {
            budgets.remove(call.key);
            session.clearSpent();
        }
        startNextTask(call.key);
    }

    /**
     * Starts the cascade's second phase. The EDGE answer and its calls go to state first, so that a
     * restore re-issues the CLOUD call and not the EDGE one.
     */
    private void escalate(ReplicaCall call, AgentAnswer edge) throws Exception {
        Escalating escalated =
                Escalating.newBuilder()
                        .setEdge(edge)
                        .setCalls(new ArrayList<>(call.metrics))
                        .build();
        session.escalate(call.request.getReplica(), escalated);
        metrics.escalations.inc();
        issue(new ReplicaCall(call.key, call.request, escalated));
    }

    /** The reply of an escalated replica: the CLOUD answer unless every CLOUD agent failed. */
    private CallReply cascaded(ReplicaCall call, AgentAnswer cloud) throws Exception {
        session.escalated(call.request.getReplica());
        CallReply reply =
                reply(call.request, cloud.getError() == null ? cloud : call.edge, call.metrics);
        reply.setCascade(
                Cascade.newBuilder()
                        .setEdge(call.edge)
                        .setThreshold(call.request.getCascadeThreshold())
                        .setCloud(cloud)
                        .build());
        return reply;
    }

    /** A call in flight at the checkpoint, in the phase it was in. */
    private ReplicaCall restored(String key, CallRequest request) throws Exception {
        Escalating escalated = session.escalation(request.getReplica());
        return escalated == null
                ? new ReplicaCall(key, request)
                : new ReplicaCall(key, request, escalated);
    }

    /**
     * Starts every queued replica of the oldest waiting task of this key. Under a cache key, the
     * waiting tasks that the cache answers are answered in turn, up to the first that it does not.
     */
    private void startNextTask(String key) throws Exception {
        List<CallRequest> waiting = session.waiting(key);
        List<CallRequest> now = new ArrayList<>();
        while (now.isEmpty() && !waiting.isEmpty()) {
            SessionMemory.Next next = SessionMemory.next(waiting);
            waiting = next.later();
            for (CallRequest queued : next.now()) {
                CallRequest request = rerouted(queued);
                if (!answeredFromCache(key, request)) {
                    now.add(request);
                }
            }
        }
        // The queue is written before a start, which may complete at once and come back here.
        session.keepWaiting(key, waiting);
        // Admission beyond capacity is bounded by the replicas of one task: a completion never
        // waits for capacity, so the mailbox never nests.
        for (CallRequest request : now) {
            start(key, request);
        }
    }

    @Override
    public void endInput() throws Exception {
        while (inFlight > 0) {
            mailbox.yield();
        }
    }

    @Override
    public void close() throws Exception {
        if (journal != null) {
            journal.close();
        }
        if (clients != null) {
            clients.close();
        }
        if (pauses != null) {
            pauseSource.release(pauses);
            pauses = null;
        }
        super.close();
    }

    /**
     * The reply of a cancelled step's replica: no answer, the cancellation's reason, and the calls
     * it made before.
     */
    private static CallReply cancelledReply(
            CallRequest request, String cancellation, List<Metric> metrics) {
        CallRequest cancelledRequest =
                CallRequest.newBuilder(request).setCancel(cancellation).build();
        AgentAnswer answer =
                AgentAnswer.newBuilder()
                        .setAgentId("-")
                        .setError(cancellation)
                        .setAttempts(0)
                        .build();
        return reply(cancelledRequest, answer, metrics);
    }

    private static CallReply reply(CallRequest request, AgentAnswer answer, List<Metric> metrics) {
        CallReply reply = REPLIES.make();
        reply.setRequest(slim(request));
        reply.setAnswer(answer);
        reply.setCalls(new ArrayList<>(metrics));
        return reply;
    }

    /**
     * The request as the stages after this one need it: without its agent chain and escalation
     * chain, which were only this stage's to follow. A reply is serialized between operators and
     * kept in consensus state, and the chains' agent records are most of a request's bytes.
     */
    static CallRequest slim(CallRequest request) {
        if (request.getChain().isEmpty() && request.getEscalation().isEmpty()) {
            return request;
        }
        // The all-arguments constructor shares the task; a builder would deep-copy it.
        return new CallRequest(
                request.getTask(),
                request.getReplica(),
                List.of(),
                request.getRouteError(),
                List.of(),
                request.getCascadeThreshold(),
                request.getCancel());
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String describe(Throwable cause) {
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }

    /** For tests: requests re-routed because their agent left the rotation. */
    long rerouted() {
        return metrics.rerouted.getCount();
    }

    /** For tests: calls made again because they timed out while this JVM was paused. */
    long retriedAfterPause() {
        return metrics.retriedAfterPause.getCount();
    }

    /** For tests and metrics: calls in flight in this instance. */
    int inFlight() {
        return inFlight;
    }
}
