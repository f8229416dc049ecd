package io.hivestream.operators.execute;

import io.hivestream.operators.StateTtl;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.CallRequest;
import io.hivestream.schemas.internal.Escalating;
import io.hivestream.schemas.internal.Turn;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * The execute stage's keyed state of one key (a session, a task without one, or a cache key), under
 * the operator's current key. All of it is in the checkpoint:
 *
 * <ul>
 *   <li>{@code active}: the replicas of the key's current task whose calls were in flight at the
 *       last checkpoint; re-issued after a restore, so a call is repeated only if it was in flight
 *       at the failure. A call is written there only when a checkpoint finds it in flight ({@link
 *       #saveInFlight}): until then it is held in memory, and most calls end before any checkpoint,
 *       so most are never written;
 *   <li>{@code active-task}: the current task's id;
 *   <li>{@code queue}: later tasks of the key, waiting for the current one, in arrival order;
 *   <li>{@code memory}: the session's last turns (bounded, with a TTL), given to every call;
 *   <li>{@code turn}: the answer that will become the current task's turn in memory;
 *   <li>{@code escalating}: the replicas of the current task whose calls are in the cascade's
 *       second phase, with the EDGE answer they escalated and its calls; a restore re-issues only
 *       their CLOUD calls;
 *   <li>{@code spent}: what the current task's calls cost so far, for a task with a budget;
 *   <li>{@code cancelled}: for a plan's step, the cancellation of its key and when it was decided
 *       (for {@link #CANCELLED_TTL}).
 * </ul>
 */
final class SessionState {
    /** The name of the state of calls in flight, whose keys a restore walks. */
    static final String ACTIVE = "active";

    /** How long a cancelled step's key remembers the cancellation. */
    static final Duration CANCELLED_TTL = Duration.ofHours(1);

    private final MapState<Integer, CallRequest> active;
    private final ValueState<String> activeTask;
    private final ListState<CallRequest> queue;
    private final ValueState<Tuple2<Long, String>> cancelled;
    private final ValueState<Double> spent;
    private final ListState<Turn> memory;
    private final ValueState<Turn> turn;
    private final MapState<Integer, Escalating> escalating;
    private final int memoryTurns;

    /**
     * Calls started since the last checkpoint, by key and replica: in {@code active} only if a
     * checkpoint finds them still in flight.
     */
    private final Map<String, Map<Integer, CallRequest>> unsaved = new HashMap<>();

    SessionState(RuntimeContext context, ExecuteSettings settings) {
        active =
                context.getMapState(
                        new MapStateDescriptor<>(
                                ACTIVE, Types.INT, new AvroTypeInfo<>(CallRequest.class)));
        activeTask = context.getState(new ValueStateDescriptor<>("active-task", Types.STRING));
        queue = context.getListState(queueDescriptor());
        ValueStateDescriptor<Tuple2<Long, String>> cancelledDescriptor =
                new ValueStateDescriptor<>("cancelled", Types.TUPLE(Types.LONG, Types.STRING));
        cancelledDescriptor.enableTimeToLive(StateTtl.afterWrite(CANCELLED_TTL));
        cancelled = context.getState(cancelledDescriptor);
        spent = context.getState(new ValueStateDescriptor<>("spent", Types.DOUBLE));
        memory = context.getListState(SessionMemoryState.descriptor(settings.memoryTtl()));
        turn = context.getState(new ValueStateDescriptor<>("turn", new AvroTypeInfo<>(Turn.class)));
        escalating =
                context.getMapState(
                        new MapStateDescriptor<>(
                                "escalating", Types.INT, new AvroTypeInfo<>(Escalating.class)));
        memoryTurns = settings.memoryTurns();
    }

    /** The queue's descriptor, to walk every key's queue. */
    static ListStateDescriptor<CallRequest> queueDescriptor() {
        return new ListStateDescriptor<>("queue", new AvroTypeInfo<>(CallRequest.class));
    }

    /**
     * Queues the request when another task of the key is running.
     *
     * @return whether it was queued
     */
    boolean queuedBehindCurrent(CallRequest request) throws Exception {
        String current = activeTask.value();
        if (current != null && !current.equals(request.getTask().getTask().getTaskId())) {
            queue.add(request);
            return true;
        }
        return false;
    }

    /**
     * The request's replica starts under {@code key} (the current key): its task is the current one
     * and its call is in flight.
     */
    void start(String key, CallRequest request) throws Exception {
        activeTask.update(request.getTask().getTask().getTaskId());
        unsaved.computeIfAbsent(key, k -> new HashMap<>(2)).put(request.getReplica(), request);
    }

    /**
     * Writes the calls started since the last checkpoint and still in flight to the current key's
     * {@code active} state, before the state is snapshot; {@code keys} switches the current key.
     */
    void saveInFlight(Consumer<String> keys) throws Exception {
        for (Map.Entry<String, Map<Integer, CallRequest>> calls : unsaved.entrySet()) {
            keys.accept(calls.getKey());
            active.putAll(calls.getValue());
        }
        unsaved.clear();
    }

    /** The current key's requests whose calls were in flight at the checkpoint restored from. */
    List<CallRequest> inFlight() throws Exception {
        List<CallRequest> requests = new ArrayList<>();
        for (Map.Entry<Integer, CallRequest> entry : active.entries()) {
            requests.add(entry.getValue());
        }
        return requests;
    }

    /**
     * The request's replica ended.
     *
     * @return whether its task ended with it: no other replica of it is in flight
     */
    boolean end(String key, CallRequest request) throws Exception {
        Map<Integer, CallRequest> calls = unsaved.get(key);
        if (calls != null && calls.remove(request.getReplica()) != null) {
            if (calls.isEmpty()) {
                unsaved.remove(key);
            }
        } else {
            active.remove(request.getReplica());
        }
        // A task's replicas start together; one replica alone leaves nothing behind it, and the
        // emptiness check is an iterator seek in RocksDB.
        if (request.getTask().getAnalysis().getReplicas() > 1
                && (unsaved.containsKey(key) || !active.isEmpty())) {
            return false;
        }
        activeTask.clear();
        return true;
    }

    /** The requests waiting behind the current task, in arrival order. */
    List<CallRequest> waiting() throws Exception {
        List<CallRequest> waiting = new ArrayList<>();
        for (CallRequest request : queue.get()) {
            waiting.add(request);
        }
        return waiting;
    }

    /** The requests left waiting. */
    void keepWaiting(List<CallRequest> waiting) throws Exception {
        if (waiting.isEmpty()) {
            queue.clear();
        } else {
            queue.update(waiting);
        }
    }

    /** A plan's step under this key is cancelled, as decided at {@code decidedAt} (or null). */
    void cancel(Long decidedAt, String why) throws IOException {
        cancelled.update(Tuple2.of(decidedAt != null ? decidedAt : Long.MAX_VALUE, why));
    }

    /**
     * Why the request's plan step is cancelled, or null: the key holds a cancellation, and the step
     * was released before it (a step of a later run of the same root is not).
     */
    String cancellation(CallRequest request) throws IOException {
        Task task = request.getTask().getTask();
        if (task.getRootId() == null) {
            return null;
        }
        Tuple2<Long, String> cancel = cancelled.value();
        if (cancel == null) {
            return null;
        }
        Long releasedAt = task.getCreatedAt();
        return releasedAt == null || releasedAt <= cancel.f0 ? cancel.f1 : null;
    }

    /** The replica's escalation, when its call is in the cascade's second phase; else null. */
    Escalating escalation(int replica) throws Exception {
        return escalating.get(replica);
    }

    void escalate(int replica, Escalating escalated) throws Exception {
        escalating.put(replica, escalated);
    }

    /** The replica's cascade ended. */
    void escalated(int replica) throws Exception {
        escalating.remove(replica);
    }

    /** What the current task's calls cost so far; 0 before any. */
    double spent() throws IOException {
        Double before = spent.value();
        return before != null ? before : 0;
    }

    void spent(double usd) throws IOException {
        spent.update(usd);
    }

    void clearSpent() {
        spent.clear();
    }

    /** The session's last turns, oldest first. */
    List<Turn> history() throws Exception {
        List<Turn> turns = new ArrayList<>();
        Iterable<Turn> stored = memory.get();
        if (stored != null) {
            stored.forEach(turns::add);
        }
        return turns;
    }

    /** Whether the current task has its turn already (from its first answer). */
    boolean hasTurn() throws IOException {
        return turn.value() != null;
    }

    void turn(Turn answered) throws IOException {
        turn.update(answered);
    }

    /** The current task ended: its turn, if any, joins the session's memory. */
    void rememberTurn() throws Exception {
        Turn finished = turn.value();
        if (finished == null) {
            return;
        }
        List<Turn> next = SessionMemory.remembered(history(), finished, memoryTurns);
        if (next != null) {
            memory.update(next);
        }
        turn.clear();
    }
}
