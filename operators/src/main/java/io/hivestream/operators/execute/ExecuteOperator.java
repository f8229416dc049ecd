package io.hivestream.operators.execute;

import io.hivestream.operators.Outputs;
import io.hivestream.operators.cache.CachePolicy;
import io.hivestream.operators.consensus.ConsensusFunction;
import io.hivestream.operators.consensus.TaskResults;
import io.hivestream.operators.route.Rotation;
import io.hivestream.operators.route.RouteFunction;
import io.hivestream.operators.route.Router;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.codec.FastCoders;
import io.hivestream.schemas.internal.AgentView;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
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
import org.apache.flink.util.function.ThrowingRunnable;

/**
 * The execute stage, keyed by session: the Flink shell around its {@link CallRunner}, which makes
 * the calls. Agents are called without a thread per call: a call's completion is handed back to the
 * task's mailbox, where the runner sets the session's key, updates state and emits. The shell gives
 * the runner the current key, processing-time timers, the mailbox and the outputs; it holds the
 * state's lifecycle (the calls in flight joining the checkpoint, the call journal read back after a
 * restore and the calls in flight made again) and the agents' views.
 *
 * <p>State per key, all in the checkpoint: the session's ({@link SessionState}: calls in flight,
 * the queue, memory, the cascade's second phase, spend, cancellation), and under a cache key only
 * ({@code c/TENANT/HASH}: {@link CachePolicy}) the {@link ResponseCache}.
 *
 * <p>Different sessions run concurrently, up to {@link ExecuteSettings#capacity()} calls in flight;
 * a new request beyond it waits, back-pressuring the stage. Each replica tries its chain in order:
 * the same agent again after a backoff while its failure is retryable (one retry loop for the whole
 * stack: runtimes never retry), then the next agent; an agent whose circuit breaker is open is
 * skipped. A replica that exhausts its chain is answered with every agent's reason.
 *
 * <p>The response cache: a request under a cache key is looked up when it starts, against its
 * chain's agents in order; an answer found (that would not escalate) is the replica's reply at
 * once, marked cached, with a call metric that costs nothing and records what it saved. Otherwise
 * the chain is called as always, and an answer that did not escalate is stored for the agent that
 * gave it. Since identical requests share the key, and a key runs one task at a time with later
 * ones queued, a request that arrives while an identical one is in flight waits for it and then
 * finds its answer: concurrent identical requests make one call.
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
    private static final long serialVersionUID = 1L;

    /** Deciding tasks here ({@link #decideAlone}): the results of tasks with one replica. */
    public static final OutputTag<TaskResult> DECIDED =
            new OutputTag<>("decided", new AvroTypeInfo<>(TaskResult.class));

    /** The tools a tenant may use; null from {@link #allowed} allows every tool. */
    @FunctionalInterface
    public interface ToolPolicy extends java.io.Serializable {
        List<String> allowed(String tenant);

        static ToolPolicy allowAll() {
            return tenant -> null;
        }
    }

    private final AgentRuntimeFactory factory;
    private final ExecuteSettings settings;
    private final Clock clock;
    private final ToolPolicy tools;
    private final Router router;
    private final CallJournal.Factory journals;
    private final PauseDetector.Source pauseSource;
    private final transient MailboxExecutor mailbox;

    /** Null: every reply goes to the consensus stage; else tasks with one replica decide here. */
    private TaskResults results;

    private transient Rotation rotation;

    /** The current key's calls in flight, queue, memory, cascade, spend and cancellation. */
    private transient SessionState session;

    private transient ListState<Long> snapshotTimes;
    private transient long restoredFrom = -1;
    private transient InstanceJournal journal;
    private transient PauseDetector pauses;
    private transient ExecuteMetrics metrics;
    private transient CallRunner calls;

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
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        session = new SessionState(getRuntimeContext(), settings);
        rotation =
                new Rotation(getOperatorStateBackend().getBroadcastState(Rotation.VIEWS), router);
        metrics = new ExecuteMetrics(getMetricGroup());
        pauses = pauseSource.acquire();
        journal =
                new InstanceJournal(
                        journals.open(),
                        subtask
                                + "-"
                                + getRuntimeContext().getTaskInfo().getAttemptNumber()
                                + "-"
                                + System.currentTimeMillis());
        calls =
                new CallRunner(
                        new Shell(),
                        settings,
                        clock,
                        tools,
                        session,
                        rotation,
                        new ResponseCache(getRuntimeContext(), settings, clock, metrics),
                        journal,
                        factory,
                        pauses,
                        metrics,
                        subtask,
                        parallelism);
        getMetricGroup().gauge("callsInFlight", calls::inFlight);
        getMetricGroup().gauge("callsWaitingForAgentSlot", calls::waitingForSlot);
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
                        getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks())
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
            calls.reissue(key);
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
            calls.request((String) getCurrentKey(), routed.left());
        }
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

    /** What the runner asks of Flink: the current key, timers, the mailbox and the outputs. */
    private final class Shell implements CallRunner.Host {
        @Override
        public void key(String key) {
            setCurrentKey(key);
        }

        @Override
        public void later(long delayMs, ThrowingRunnable<Exception> action) {
            long at = getProcessingTimeService().getCurrentProcessingTime() + delayMs;
            getProcessingTimeService().registerTimer(at, time -> action.run());
        }

        @Override
        public void soon(ThrowingRunnable<Exception> action, String description) {
            mailbox.execute(action, description);
        }

        @Override
        public void yieldOnce() throws InterruptedException {
            mailbox.yield();
        }

        @Override
        public void emit(CallReply reply) {
            ExecuteOperator.this.emit(reply);
        }
    }

    @Override
    public void endInput() throws Exception {
        while (calls.inFlight() > 0) {
            mailbox.yield();
        }
    }

    @Override
    public void close() throws Exception {
        if (journal != null) {
            journal.close();
        }
        if (calls != null) {
            calls.close();
        }
        if (pauses != null) {
            pauseSource.release(pauses);
            pauses = null;
        }
        super.close();
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
        return calls.inFlight();
    }
}
