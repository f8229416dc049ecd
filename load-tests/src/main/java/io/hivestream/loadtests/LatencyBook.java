package io.hivestream.loadtests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;

/**
 * The latency bookkeeping of one phase of a run: tasks with indices {@code [first, first +
 * capacity)}. The publisher notes when it published each task; the result reader notes when each
 * result became visible and how long the agents took. A result adds to the histograms only the
 * first time its task is seen; later copies count as duplicates (at-least-once delivery may repeat
 * results).
 *
 * <p>End-to-end latency is publish → visible; orchestration overhead is end-to-end minus the agent
 * time the result reports. Both in milliseconds. {@link #published} may be called from one thread
 * and {@link #completed} from another; the histograms and the timeline are read once the phase is
 * over.
 */
public final class LatencyBook {
    /** Largest latency tracked exactly: one hour. */
    static final long MAX_TRACKED_MS = 3_600_000;

    /** The reader's count of distinct results at one moment. */
    public record Point(long millis, long distinct) {}

    private final long first;
    private final AtomicLongArray publishedAt;
    private final boolean[] seen;
    private final Histogram endToEnd = new Histogram(MAX_TRACKED_MS, 3);
    private final Histogram overhead = new Histogram(MAX_TRACKED_MS, 3);
    private final Histogram plans = new Histogram(MAX_TRACKED_MS, 3);
    private final Histogram rest = new Histogram(MAX_TRACKED_MS, 3);
    private final Histogram made = new Histogram(MAX_TRACKED_MS, 3);
    private final Histogram written = new Histogram(MAX_TRACKED_MS, 3);
    private double planCost;
    private double restCost;
    private final List<Point> timeline = new ArrayList<>();
    private long distinct;
    private long duplicates;
    private long unknown;
    private long lastVisible = -1;

    public LatencyBook(long first, int capacity) {
        this.first = first;
        this.publishedAt = new AtomicLongArray(capacity);
        this.seen = new boolean[capacity];
    }

    public boolean covers(long index) {
        return index >= first && index < first + seen.length;
    }

    public int capacity() {
        return seen.length;
    }

    public void published(long index, long epochMillis) {
        publishedAt.set(slot(index), epochMillis);
    }

    /**
     * A result for task {@code index} became visible at {@code visibleMillis}; its agents took
     * {@code agentMillis}.
     */
    public synchronized void completed(long index, long visibleMillis, long agentMillis) {
        completed(index, visibleMillis, agentMillis, false, 0);
    }

    /**
     * A result for task {@code index} became visible at {@code visibleMillis}; its agents took
     * {@code agentMillis}; {@code plan}: the task was a plan's root; it cost {@code costUsd}.
     */
    public synchronized void completed(
            long index, long visibleMillis, long agentMillis, boolean plan, double costUsd) {
        completed(index, visibleMillis, agentMillis, plan, costUsd, 0);
    }

    /**
     * A result for task {@code index} became visible at {@code visibleMillis}; its agents took
     * {@code agentMillis}; {@code plan}: the task was a plan's root; it cost {@code costUsd}; the
     * job made it at {@code madeMillis} (its {@code completedAt}; 0: not known).
     */
    public synchronized void completed(
            long index,
            long visibleMillis,
            long agentMillis,
            boolean plan,
            double costUsd,
            long madeMillis) {
        if (!covers(index)) {
            unknown++;
            return;
        }
        int slot = slot(index);
        if (seen[slot]) {
            duplicates++;
            return;
        }
        long published = publishedAt.get(slot);
        if (published == 0) {
            unknown++;
            return;
        }
        seen[slot] = true;
        distinct++;
        long total = Math.max(0, visibleMillis - published);
        endToEnd.recordValue(Math.min(total, MAX_TRACKED_MS));
        (plan ? plans : rest).recordValue(Math.min(total, MAX_TRACKED_MS));
        if (plan) {
            planCost += costUsd;
        } else {
            restCost += costUsd;
        }
        overhead.recordValue(Math.min(Math.max(0, total - agentMillis), MAX_TRACKED_MS));
        if (madeMillis > 0) {
            made.recordValue(Math.min(Math.max(0, madeMillis - published), MAX_TRACKED_MS));
            written.recordValue(Math.min(Math.max(0, visibleMillis - madeMillis), MAX_TRACKED_MS));
        }
        if (lastVisible == visibleMillis && !timeline.isEmpty()) {
            timeline.set(timeline.size() - 1, new Point(visibleMillis, distinct));
        } else {
            timeline.add(new Point(visibleMillis, distinct));
        }
        lastVisible = visibleMillis;
    }

    public synchronized long distinct() {
        return distinct;
    }

    public synchronized long duplicates() {
        return duplicates;
    }

    /** Results of tasks this phase did not publish (or not yet). */
    public synchronized long unknown() {
        return unknown;
    }

