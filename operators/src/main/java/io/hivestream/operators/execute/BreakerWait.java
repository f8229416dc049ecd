package io.hivestream.operators.execute;

import java.time.Duration;

/**
 * How long a call waits when every agent of its chain that could take it has an open circuit
 * breaker: it tries again at intervals, so that it is among the calls the breaker lets through when
 * it half-opens, until the earlier of the task's deadline and {@code hivestream.route.agent-wait}
 * after it first found the breakers open. Plain arithmetic, no clock of its own.
 */
public final class BreakerWait {
    /** The longest interval between two tries. */
    static final long MAX_INTERVAL_MS = 1000;

    /** The shortest interval between two tries. */
    static final long MIN_INTERVAL_MS = 10;

    private final long agentWaitMs;
    private final long intervalMs;

    /**
     * @param agentWait the longest a call waits for an open breaker
     * @param breakerOpen how long a breaker stays open before it lets probes through
     */
    public BreakerWait(Duration agentWait, Duration breakerOpen) {
        this.agentWaitMs = agentWait.toMillis();
        this.intervalMs =
                Math.max(MIN_INTERVAL_MS, Math.min(MAX_INTERVAL_MS, breakerOpen.toMillis() / 4));
    }

    /** The time a call that first found the breakers open at {@code since} stops waiting. */
    public long waitEnds(long since, Long taskDeadline) {
        long end = since + agentWaitMs;
        return taskDeadline == null ? end : Math.min(end, taskDeadline);
    }

    /**
     * @return after how many milliseconds to try again, or -1 when the wait is over
     */
    public long nextTry(long now, long waitEnds) {
        if (now >= waitEnds) {
            return -1;
        }
        return Math.min(intervalMs, waitEnds - now);
    }

    public long agentWaitMs() {
        return agentWaitMs;
    }
}
