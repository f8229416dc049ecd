package io.hivestream.operators.route;

import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.codec.RecordDefaults;
import io.hivestream.schemas.internal.AgentStats;
import java.io.Serializable;

/**
 * Updates an agent's {@link AgentStats} from the outcomes of its calls and votes: plain code, used
 * by the agent-statistics operator and by anything that simulates routing without Flink.
 *
 * <p>Success and agreement are Beta posteriors over decayed counts: each new observation first
 * multiplies the older counts by {@code decay}, so an agent that starts failing loses its good
 * record within a few dozen calls. Latency and cost are moving averages of successful calls; the
 * recent call count decays with time and estimates the calls an agent has in flight.
 */
public final class AgentStatistics implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final double DEFAULT_DECAY = 0.95;
    public static final double DEFAULT_SMOOTHING = 0.2;

    /** The time constant of the recent call count: it estimates the calls of the last minute. */
    static final long RECENT_WINDOW_MS = 60_000;

    private final double decay;
    private final double smoothing;

    public AgentStatistics() {
        this(DEFAULT_DECAY, DEFAULT_SMOOTHING);
    }

    /**
     * @param decay in (0, 1]: the weight older counts keep at each new observation; 1 never forgets
     * @param smoothing in (0, 1]: the weight of a new latency or cost in its moving average
     */
    public AgentStatistics(double decay, double smoothing) {
        if (!(decay > 0 && decay <= 1)) {
            throw new IllegalArgumentException("decay must be in (0, 1]: " + decay);
        }
        if (!(smoothing > 0 && smoothing <= 1)) {
            throw new IllegalArgumentException("smoothing must be in (0, 1]: " + smoothing);
        }
        this.decay = decay;
        this.smoothing = smoothing;
    }

    /**
     * The error class of a call the provider refused as a bad request: the name of the execute
     * stage's {@code AgentCallException.Kind.BAD_REQUEST}, which the route stage cannot depend on.
     */
    public static final String BAD_REQUEST = "BAD_REQUEST";

    /**
     * The error class of the try of a call that was in flight when the job failed: the job, not the
     * agent, left it.
     */
    public static final String ABANDONED = "AbandonedAtRestore";

    /**
     * The error class of a call that timed out while the JVM that made it was paused (a long
     * garbage collection, a stopped process): the caller, not the agent, ran out of time.
     */
    public static final String LOCAL_PAUSE = "TimedOutInLocalPause";

    /** Statistics of an agent nothing is known about: in the rotation, no observations. */
    public static AgentStats empty() {
        return STATS.make();
    }

    private static final RecordDefaults<AgentStats> STATS = RecordDefaults.of(AgentStats::new);

    /**
     * A copy of {@code stats} to change: every field is a primitive, so the constructor copies it
     * whole, where a generated builder looks each field up by its schema.
     */
    public static AgentStats copyOf(AgentStats stats) {
        return new AgentStats(
                stats.getSuccesses(),
                stats.getFailures(),
                stats.getCalls(),
                stats.getAgreed(),
                stats.getDisagreed(),
                stats.getVotes(),
                stats.getLatencyMs(),
                stats.getCostUsd(),
                stats.getRecentCalls(),
                stats.getRecentAt(),
                stats.getLastSeenAt(),
                stats.getHealthy(),
                stats.getExpiresAt(),
                stats.getPublishAt());
    }

    /**
     * Whether a call counts for or against its agent. A call that was refused (by the circuit
     * breaker or otherwise) was never made, an answer from the response cache made no call either,
     * and a bad request is the task's fault, so none of them says anything about the agent. The
     * router's statistics, the console and {@code agents list} all count by this rule. Nor does a
     * try lost at a restore or a timeout during a pause of the caller's JVM.
     */
    public static boolean countsForAgent(CallMetric call) {
        return call.getOutcome() != CallOutcome.REJECTED
                && !call.getCached()
                && !BAD_REQUEST.equals(call.getErrorClass())
                && !ABANDONED.equals(call.getErrorClass())
                && !LOCAL_PAUSE.equals(call.getErrorClass());
    }

    /**
     * Counts one call attempt, if it {@linkplain #countsForAgent counts for the agent}.
     *
     * @param at when the call ended, epoch milliseconds
     */
    public AgentStats onCall(AgentStats stats, CallMetric call, long at) {
        if (!countsForAgent(call)) {
            return stats;
        }
        boolean ok = call.getOutcome() == CallOutcome.SUCCESS;
        AgentStats next = copyOf(stats);
        next.setSuccesses(stats.getSuccesses() * decay + (ok ? 1 : 0));
        next.setFailures(stats.getFailures() * decay + (ok ? 0 : 1));
        next.setCalls(stats.getCalls() + 1);
        next.setRecentCalls(recentCalls(stats, at) + 1);
        next.setRecentAt(Math.max(at, stats.getRecentAt()));
        if (ok) {
            boolean first = stats.getSuccesses() == 0 && stats.getLatencyMs() == 0;
            next.setLatencyMs(average(stats.getLatencyMs(), call.getLatencyMs(), first));
            next.setCostUsd(average(stats.getCostUsd(), call.getCostUsd(), first));
        }
        return next;
    }

    /** Counts one vote: whether the agent's answer agreed with the winner. */
    public AgentStats onVote(AgentStats stats, boolean agreed) {
        AgentStats next = copyOf(stats);
        next.setAgreed(stats.getAgreed() * decay + (agreed ? 1 : 0));
        next.setDisagreed(stats.getDisagreed() * decay + (agreed ? 0 : 1));
        next.setVotes(stats.getVotes() + 1);
        return next;
    }

    private double average(double current, double sample, boolean first) {
        return first ? sample : current + smoothing * (sample - current);
    }

    /** The recent call count decayed to {@code now}. */
    public static double recentCalls(AgentStats stats, long now) {
        long elapsed = Math.max(0, now - stats.getRecentAt());
        return stats.getRecentCalls() * Math.exp(-(double) elapsed / RECENT_WINDOW_MS);
    }

    /**
     * Calls the agent has in flight, estimated by Little's law: recent calls per millisecond times
     * the average latency.
     */
    public static double inFlight(AgentStats stats, long now) {
        return recentCalls(stats, now) / RECENT_WINDOW_MS * stats.getLatencyMs();
    }

    /** The mean of the success posterior Beta(1 + successes, 1 + failures). */
    public static double successRate(AgentStats stats) {
        return (1 + stats.getSuccesses()) / (2 + stats.getSuccesses() + stats.getFailures());
    }

    /** The mean of the agreement posterior Beta(1 + agreed, 1 + disagreed). */
    public static double agreementRate(AgentStats stats) {
        return (1 + stats.getAgreed()) / (2 + stats.getAgreed() + stats.getDisagreed());
    }
}
