package io.hivestream.operators.execute;

import io.hivestream.operators.route.AgentStatistics;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.codec.RecordDefaults;
import io.hivestream.schemas.internal.CachedAnswer;
import java.util.concurrent.TimeoutException;

/**
 * The call metric of each attempt, which the agent statistics learn from and the metrics topic
 * carries: what it cost, how long it took, and how it ended. Plain functions.
 */
public final class CallMetrics {
    private static final RecordDefaults<CallMetric> CALLS = RecordDefaults.of(CallMetric::new);
    private static final RecordDefaults<Metric> METRICS = RecordDefaults.of(Metric::new);

    private CallMetrics() {}

    /** The error class of a call the agent's circuit breaker refused (outcome {@code REJECTED}). */
    public static final String BREAKER_OPEN = "CircuitBreakerOpen";

    /** The price of a reply at the agent's rates per 1,000 tokens, in USD. */
    static double cost(AgentEvent agent, AgentReply reply) {
        return cost(agent, reply.tokensIn(), reply.tokensOut());
    }

    static double cost(AgentEvent agent, long tokensIn, long tokensOut) {
        return tokensIn / 1000.0 * agent.getCostPer1kInputTokens()
                + tokensOut / 1000.0 * agent.getCostPer1kOutputTokens();
    }

    /**
     * The try of a call that was in flight at a failure, made again after the restore: the provider
     * may have answered and billed it, but its reply never came. Its tokens and cost are those of
     * the same request made again (without the tool steps replayed from the journal); an error of
     * class {@link AgentStatistics#ABANDONED} that says nothing about the agent.
     *
     * @param tokensIn the prompt tokens of the request made again, 0 when it failed
     * @param tokensOut its completion tokens, 0 when it failed
     */
    static Metric abandoned(
            Task task, AgentEvent agent, int attempt, long tokensIn, long tokensOut, long now) {
        CallMetric call = call(agent.getModel(), attempt, CallOutcome.ERROR);
        call.setErrorClass(AgentStatistics.ABANDONED);
        call.setTokensIn(tokensIn);
        call.setTokensOut(tokensOut);
        call.setCostUsd(cost(agent, tokensIn, tokensOut));
        return metric(task, agent.getAgentId(), call, now);
    }

    /**
     * A failure that is a timeout, the runtime's own or the stage's, is one; anything else an
     * error.
     */
    static CallOutcome outcome(Throwable cause) {
        return cause instanceof TimeoutException
                        || (cause instanceof AgentCallException e
                                && e.kind() == AgentCallException.Kind.TIMEOUT)
                ? CallOutcome.TIMEOUT
                : CallOutcome.ERROR;
    }

    /** The kind of an agent's failure, or the class of anything else that went wrong. */
    static String errorClass(Throwable cause) {
        return cause instanceof AgentCallException e ? e.kind().name() : cause.getClass().getName();
    }

    static Metric success(
            Task task, AgentEvent agent, int attempt, long latencyMs, AgentReply reply, long now) {
        CallMetric call = call(reply.model(), attempt, CallOutcome.SUCCESS);
        call.setLatencyMs(latencyMs);
        call.setTokensIn(reply.tokensIn());
        call.setTokensOut(reply.tokensOut());
        call.setCostUsd(cost(agent, reply));
        call.setSimulated(reply.simulated());
        return metric(task, agent.getAgentId(), call, now);
    }

    /**
     * An answer from the response cache: no call was made, so it costs nothing and takes no time;
     * {@code savedUsd} is what the call whose answer was cached cost. A SUCCESS that says nothing
     * about the agent ({@code AgentStatistics.countsForAgent}).
     */
    static Metric cached(Task task, CachedAnswer answer, long now) {
        CallMetric call = call(answer.getModel(), 1, CallOutcome.SUCCESS);
        call.setSimulated(answer.getSimulated());
        call.setCached(true);
        call.setSavedUsd(answer.getCostUsd());
        return metric(task, answer.getAgentId(), call, now);
    }

    static Metric failure(
            Task task, AgentEvent agent, int attempt, long latencyMs, Throwable cause, long now) {
        return unanswered(task, agent, attempt, latencyMs, outcome(cause), errorClass(cause), now);
    }

    /**
     * A call that timed out while this JVM was paused: a {@code TIMEOUT} of class {@link
     * AgentStatistics#LOCAL_PAUSE} that says nothing about the agent. Priced as any call without an
     * answer, at nothing.
     */
    static Metric timedOutInPause(
            Task task, AgentEvent agent, int attempt, long latencyMs, long now) {
        return unanswered(
                task,
                agent,
                attempt,
                latencyMs,
                CallOutcome.TIMEOUT,
                AgentStatistics.LOCAL_PAUSE,
                now);
    }

    /** Whether the metric is that of a call that timed out while this JVM was paused. */
    static boolean timedOutInPause(Metric metric) {
        return metric.getCall() != null
                && AgentStatistics.LOCAL_PAUSE.equals(metric.getCall().getErrorClass());
    }

    /** A call the agent's circuit breaker did not let through. */
    static Metric refused(Task task, AgentEvent agent, int attempt, long now) {
        return unanswered(task, agent, attempt, 0, CallOutcome.REJECTED, BREAKER_OPEN, now);
    }

    private static Metric unanswered(
            Task task,
            AgentEvent agent,
            int attempt,
            long latencyMs,
            CallOutcome outcome,
            String errorClass,
            long now) {
        CallMetric call = call(agent.getModel(), attempt, outcome);
        call.setErrorClass(errorClass);
        call.setLatencyMs(latencyMs);
        return metric(task, agent.getAgentId(), call, now);
    }

    /**
     * A call's metric with its schema's defaults (no error, no time, no tokens, no cost, not
     * simulated, not cached) and what every call has: its model, attempt and outcome.
     */
    private static CallMetric call(String model, int attempt, CallOutcome outcome) {
        CallMetric call = CALLS.make();
        call.setModel(model);
        call.setAttempt(attempt);
        call.setOutcome(outcome);
        return call;
    }

    private static Metric metric(Task task, String agentId, CallMetric call, long now) {
        Metric metric = METRICS.make();
        metric.setKind(MetricKind.CALL);
        metric.setTimestamp(now);
        metric.setTaskId(task.getTaskId());
        metric.setAgentId(agentId);
        metric.setTenant(task.getTenant());
        metric.setCall(call);
        return metric;
    }
}
