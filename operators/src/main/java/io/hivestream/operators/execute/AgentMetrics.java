package io.hivestream.operators.execute;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * One agent's calls in a subtask of the execute stage, in the metric group {@code agent=<id>} (the
 * Prometheus reporter exports the id as the label {@code agent}): counters of the calls made, those
 * that failed, the tokens and the cost the agent reported, and a gauge of the calls sent and not
 * answered yet. Registered at the subtask's first call to the agent.
 */
final class AgentMetrics {
    final Counter calls;
    final Counter failures;
    final Counter tokensIn;
    final Counter tokensOut;
    final Counter costMicroUsd;
    private volatile int inFlight;

    AgentMetrics(MetricGroup operator, String agentId) {
        MetricGroup group = operator.addGroup("agent", agentId);
        calls = group.counter("calls");
        failures = group.counter("failures");
        tokensIn = group.counter("tokensIn");
        tokensOut = group.counter("tokensOut");
        costMicroUsd = group.counter("costMicroUsd");
        group.gauge("callsInFlight", () -> inFlight);
    }

    /**
     * A call was sent to the agent. Only the operator's thread calls this and {@link #answered}.
     */
    void sent() {
        calls.inc();
        inFlight++;
    }

    /** A call sent to the agent ended, answered or failed. */
    void answered() {
        inFlight--;
    }
}
