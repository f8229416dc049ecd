package io.hivestream.operators.execute;

import io.hivestream.operators.StateTtl;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.CallRequest;
import io.hivestream.schemas.internal.Escalating;
import io.hivestream.schemas.internal.Turn;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 *   <li>{@code queue}: later tasks of the key, waiting for the current one, in arrival order;
 *   <li>{@code memory}: the session's last turns (bounded, with a TTL), given to every call; read
 *       once per task, at its first call, and held with it until its end adds its turn;
 *   <li>{@code turn}: the answer that will become the current task's turn in memory, written like
 *       the calls in flight only when a checkpoint finds the task running;
 *   <li>{@code escalating}: the replicas of the current task whose calls are in the cascade's
 *       second phase, with the EDGE answer they escalated and its calls; a restore re-issues only
 *       their CLOUD calls;
 *   <li>{@code spent}: what the current task's calls cost so far, for a task with a budget;
 *   <li>{@code cancelled}: for a plan's step, the cancellation of its key and when it was decided
 *       (for {@link #CANCELLED_TTL}).
 * </ul>
 *
 * <p>Which task each key runs is held in memory only ({@link #running}): a key runs a task exactly
 * while it has calls in flight, so after a restore the calls in {@code active} name it again. The
 * common task, alone under its key, thus reads and writes nothing in the state backend from its
 * start to its end.
 */
final class SessionState {
    /** The name of the state of calls in flight, whose keys a restore walks. */
    static final String ACTIVE = "active";

    /** How long a cancelled step's key remembers the cancellation. */
    static final Duration CANCELLED_TTL = Duration.ofHours(1);

    private final MapState<Integer, CallRequest> active;
    private final ListState<CallRequest> queue;
    private final ValueState<Tuple2<Long, String>> cancelled;
    private final ValueState<Double> spent;
    private final ListState<Turn> memory;
    private final ValueState<Turn> turn;
    private final MapState<Integer, Escalating> escalating;
    private final int memoryTurns;

    /** The task each key runs, by key: every key with a call in flight, and no other. */
    private final Map<String, Running> running = new HashMap<>();

    /** The keys whose {@code queue} may hold tasks: a task was queued, or the key was restored. */
    private final Set<String> queued = new HashSet<>();

    /** A key's current task, its calls in flight and its turn. */
    private static final class Running {
        final String taskId;

        /** The answer that becomes the task's turn in memory when it ends; null before one. */
        Turn turn;

        /** Whether {@link #turn} is in the {@code turn} state (a checkpoint found it). */
        boolean turnSaved;

        /**
         * The session's memory as the task's calls see it, read at its first call; null before.
         * Only a task's end changes the memory, and a key runs one task at a time.
         */
        List<Turn> history;

        /**
         * Calls started since the last checkpoint, by replica: in {@code active} only if a
         * checkpoint finds them still in flight.
         */
        final Map<Integer, CallRequest> unsaved = new HashMap<>(2);

        /** How many of the task's calls in flight are in {@code active}. */
        int saved;

        Running(String taskId) {
            this.taskId = taskId;
        }
    }

    SessionState(RuntimeContext context, ExecuteSettings settings) {
        active =
                context.getMapState(
                        new MapStateDescriptor<>(
                                ACTIVE, Types.INT, new AvroTypeInfo<>(CallRequest.class)));
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
     * Queues the request when another task of {@code key} (the current key) is running.
     *
     * @return whether it was queued
     */
    boolean queuedBehindCurrent(String key, CallRequest request) throws Exception {
        Running current = running.get(key);
        if (current != null && !current.taskId.equals(request.getTask().getTask().getTaskId())) {
            queue.add(request);
            queued.add(key);
            return true;
        }
        return false;
    }

    /**
     * The request's replica starts under {@code key} (the current key): its task is the current one
     * and its call is in flight.
     */
    void start(String key, CallRequest request) {
        running.computeIfAbsent(key, k -> new Running(request.getTask().getTask().getTaskId()))
                .unsaved
                .put(request.getReplica(), request);
    }

    /**
     * Writes the calls started since the last checkpoint and still in flight to their key's {@code
     * active} state, and the running tasks' turns not written yet to {@code turn}, before the state
     * is snapshot; {@code keys} switches the current key.
     */
    void saveInFlight(Consumer<String> keys) throws Exception {
        for (Map.Entry<String, Running> entry : running.entrySet()) {
            Running current = entry.getValue();
            boolean newTurn = current.turn != null && !current.turnSaved;
            if (current.unsaved.isEmpty() && !newTurn) {
                continue;
            }
            keys.accept(entry.getKey());
            if (!current.unsaved.isEmpty()) {
                active.putAll(current.unsaved);
                current.saved += current.unsaved.size();
                current.unsaved.clear();
            }
            if (newTurn) {
                turn.update(current.turn);
                current.turnSaved = true;
            }
        }
    }

    /**
     * After a restore: the requests of {@code key} (the current key) whose calls were in flight at
     * the checkpoint, which run its task again. Its queue may hold tasks behind them.
     */
    List<CallRequest> restoreInFlight(String key) throws Exception {
        List<CallRequest> requests = inFlight();
        if (!requests.isEmpty()) {
            Running current = new Running(requests.get(0).getTask().getTask().getTaskId());
            current.saved = requests.size();
            current.turn = turn.value();
            current.turnSaved = current.turn != null;
            running.put(key, current);
            queued.add(key);
        }
        return requests;
    }

    /** The current key's calls in flight that a checkpoint wrote to {@code active}. */
    List<CallRequest> inFlight() throws Exception {
        List<CallRequest> requests = new ArrayList<>();
        for (Map.Entry<Integer, CallRequest> entry : active.entries()) {
            requests.add(entry.getValue());
        }
        return requests;
    }

    /**
     * The request's replica under {@code key} (the current key) ended. When its task ends with it,
     * the task's turn, if any, joins the session's memory.
     *
     * @return whether its task ended with it: no other replica of it is in flight
     */
    boolean end(String key, CallRequest request) throws Exception {
        Running current = running.get(key);
        if (current.unsaved.remove(request.getReplica()) == null) {
            active.remove(request.getReplica());
            current.saved--;
        }
        if (!current.unsaved.isEmpty() || current.saved > 0) {
            return false;
        }
        running.remove(key);
        remember(current);
        return true;
    }

    /** The ended task's turn, if any, joins the session's memory. */
    private void remember(Running ended) throws Exception {
        if (ended.turn == null) {
            return;
        }
        List<Turn> history = ended.history != null ? ended.history : history();
        List<Turn> next = SessionMemory.remembered(history, ended.turn, memoryTurns);
        if (next != null) {
            memory.update(next);
        }
        if (ended.turnSaved) {
            turn.clear();
        }
    }

    /** The requests waiting behind {@code key}'s (the current key's) task, in arrival order. */
    List<CallRequest> waiting(String key) throws Exception {
        if (!queued.contains(key)) {
            return List.of();
        }
        List<CallRequest> waiting = new ArrayList<>();
        for (CallRequest request : queue.get()) {
            waiting.add(request);
        }
        return waiting;
    }

    /** The requests left waiting under {@code key} (the current key). */
    void keepWaiting(String key, List<CallRequest> waiting) throws Exception {
        if (!queued.contains(key)) {
            return; // nothing was waiting, so nothing was taken
        }
        if (waiting.isEmpty()) {
            queue.clear();
            queued.remove(key);
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

    /**
     * The session's last turns, oldest first, for a call of {@code key}'s (the current key's)
     * running task: read from state at the task's first call and held with it until it ends.
     */
    List<Turn> history(String key) throws Exception {
        Running current = running.get(key);
        if (current == null) {
            return history();
        }
        if (current.history == null) {
            current.history = Collections.unmodifiableList(history());
        }
        return current.history;
    }

    /** The session's last turns, oldest first, as the state holds them. */
    List<Turn> history() throws Exception {
        List<Turn> turns = new ArrayList<>();
        Iterable<Turn> stored = memory.get();
        if (stored != null) {
            stored.forEach(turns::add);
        }
        return turns;
    }

    /** Whether {@code key}'s running task has its turn already (from its first answer). */
    boolean hasTurn(String key) {
        return running.get(key).turn != null;
    }

    /** The answer that becomes {@code key}'s running task's turn when the task ends. */
    void turn(String key, Turn answered) {
        running.get(key).turn = answered;
    }
}
