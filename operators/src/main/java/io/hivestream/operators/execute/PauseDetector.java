package io.hivestream.operators.execute;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices when this JVM stopped running: a long garbage-collection pause, a process stopped by a
 * signal, a starved or suspended machine. Something ticks it every {@link #TICK_MS} ms (a daemon
 * thread for the {@linkplain #SHARED shared} detector, the test for others); a tick that comes more
 * than {@link #THRESHOLD_MS} ms later than due records a pause, from the tick before to this one,
 * in a bounded history.
 *
 * <p>A call timeout that overlaps a pause says nothing about the agent: its time ran out while
 * nothing here could read its answer. {@link #excuse} answers whether a call overlapped a pause;
 * while a pause has not been ticked yet (everything stops in a pause, and on resume a call's
 * timeout may fire before the detector's thread runs), the detector's last tick, older than the
 * threshold, is the evidence of the pause still in progress.
 *
 * <p>Each pause is reported once, {@link #REPORT_AFTER_MS} ms after its end, with the calls that
 * timed out during it: long enough for the timeouts that fire at the resume to be counted.
 *
 * <p>Times are nanoseconds of the detector's ticker ({@link System#nanoTime()} outside tests).
 * Thread-safe.
 */
public final class PauseDetector {
    private static final Logger LOG = LoggerFactory.getLogger(PauseDetector.class);

    /** How often the shared detector ticks. */
    public static final long TICK_MS = 100;

    /** How much later than due a tick must come to record a pause. */
    public static final long THRESHOLD_MS = 1_000;

    /** How long after a pause ends it is reported. */
    public static final long REPORT_AFTER_MS = 2_000;

    /** How many recent pauses are kept. */
    public static final int HISTORY = 64;

    /**
     * A call's timeout is excused when the JVM was paused for at least this share of the call: its
     * agent had less than nine tenths of its time. A short pause early in a long call is not
     * enough.
     */
    public static final double EXCUSED_SHARE = 0.1;

    /** A pause of the JVM, in ticker nanoseconds: the last tick before it, the first after it. */
    public record Pause(long startNanos, long endNanos) {
        public long millis() {
            return TimeUnit.NANOSECONDS.toMillis(endNanos - startNanos);
        }

        boolean overlaps(long fromNanos, long toNanos) {
            return startNanos < toNanos && endNanos > fromNanos;
        }

        /** How long this pause lasted within {@code [fromNanos, toNanos]}. */
        long overlap(long fromNanos, long toNanos) {
            return Math.max(0, Math.min(endNanos, toNanos) - Math.max(startNanos, fromNanos));
        }
    }

    /** Told of each pause once, with the calls that timed out during it. */
    @FunctionalInterface
    public interface Reporter {
        void paused(Pause pause, int timedOutCalls);

        /** The log line of each pause. */
        Reporter LOG_LINE =
                (pause, calls) ->
                        LOG.info(
                                "the JVM was paused for {} ms; {} calls that timed out during it"
                                        + " are not counted against their agents (each replica"
                                        + " makes such a call again up to "
                                        + ReplicaCall.PAUSE_RETRIES
                                        + " times)",
                                pause.millis(),
                                calls);
    }

    /** Where an operator gets its detector when it opens, and gives it back when it closes. */
    @FunctionalInterface
    public interface Source extends Serializable {
        PauseDetector acquire();

        default void release(PauseDetector detector) {}
    }

    /**
     * One detector per JVM (per class loader), ticked by a daemon thread that the first operator to
     * acquire it starts and the last to release it stops, so that no thread outlives the job's
     * class loader.
     */
    public static final Source SHARED = SharedSource.INSTANCE;

    private final LongSupplier ticker;
    private final long tickNanos;
    private final long thresholdNanos;
    private final long reportAfterNanos;
    private final int history;
    private final Reporter reporter;

    private final ArrayDeque<Recorded> pauses = new ArrayDeque<>();
    private long lastTick;

    /** Calls excused by the pause in progress, before a tick recorded it. */
    private int excusedInProgress;

    /** A recorded pause, the calls it excused, and whether it was reported. */
    private static final class Recorded {
        final Pause pause;
        int excused;
        boolean reported;

        Recorded(Pause pause, int excused) {
            this.pause = pause;
            this.excused = excused;
        }
    }

    /** A detector with the default tick, threshold, report delay and history. */
    public PauseDetector(LongSupplier ticker, Reporter reporter) {
        this(
                ticker,
                TimeUnit.MILLISECONDS.toNanos(TICK_MS),
                TimeUnit.MILLISECONDS.toNanos(THRESHOLD_MS),
                TimeUnit.MILLISECONDS.toNanos(REPORT_AFTER_MS),
                HISTORY,
                reporter);
    }

    /**
     * @param ticker nanoseconds, monotonic
     * @param tickNanos how often {@link #tick} is called
     * @param thresholdNanos how much later than due a tick must come to record a pause
     * @param reportAfterNanos how long after its end a pause is reported
     * @param history how many pauses are kept
     */
    PauseDetector(
            LongSupplier ticker,
            long tickNanos,
            long thresholdNanos,
            long reportAfterNanos,
            int history,
            Reporter reporter) {
        if (tickNanos <= 0 || thresholdNanos <= 0 || reportAfterNanos < 0 || history < 1) {
            throw new IllegalArgumentException("tick, threshold and history must be positive");
        }
        this.ticker = ticker;
        this.tickNanos = tickNanos;
        this.thresholdNanos = thresholdNanos;
        this.reportAfterNanos = reportAfterNanos;
        this.history = history;
        this.reporter = reporter;
        this.lastTick = ticker.getAsLong();
    }

    /** The detector's time, in nanoseconds: what call windows are measured with. */
    public long nanoTime() {
        return ticker.getAsLong();
    }

    /**
     * One tick: records a pause when it comes more than the threshold later than due, and reports
     * the pauses that ended long enough ago.
     */
    public void tick() {
        List<Recorded> due = new ArrayList<>();
        synchronized (this) {
            long now = ticker.getAsLong();
            if (late(now)) {
                pauses.addLast(new Recorded(new Pause(lastTick, now), excusedInProgress));
                excusedInProgress = 0;
            }
            lastTick = now;
            for (Recorded recorded : pauses) {
                if (!recorded.reported && now - recorded.pause.endNanos() >= reportAfterNanos) {
                    recorded.reported = true;
                    due.add(recorded);
                }
            }
            while (pauses.size() > history) {
                Recorded oldest = pauses.removeFirst();
                if (!oldest.reported) {
                    oldest.reported = true;
                    due.add(oldest);
                }
            }
        }
        for (Recorded recorded : due) {
            reporter.paused(recorded.pause, recorded.excused);
        }
    }

    /**
     * Whether the JVM was paused at some time between {@code startNanos} and {@code endNanos}: a
     * recorded pause overlaps it, or the pause in progress (no tick for longer than the threshold)
     * began before it ended.
     */
    public synchronized boolean pausedDuring(long startNanos, long endNanos) {
        return inProgressOverlaps(endNanos) || recordedOverlapping(startNanos, endNanos) != null;
    }

    /**
     * Whether a call that timed out between {@code startNanos} and {@code endNanos} is excused: the
     * JVM was paused, in recorded pauses and the one in progress together, for at least {@link
     * #EXCUSED_SHARE} of it. An excused call is counted in the report of the newest pause it
     * overlapped.
     */
    public synchronized boolean excuse(long startNanos, long endNanos) {
        long inProgress =
                inProgressOverlaps(endNanos) ? endNanos - Math.max(lastTick, startNanos) : 0;
        long paused = inProgress;
        Recorded newest = null;
        Iterator<Recorded> newestFirst = pauses.descendingIterator();
        while (newestFirst.hasNext()) {
            Recorded recorded = newestFirst.next();
            long overlap = recorded.pause.overlap(startNanos, endNanos);
            if (overlap > 0) {
                paused += overlap;
                newest = newest == null ? recorded : newest;
            }
        }
        if (paused <= 0 || paused < EXCUSED_SHARE * (endNanos - startNanos)) {
            return false;
        }
        if (inProgress > 0) {
            excusedInProgress++;
        } else {
            newest.excused++;
        }
        return true;
    }

    /** The pauses kept, oldest first. */
    public synchronized List<Pause> pauses() {
        List<Pause> kept = new ArrayList<>(pauses.size());
        pauses.forEach(recorded -> kept.add(recorded.pause));
        return kept;
    }

    private boolean late(long now) {
        return now - lastTick > tickNanos + thresholdNanos;
    }

    private boolean inProgressOverlaps(long endNanos) {
        return late(ticker.getAsLong()) && lastTick < endNanos;
    }

    private Recorded recordedOverlapping(long startNanos, long endNanos) {
        Iterator<Recorded> newestFirst = pauses.descendingIterator();
        while (newestFirst.hasNext()) {
            Recorded recorded = newestFirst.next();
            if (recorded.pause.overlaps(startNanos, endNanos)) {
                return recorded;
            }
        }
        return null;
    }

    /** The detector {@link #SHARED} hands out. */
    private enum SharedSource implements Source {
        INSTANCE;

        private static final Ticked TICKED = new Ticked();

        @Override
        public PauseDetector acquire() {
            return TICKED.acquire();
        }

        @Override
        public void release(PauseDetector detector) {
            TICKED.release(detector);
        }
    }

    /**
     * A detector on {@link System#nanoTime()} and the daemon thread that ticks it, while anyone
     * holds it: the first to acquire it starts both, the last to release it stops the thread.
     */
    static final class Ticked {
        private PauseDetector detector;
        private Thread thread;
        private int holders;

        synchronized PauseDetector acquire() {
            if (holders++ == 0) {
                PauseDetector started = new PauseDetector(System::nanoTime, Reporter.LOG_LINE);
                detector = started;
                thread = new Thread(() -> run(started), "hivestream-pause-detector");
                thread.setDaemon(true);
                thread.start();
            }
            return detector;
        }

        /**
         * Gives back a detector; one that is not the current one, or once too often, is ignored.
         */
        synchronized void release(PauseDetector released) {
            if (released != detector || holders == 0) {
                return;
            }
            if (--holders == 0) {
                thread.interrupt();
                thread = null;
                detector = null;
            }
        }

        /** The thread ticking the detector, or null when none is held. */
        synchronized Thread thread() {
            return thread;
        }

        private static void run(PauseDetector detector) {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(TICK_MS);
                } catch (InterruptedException stopped) {
                    return;
                }
                try {
                    detector.tick();
                } catch (RuntimeException e) {
                    LOG.warn("the pause detector's tick failed", e);
                }
            }
        }
    }
}