    public synchronized boolean complete() {
        return distinct == seen.length;
    }

    /** A copy of the end-to-end latencies so far. */
    public synchronized Histogram endToEnd() {
        return endToEnd.copy();
    }

    /** End-to-end latency of plans and of the other tasks; null when there was no plan. */
    public synchronized Figures.Split split() {
        if (plans.getTotalCount() == 0) {
            return null;
        }
        return new Figures.Split(
                plans.getTotalCount(),
                plans.getValueAtPercentile(50),
                plans.getValueAtPercentile(99),
                rest.getValueAtPercentile(50),
                rest.getValueAtPercentile(99),
                planCost / plans.getTotalCount(),
                rest.getTotalCount() == 0 ? 0 : restCost / rest.getTotalCount());
    }

    /**
     * End-to-end latency in two parts: publish → the result made (its {@code completedAt}, stamped
     * where the job emits it to its sink) and made → visible to a read_committed reader; null when
     * no result said when it was made.
     */
    public synchronized Figures.Parts parts() {
        if (made.getTotalCount() == 0) {
            return null;
        }
        return new Figures.Parts(
                made.getValueAtPercentile(50),
                made.getValueAtPercentile(99),
                written.getValueAtPercentile(50),
                written.getValueAtPercentile(99));
    }

    /** A copy of the orchestration overheads so far. */
    public synchronized Histogram overhead() {
        return overhead.copy();
    }

    /** Distinct results over time, one point per millisecond in which results became visible. */
    public synchronized List<Point> timeline() {
        return List.copyOf(timeline);
    }

    /**
     * Results per second between the moments 10% and 90% of the tasks had their results, measured
     * at the points where the count crossed them (results of an exactly-once job become visible in
     * bursts at checkpoints, so both ends sit on a burst). NaN when both fall in one burst.
     */
    public synchronized double steadyThroughput() {
        return throughput(timeline, capacity());
    }

    static double throughput(List<Point> timeline, long tasks) {
        Point[] window = steadyWindow(timeline, tasks);
        return window == null
                ? Double.NaN
                : (window[1].distinct() - window[0].distinct())
                        * 1000.0
                        / (window[1].millis() - window[0].millis());
    }

    /**
     * The points where the count first reached 10% and 90% of {@code tasks}; null when there are no
     * such two points apart in time.
     */
    public static Point[] steadyWindow(List<Point> timeline, long tasks) {
        Point from = crossing(timeline, (tasks + 9) / 10);
        Point to = crossing(timeline, (9 * tasks + 9) / 10);
        if (from == null || to == null || to.millis() <= from.millis()) {
            return null;
        }
        return new Point[] {from, to};
    }

    /**
     * Why a drain of an exactly-once job does not measure its rate, or null when it does. Its
     * results become visible when a checkpoint commits them, so the 10%-90% window must span at
     * least two checkpoint intervals; a backlog that a job drains within one or two commits says
     * when those commits came, not how fast the job works.
     */
    public static String unmeasuredDrain(List<Point> timeline, long tasks, Duration checkpoints) {
        Point[] window = steadyWindow(timeline, tasks);
        long span = window == null ? 0 : window[1].millis() - window[0].millis();
        if (span >= 2 * checkpoints.toMillis()) {
            return null;
        }
        return "its 10%-90% window lasted "
                + span
                + " ms, less than two checkpoint intervals ("
                + checkpoints.toMillis()
                + " ms each): its results became visible in one or two commits, so its tasks/s and"
                + " the ratios built on it measure when those came, not the job. Run it with more"
                + " --tasks or a shorter --checkpoint-interval.";
    }

    private static Point crossing(List<Point> timeline, long count) {
        for (Point point : timeline) {
            if (point.distinct() >= count) {
                return point;
            }
        }
        return null;
    }

    /** Distinct results per whole second since {@code startMillis}. */
    public synchronized long[] perSecond(long startMillis) {
        return perSecond(timeline, startMillis);
    }

    /** Results per whole second since {@code startMillis}, from a timeline of counts. */
    public static long[] perSecond(List<Point> timeline, long startMillis) {
        if (timeline.isEmpty()) {
            return new long[0];
        }
        long end = timeline.get(timeline.size() - 1).millis();
        int seconds = (int) Math.max(1, (end - startMillis) / 1000 + 1);
        long[] counts = new long[seconds];
        long before = 0;
        for (Point point : timeline) {
            int second = (int) Math.max(0, (point.millis() - startMillis) / 1000);
            counts[Math.min(second, seconds - 1)] += point.distinct() - before;
            before = point.distinct();
        }
        return counts;
    }

    private int slot(long index) {
        if (!covers(index)) {
            throw new IllegalArgumentException(
                    "task " + index + " is outside [" + first + ", " + (first + seen.length) + ")");
        }
        return (int) (index - first);
    }
}
