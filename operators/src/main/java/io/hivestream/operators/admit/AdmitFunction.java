package io.hivestream.operators.admit;

import io.hivestream.operators.route.Router;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tenant;
import io.hivestream.schemas.codec.FastCoders;
import io.hivestream.schemas.internal.AdmitSignal;
import io.hivestream.schemas.internal.TenantLedger;
import io.hivestream.schemas.internal.WaitingQueue;
import io.hivestream.schemas.internal.WaitingTask;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The admit stage, keyed by tenant: a task starts (goes on to analysis) when {@link Admission} says
 * so, waits in its tenant's queue while the tenant is over its rate or its {@code maxInFlight} (or
 * its record has not arrived), and is answered {@code REJECTED} through the {@link #REJECTED} side
 * output (to the aggregate stage, which gives every task its one result) when a budget is spent or
 * it waited longer than the longest wait.
 *
 * <p>The second input is the tenant's record and the call and task metrics read back from the
 * metrics topic: a call metric books its cost and tokens, a task metric of an admitted task ends it
 * in flight. Only committed metrics are read back, and the source's offsets are checkpointed with
 * this state, so a restart neither forgets nor counts twice what was booked.
 *
 * <p>State it owns, per tenant: {@code tenant} (its record), {@code ledger} (spend per window, rate
 * bucket, counts), {@code inFlight} (admitted task ids until their task metric), {@code reserved}
 * and {@code held} (the budget shares of tasks in flight, and the costs of answered ones for a
 * while) and {@code queued} (the waiting tasks by arrival number), with a processing time timer at
 * the earliest moment a waiting task may start or must be rejected. The waiting tasks of a tenant
 * are also kept in memory in {@link TaskPriority} order, read from {@code queued} the first time
 * the tenant is seen after a start, so that a task joining or leaving a long queue costs one state
 * write, not a rewrite of the queue.
 */
public final class AdmitFunction extends KeyedCoProcessFunction<String, Task, AdmitSignal, Task> {
    private static final long serialVersionUID = 1L;

    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_WAITING = 10_000;

    /** Tasks answered REJECTED (or TIMED_OUT, past their deadline), to the aggregate stage. */
    public static final OutputTag<TaskResult> REJECTED =
            new OutputTag<>("rejected", new AvroTypeInfo<>(TaskResult.class));

    /**
     * How long the cost of an answered task stays held: its call metrics are committed with or
     * before its task metric, but read from other partitions, so they may be read a little later.
     */
    static final Duration HELD_AFTER_ANSWER = Duration.ofSeconds(10);

    private final Clock clock;
    private final Duration maxWait;
    private final int maxWaiting;
    private transient ValueState<Tenant> tenant;
    private transient ValueState<TenantLedger> ledger;
    private transient MapState<String, Long> inFlight;
    private transient MapState<String, Double> reserved;
    private transient MapState<Long, Double> held;
    private transient MapState<Long, WaitingTask> queued;
    private transient ValueState<WaitingQueue> legacyQueue;
    private transient Map<String, TreeSet<WaitingTask>> queues;
    private transient Map<String, TenantMetrics> metrics;
    private transient Comparator<WaitingTask> order;

    /**
     * @param maxWait how long a task may wait for its tenant's rate, maxInFlight or record
     * @param maxWaiting how many tasks a tenant may have waiting; more are rejected at once
     */
    public AdmitFunction(Clock clock, Duration maxWait, int maxWaiting) {
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative: " + maxWait);
        }
        if (maxWaiting < 0) {
            throw new IllegalArgumentException("maxWaiting must not be negative: " + maxWaiting);
        }
        this.clock = clock;
        this.maxWait = maxWait;
        this.maxWaiting = maxWaiting;
    }

    /** The tenant a signal is about: its tenant record's, else its metric's. */
    public static String tenantOf(AdmitSignal signal) {
        return signal.getTenant() != null
                ? signal.getTenant().getTenant()
                : signal.getMetric().getTenant();
    }

    /** Only call metrics with a cost or tokens, and task metrics, of a tenant concern admission. */
    public static boolean concernsAdmission(Metric metric) {
        if (metric.getTenant() == null) {
            return false;
        }
        if (metric.getKind() == MetricKind.TASK) {
            return true;
        }
        return metric.getKind() == MetricKind.CALL
                && metric.getCall() != null
                && (metric.getCall().getCostUsd() != 0
                        || metric.getCall().getTokensIn() + metric.getCall().getTokensOut() != 0);
    }

    @Override
    public void open(OpenContext openContext) {
        FastCoders.enable();
        tenant =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "tenant", new AvroTypeInfo<>(Tenant.class)));
        ledger =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "ledger", new AvroTypeInfo<>(TenantLedger.class)));
        inFlight =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>("inFlight", Types.STRING, Types.LONG));
        reserved =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>("reserved", Types.STRING, Types.DOUBLE));
        held =
                getRuntimeContext()
                        .getMapState(new MapStateDescriptor<>("held", Types.LONG, Types.DOUBLE));
        queued =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "queued",
                                        Types.LONG,
                                        new AvroTypeInfo<>(WaitingTask.class)));
        legacyQueue =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "waiting", new AvroTypeInfo<>(WaitingQueue.class)));
        queues = new HashMap<>();
        metrics = new HashMap<>();
        order = TaskPriority.order(WaitingTask::getTask, WaitingTask::getSeq);
    }

    @Override
    public void processElement1(Task task, Context ctx, Collector<Task> out) throws Exception {
        long now = clock.millis();
        TenantLedger book = ledgerOf(now);
        Tenant record = tenant.value();
        // A subtask does not queue behind other tasks: its plan holds a slot already, and the
        // tasks ahead of it may be waiting for that slot.
        if (book.getWaiting() == 0 || (task.getRootId() != null && record != null)) {
            Admission.Decision decision = Admission.decide(task, record, book, now);
            if (decision instanceof Admission.Admit admitted) {
                admit(task, admitted.reservedUsd(), record, book, now, ctx, out);
            } else if (decision instanceof Admission.Reject reject) {
                reject(task, reject.reason(), now, now, ctx);
            } else if (decision instanceof Admission.TimedOut late) {
                end(task, TaskStatus.TIMED_OUT, late.reason(), now, now, ctx);
            } else {
                // The first to wait: wake when it may start, when its deadline passes or when its
                // longest wait runs out, as a drain would.
                long wake =
                        Math.min(((Admission.Wait) decision).retryAt(), now + maxWait.toMillis());
                if (task.getDeadline() != null) {
                    wake = Math.min(wake, task.getDeadline());
                }
                hold(task, wake, now, book, ctx);
            }
        } else if (task.getDeadline() != null && task.getDeadline() <= now) {
            end(
                    task,
                    TaskStatus.TIMED_OUT,
                    Admission.pastDeadline(task.getDeadline()),
                    now,
                    now,
                    ctx);
        } else {
            // Behind tasks that wait: nothing has changed that would let it start before them,
            // and what lets them start (a record, a freed slot, a timer) drains the queue. The
            // timer set for them comes before its longest wait runs out; not before its deadline.
            Long deadline = task.getDeadline();
            hold(task, deadline == null ? Long.MAX_VALUE : deadline, now, book, ctx);
        }
        ledger.update(book);
        metricsOf(ctx.getCurrentKey()).show(book, record);
    }

    @Override
    public void processElement2(AdmitSignal signal, Context ctx, Collector<Task> out)
            throws Exception {
        long now = clock.millis();
        TenantLedger book = ledgerOf(now);
        Tenant record = tenant.value();
        // Whether the signal may change a waiting task's fate: a record, a freed slot, a budget
        // that is spent or no longer spent.
        boolean changed = false;
        if (signal.getTenant() != null) {
            record = signal.getTenant();
            tenant.update(record);
            changed = true;
        }
        Metric metric = signal.getMetric();
        if (metric != null && metric.getKind() == MetricKind.CALL && metric.getCall() != null) {
            boolean spent = record != null && Admission.spentBudget(record, book, now) != null;
            Ledger.book(
                    book,
                    metric.getTimestamp(),
                    metric.getCall().getCostUsd(),
                    metric.getCall().getTokensIn() + metric.getCall().getTokensOut());
            changed |=
                    record != null && spent != (Admission.spentBudget(record, book, now) != null);
        } else if (metric != null
                && metric.getKind() == MetricKind.TASK
                && metric.getTaskId() != null
                && inFlight.contains(metric.getTaskId())) {
            inFlight.remove(metric.getTaskId());
            book.setInFlight(Math.max(0, book.getInFlight() - 1));
            // Shares are held only under a USD budget (or while some are still held after the
            // budget was taken off the record): other tenants' task metrics cost no state read.
            if (book.getReservedUsd() > 0
                    || (record != null && Ledger.remainingUsd(book, record) != null)) {
                answered(metric, book, now, ctx);
            }
            changed = true;
        }
        if (changed && book.getWaiting() > 0) {
            drain(record, book, now, ctx, out);
        }
        ledger.update(book);
        metricsOf(ctx.getCurrentKey()).show(book, record);
    }

    /**
     * A task with a share of the budget was answered: its share gives way to its cost, held until
     * {@link #HELD_AFTER_ANSWER} from now (rounded up to the next second, so that the holds of a
     * second are let go together), by when its call metrics, committed with or before its task
     * metric, have been booked.
     */
    private void answered(Metric metric, TenantLedger book, long now, Context ctx)
            throws Exception {
        Double share = reserved.get(metric.getTaskId());
        if (share == null) {
            return;
        }
        reserved.remove(metric.getTaskId());
        double cost = metric.getTask() != null ? metric.getTask().getCostUsd() : 0;
        book.setReservedUsd(Math.max(0, book.getReservedUsd() - share + cost));
        if (cost <= Admission.ROUNDING) {
            settleRounding(book);
            return;
        }
        long until = ((now + HELD_AFTER_ANSWER.toMillis()) / 1000 + 1) * 1000;
        Double before = held.get(until);
        held.put(until, before == null ? cost : before + cost);
        if (before == null) {
            ctx.timerService().registerProcessingTimeTimer(until);
        }
    }

    /**
     * With no share and no hold left, what the ledger holds is exactly nothing: the running sum's
     * rounding is dropped, so that it never keeps a task waiting for money nobody holds.
     */
    private void settleRounding(TenantLedger book) throws Exception {
        if (book.getReservedUsd() != 0 && reserved.isEmpty() && held.isEmpty()) {
            book.setReservedUsd(0);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Task> out) throws Exception {
        TenantLedger book = ledger.value();
        if (book == null) {
            return;
        }
        long now = clock.millis();
        Double freed = held.get(timestamp);
        boolean released = freed != null;
        if (released) {
            held.remove(timestamp);
            book.setReservedUsd(Math.max(0, book.getReservedUsd() - freed));
            settleRounding(book);
        }
        if (book.getWaiting() == 0) {
            if (released) {
                ledger.update(book);
                metricsOf(ctx.getCurrentKey()).show(book, tenant.value());
            }
            return;
        }
        Tenant record = tenant.value();
        drain(record, book, now, ctx, out);
        ledger.update(book);
        metricsOf(ctx.getCurrentKey()).show(book, record);
    }

    private TenantLedger ledgerOf(long now) throws Exception {
        TenantLedger book = ledger.value();
        return book != null ? book : Ledger.empty(now);
    }

    /**
     * The tenant's waiting tasks, first to start first: from memory, or read from the {@code
     * queued} state the first time after a start (and from the one list of earlier savepoints,
     * which moves to {@code queued}).
     */
    private TreeSet<WaitingTask> queue(String tenantKey, TenantLedger book) throws Exception {
        TreeSet<WaitingTask> queue = queues.get(tenantKey);
        if (queue != null) {
            return queue;
        }
        queue = new TreeSet<>(order);
        WaitingQueue legacy = legacyQueue.value();
        if (legacy != null) {
            for (WaitingTask task : legacy.getTasks()) {
                queued.put(task.getSeq(), task);
            }
            book.setNextSeq(Math.max(book.getNextSeq(), legacy.getNextSeq()));
            legacyQueue.clear();
        }
        for (WaitingTask task : queued.values()) {
            queue.add(task);
        }
        queues.put(tenantKey, queue);
        return queue;
    }

    /**
     * Puts {@code task} in the queue and saves it; sets a timer at {@code wake} unless it is {@link
     * Long#MAX_VALUE}. Beyond the most that may wait, the task is rejected instead.
     */
    private void hold(Task task, long wake, long now, TenantLedger book, Context ctx)
            throws Exception {
        TreeSet<WaitingTask> queue = queue(ctx.getCurrentKey(), book);
        if (queue.size() >= maxWaiting) {
            reject(
                    task,
                    "tenant "
                            + task.getTenant()
                            + " already has "
                            + queue.size()
                            + " tasks waiting, the most that may wait; the task was not started",
                    now,
                    now,
                    ctx);
            return;
        }
        WaitingTask entry = new WaitingTask(Task.newBuilder(task).build(), now, book.getNextSeq());
        book.setNextSeq(book.getNextSeq() + 1);
        queue.add(entry);
        queued.put(entry.getSeq(), entry);
        book.setWaiting(queue.size());
        metricsOf(task.getTenant()).waited.inc();
        if (wake != Long.MAX_VALUE) {
            ctx.timerService().registerProcessingTimeTimer(wake);
        }
    }

    /**
     * Starts waiting tasks, first to start first, until one must wait; rejects those whose wait ran
     * out; saves the queue when it took any out, and sets the timer for the next change.
     */
    private void drain(Tenant record, TenantLedger book, long now, Context ctx, Collector<Task> out)
            throws Exception {
        TreeSet<WaitingTask> tasks = queue(ctx.getCurrentKey(), book);
        long wake = Long.MAX_VALUE;
        String blocked = null;
        Iterator<WaitingTask> it = tasks.iterator();
        while (it.hasNext()) {
            WaitingTask next = it.next();
            long giveUpAt = next.getArrivedAt() + maxWait.toMillis();
            Long deadline = next.getTask().getDeadline();
            if (blocked != null && deadline != null && deadline <= now) {
                // Behind a task that must wait: its own deadline ends it all the same.
                end(
                        next.getTask(),
                        TaskStatus.TIMED_OUT,
                        Admission.pastDeadline(deadline),
                        next.getArrivedAt(),
                        now,
                        ctx);
                take(it, next);
                continue;
            }
            if (deadline != null) {
                wake = Math.min(wake, deadline);
            }
            if (blocked == null) {
                Admission.Decision decision = Admission.decide(next.getTask(), record, book, now);
                if (decision instanceof Admission.Admit admitted) {
                    admit(next.getTask(), admitted.reservedUsd(), record, book, now, ctx, out);
                    take(it, next);
                    continue;
                }
                if (decision instanceof Admission.Reject reject) {
                    reject(next.getTask(), reject.reason(), next.getArrivedAt(), now, ctx);
                    take(it, next);
                    continue;
                }
                if (decision instanceof Admission.TimedOut late) {
                    end(
                            next.getTask(),
                            TaskStatus.TIMED_OUT,
                            late.reason(),
                            next.getArrivedAt(),
                            now,
                            ctx);
                    take(it, next);
                    continue;
                }
                Admission.Wait wait = (Admission.Wait) decision;
                blocked = wait.reason();
                wake = Math.min(wake, wait.retryAt());
            }
            if (giveUpAt <= now) {
                reject(
                        next.getTask(),
                        "waited "
                                + (now - next.getArrivedAt())
                                + " ms, the longest wait, because "
                                + blocked
                                + "; the task was not started",
                        next.getArrivedAt(),
                        now,
                        ctx);
                take(it, next);
            } else {
                wake = Math.min(wake, giveUpAt);
            }
        }
        book.setWaiting(tasks.size());
        if (tasks.isEmpty()) {
            queues.remove(ctx.getCurrentKey());
        }
        if (!tasks.isEmpty() && wake != Long.MAX_VALUE) {
            ctx.timerService().registerProcessingTimeTimer(wake);
        }
    }

    /** Takes {@code next}, which {@code it} just returned, out of the queue and its state. */
    private void take(Iterator<WaitingTask> it, WaitingTask next) throws Exception {
        it.remove();
        queued.remove(next.getSeq());
    }

    private void admit(
            Task task,
            Double reservedUsd,
            Tenant record,
            TenantLedger book,
            long now,
            Context ctx,
            Collector<Task> out)
            throws Exception {
        if (task.getRootId() == null) {
            inFlight.put(task.getTaskId(), now);
        }
        Double remaining = Ledger.remainingUsd(book, record);
        if (reservedUsd != null) {
            // Its share of what the tenant has left: all it may spend. A share of nothing holds
            // nothing, so there is nothing to let go when the task is answered.
            if (reservedUsd > 0) {
                reserved.put(task.getTaskId(), reservedUsd);
            }
            task.setBudgetUsd(reservedUsd);
        } else if (remaining != null) {
            // What the execute stage may spend on the task: never more than the tenant has left,
            // less the shares other tasks hold (a plan's subtasks spend their root's share).
            double free =
                    task.getRootId() == null
                            ? Math.max(0, remaining - book.getReservedUsd())
                            : remaining;
            if (task.getBudgetUsd() == null || task.getBudgetUsd() > free) {
                task.setBudgetUsd(free);
            }
        }
        if (record.getPreference() != null && !task.getMetadata().containsKey(Router.PREFERENCE)) {
            Map<String, String> metadata = new HashMap<>(task.getMetadata());
            metadata.put(Router.PREFERENCE, record.getPreference());
            task.setMetadata(metadata);
        }
        metricsOf(ctx.getCurrentKey()).admitted.inc();
        out.collect(task);
    }

    private void reject(Task task, String reason, long arrivedAt, long now, Context ctx) {
        end(task, TaskStatus.REJECTED, reason, arrivedAt, now, ctx);
    }

    private void end(
            Task task, TaskStatus status, String reason, long arrivedAt, long now, Context ctx) {
        metricsOf(task.getTenant()).rejected.inc();
        ctx.output(REJECTED, ended(task, status, reason, now - arrivedAt));
    }

    /** The result of a task that admission refused ({@code REJECTED} or {@code TIMED_OUT}). */
    public static TaskResult ended(Task task, TaskStatus status, String reason, long latencyMs) {
        return TaskResult.newBuilder()
                .setTaskId(task.getTaskId())
                .setTenant(task.getTenant())
                .setSessionId(task.getSessionId())
                .setKind(task.getKind())
                .setStatus(status)
                .setError(reason)
                .setParentId(task.getParentId())
                .setRootId(task.getRootId())
                .setLatencyMs(latencyMs)
                .setMetadata(task.getMetadata())
                .build();
    }

    private TenantMetrics metricsOf(String name) {
        return metrics.computeIfAbsent(
                name,
                n -> new TenantMetrics(getRuntimeContext().getMetricGroup().addGroup("tenant", n)));
    }

    /**
     * One tenant's Flink metrics, under the group {@code tenant=<name>}: counters of tasks
     * admitted, rejected and made to wait, and gauges of what the ledger held when it was last
     * seen.
     */
    static final class TenantMetrics {
        final Counter admitted;
        final Counter rejected;
        final Counter waited;
        private volatile double dayUsd;
        private volatile double monthUsd;
        private volatile long dayTokens;
        private volatile int inFlightNow;
        private volatile int waitingNow;
        private volatile double remainingUsd = -1;
        private volatile double reservedUsd;

        TenantMetrics(MetricGroup group) {
            admitted = group.counter("admitted");
            rejected = group.counter("rejected");
            waited = group.counter("waited");
            group.gauge("spentUsdToday", () -> dayUsd);
            group.gauge("spentUsdThisMonth", () -> monthUsd);
            group.gauge("tokensToday", () -> dayTokens);
            group.gauge("inFlight", () -> inFlightNow);
            group.gauge("waiting", () -> waitingNow);
            group.gauge("remainingUsd", () -> remainingUsd);
            group.gauge("reservedUsd", () -> reservedUsd);
        }

        void show(TenantLedger book, Tenant record) {
            dayUsd = book.getDayUsd();
            monthUsd = book.getMonthUsd();
            dayTokens = book.getDayTokens();
            inFlightNow = book.getInFlight();
            waitingNow = book.getWaiting();
            reservedUsd = book.getReservedUsd();
            Double remaining = record == null ? null : Ledger.remainingUsd(book, record);
            remainingUsd = remaining == null ? -1 : remaining;
        }
    }
}
