package io.hivestream.operators.execute;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.hivestream.operators.admit.CallBudget;
import io.hivestream.operators.admit.TaskPriority;
import io.hivestream.operators.cache.CacheKeys;
import io.hivestream.operators.route.Rotation;
import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
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
import org.apache.flink.util.function.ThrowingRunnable;

/**
 * The calls of one execute instance, from a request's arrival to its reply: the session's queue,
 * the response cache, each replica's way through its agents ({@link ReplicaCall}) past the journal
 * of a restore, the agent's slots, the task's deadline and budget, the provider's rate limit and
 * the agent's breaker, then the call, its outcome (metrics, breaker, journal, pauses), retries, the
 * cascade, and the task's completion, memory and next queued task. It runs on the task's one
 * thread; what it needs of Flink (the current key, timers, the mailbox, the outputs) it asks of its
 * {@link Host}, which {@link ExecuteOperator} gives it.
 */
final class CallRunner implements AutoCloseable {
    /** What the runner needs of the operator that hosts it. */
    interface Host {
        /** Makes {@code key} current for keyed state. */
        void key(String key);

        /** Runs {@code action} on the task's thread after {@code delayMs}, under no key. */
        void later(long delayMs, ThrowingRunnable<Exception> action);

        /**
         * Runs {@code action} on the task's thread soon, under no key; callable from any thread.
         */
        void soon(ThrowingRunnable<Exception> action, String description);

        /** Runs one other piece of the task's work (a completion, a timer), or waits for one. */
        void yieldOnce() throws InterruptedException;

        /** Sends a replica's reply on. */
        void emit(CallReply reply);
    }

    private final Host host;
    private final ExecuteSettings settings;
    private final Clock clock;
    private final ExecuteOperator.ToolPolicy tools;
    private final SessionState session;
    private final Rotation rotation;
    private final ResponseCache cache;
    private final InstanceJournal journal;
    private final PauseDetector pauses;
    private final ExecuteMetrics metrics;
    private final int parallelism;
    private final AgentClients clients;
    private final RetryPolicy retries;
    private final AgentSlots<ReplicaCall> slots;
    private final AgentRates rates;
    private final BreakerWait breakerWait;
    private final Map<String, CallBudget> budgets = new HashMap<>();
    private int inFlight;

    /**
     * @param subtask this instance's index, which seeds its retries' jitter
     * @param parallelism the stage's, over which an agent's slots and rate are shared
     */
    CallRunner(
            Host host,
            ExecuteSettings settings,
            Clock clock,
            ExecuteOperator.ToolPolicy tools,
            SessionState session,
            Rotation rotation,
            ResponseCache cache,
            InstanceJournal journal,
            AgentRuntimeFactory factory,
            PauseDetector pauses,
            ExecuteMetrics metrics,
            int subtask,
            int parallelism) {
        this.host = host;
        this.settings = settings;
        this.clock = clock;
        this.tools = tools;
        this.session = session;
        this.rotation = rotation;
        this.cache = cache;
        this.journal = journal;
        this.pauses = pauses;
        this.metrics = metrics;
        this.parallelism = parallelism;
        this.clients = new AgentClients(factory, settings, clock);
        this.retries = new RetryPolicy(settings, subtask);
        this.slots =
                new AgentSlots<>(
                        TaskPriority.first((ReplicaCall c) -> c.request.getTask().getTask()));
        this.rates = new AgentRates(parallelism);
        this.breakerWait = new BreakerWait(settings.agentWait(), settings.breakerOpen());
    }

    /** A routed request under {@code key}, the current key. */
    void request(String key, CallRequest request) throws Exception {
        if (request.getRouteError() != null) {
            host.emit(Replies.routeError(request));
            return;
        }
        if (request.getCancel() != null) {
            // A plan's step, under this key, is cancelled: no call of it starts from now on.
            session.cancel(request.getTask().getTask().getCreatedAt(), request.getCancel());
            return;
        }
        String cancellation = session.cancellation(request);
        if (cancellation != null) {
            host.emit(Replies.cancelled(request, cancellation, List.of()));
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
            host.yieldOnce();
        }
        // Completions handled while yielding switch the key; this request's key comes back.
        host.key(key);
        start(key, routed);
    }

    /**
     * Makes again the calls of {@code key}, the current key, that were in flight at the restored
     * checkpoint.
     */
    void reissue(String key) throws Exception {
        for (CallRequest request : session.restoreInFlight(key)) {
            inFlight++;
            issue(restored(key, request));
        }
    }

    /** Calls in flight in this instance. */
    int inFlight() {
        return inFlight;
    }

    /** Calls waiting for one of their agent's slots. */
    int waitingForSlot() {
        return slots.waiting();
    }

    @Override
    public void close() {
        clients.close();
    }

    /** Routed before its agent left the rotation, or queued while the view was on its way. */
    private CallRequest rerouted(CallRequest original) throws Exception {
        CallRequest request = rotation.reroute(original, clock.millis());
        metrics.rerouted.inc(request == original ? 0 : 1);
        return request;
    }

    /** Whether the request was answered from the response cache: then its reply is out. */
    private boolean answeredFromCache(String key, CallRequest request) throws Exception {
        CallReply cached = cache.reply(key, request);
        if (cached == null) {
            return false;
        }
        host.emit(cached);
        return true;
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
        send(call, agent, callId, breaker);
    }

    /** Makes the call, whose completion comes back through the task's mailbox. */
    private void send(ReplicaCall call, AgentEvent agent, String callId, CircuitBreaker breaker)
            throws Exception {
        Task task = call.request.getTask().getTask();
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
            host.later(InstanceJournal.SENT_FLUSH_MS, journal::flushSent);
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
                    host.soon(
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
        host.later(
                delayMs,
                () -> {
                    host.key(call.key);
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
            host.soon(
                    () -> {
                        host.key(next.key);
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
        host.key(call.key);
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
        AgentAnswer answer = Replies.answer(agent, reply, latency, cost, call.attempt());
        if (call.escalates(agent, answer)) {
            escalate(call, answer);
            return;
        }
        if (call.edge == null && CacheKeys.isCacheKey(call.key)) {
            Task task = call.request.getTask().getTask();
            cache.store(task, agent, reply, cost);
            if (call.request.getTask().getEmbedding() != null && CachedAnswers.storable(reply)) {
                // For the semantic cache stage, which reads the journal's fills back.
                long now = clock.millis();
                journal.record(
                        SemanticFills.fill(
                                call.request.getTask(),
                                CachedAnswers.entry(task, agent, reply, cost, now),
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

    /** Completes a call of a cancelled step: it makes no more calls. */
    private void cancel(ReplicaCall call, String cancellation) throws Exception {
        if (call.edge != null) {
            session.escalated(call.request.getReplica());
        }
        complete(call, null, cancellation);
    }

    private void complete(ReplicaCall call, AgentAnswer last) throws Exception {
        complete(call, last, null);
    }

    private void complete(ReplicaCall call, AgentAnswer last, String cancellation)
            throws Exception {
        CallRequest request = call.request;
        CallReply reply;
        if (cancellation != null) {
            reply = Replies.cancelled(request, cancellation, call.metrics);
        } else if (call.edge == null) {
            reply = Replies.of(request, last, call.metrics);
            reply.setRefused(call.refused);
        } else {
            session.escalated(request.getReplica());
            reply = Replies.cascaded(request, call.edge, last, call.metrics);
        }
        AgentAnswer answer = reply.getAnswer();
        host.emit(reply);
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
}
