package io.hivestream.operators.admit;

import java.util.ArrayDeque;

/**
 * A provider's rate limit for one agent: at most {@code limit} units (requests, or tokens) in any
 * 60 seconds, which is how providers count requests and tokens per minute. Unlike a token bucket,
 * which lets through a full bucket and its refill within one minute, a sliding window never admits
 * more than the limit in any minute, so a provider that answers 429 above it never has to.
 *
 * <p>The limit is held across all parallel instances of the job by giving each instance its share,
 * {@code limit / parallelism} rounded down (at least one). Time is passed in, so that tests run
 * minutes of calls on a controllable clock. Not thread-safe: one per agent per instance, used from
 * the operator's thread.
 */
public final class RateWindow {
    public static final long WINDOW_MS = 60_000;

    private final long share;
    private final ArrayDeque<long[]> used = new ArrayDeque<>();
    private long inWindow;

    /**
     * @param limit units per minute for the whole job
     * @param parallelism instances of the stage that hold a share each
     */
    public RateWindow(long limit, int parallelism) {
        if (limit < 1 || parallelism < 1) {
            throw new IllegalArgumentException(
                    "limit and parallelism must be positive: " + limit + ", " + parallelism);
        }
        this.share = Math.max(1, limit / parallelism);
    }

    /** This instance's share of the limit. */
    public long share() {
        return share;
    }

    /**
     * Takes {@code units} at {@code now} when the last minute leaves room for them and returns
     * {@code now}; otherwise takes nothing and returns the earliest time at which they fit. A call
     * of more units than the whole share fits only into an empty minute.
     */
    public long acquire(long units, long now) {
        long at = earliest(units, now);
        if (at == now) {
            used.addLast(new long[] {now, units});
            inWindow += units;
        }
        return at;
    }

    /**
     * When {@code units} would fit, without taking them: {@code now} when they fit now. A call
     * limited both in requests and in tokens asks both windows first and takes from both only when
     * both have room.
     */
    public long earliest(long units, long now) {
        expire(now);
        long need = Math.min(units, share);
        if (inWindow + need <= share) {
            return now;
        }
        // The earliest moment enough of the oldest uses have left the window.
        long freed = share - inWindow;
        for (long[] use : used) {
            freed += use[1];
            if (freed >= need) {
                return use[0] + WINDOW_MS;
            }
        }
        return used.isEmpty() ? now : used.getLast()[0] + WINDOW_MS;
    }

    /** Units taken in the minute up to {@code now}. */
    public long inWindow(long now) {
        expire(now);
        return inWindow;
    }

    private void expire(long now) {
        while (!used.isEmpty() && used.getFirst()[0] <= now - WINDOW_MS) {
            inWindow -= used.removeFirst()[1];
        }
    }
}
