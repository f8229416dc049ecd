package io.hivestream.operators.execute;

import io.hivestream.schemas.AgentEvent;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The counters of one execute instance, in its operator's metric group: the calls, their failures,
 * tokens, cost and latency, for the stage and for each agent ({@link AgentMetrics}); retries,
 * escalations, re-routes, replays after a restore, and the response cache. Only the operator's
 * thread updates them.
 */
final class ExecuteMetrics {
    final Counter calls;
    final Counter failures;
    final Counter retried;
    final Counter retriedAfterPause;
    final Counter escalations;
    final Counter rerouted;
    final Counter replayed;
    final Counter repeated;
    final Counter stepsReplayed;
    final Counter tokensIn;
    final Counter tokensOut;
    final Counter costMicroUsd;
    final Counter cacheHits;
    final Counter cacheMisses;
    final Counter cacheStored;
    final Counter cacheFull;
    final Counter cacheSavedMicroUsd;
    final Histogram latency;
    private final MetricGroup group;
    private final Map<String, AgentMetrics> agents = new HashMap<>();

    ExecuteMetrics(MetricGroup group) {
        this.group = group;
        calls = group.counter("agentCalls");
        failures = group.counter("agentCallFailures");
        retried = group.counter("agentCallRetries");
        retriedAfterPause = group.counter("callsRetriedAfterPause");
        escalations = group.counter("cascadeEscalations");
        rerouted = group.counter("requestsRerouted");
        replayed = group.counter("callsReplayedFromJournal");
        repeated = group.counter("callsMadeAgainAfterRestore");
        stepsReplayed = group.counter("toolStepsReplayedFromJournal");
        tokensIn = group.counter("tokensIn");
        tokensOut = group.counter("tokensOut");
        costMicroUsd = group.counter("costMicroUsd");
        cacheHits = group.counter("cacheHits");
        cacheMisses = group.counter("cacheMisses");
        cacheStored = group.counter("cacheStored");
        cacheFull = group.counter("cacheStoresRefusedFull");
        cacheSavedMicroUsd = group.counter("cacheSavedMicroUsd");
        latency = group.histogram("agentCallLatencyMs", new DescriptiveStatisticsHistogram(1000));
    }

    /** A call was sent to {@code agent}. */
    void sent(AgentEvent agent) {
        calls.inc();
        of(agent).sent();
    }

    /** A call to {@code agent} ended, answered or failed. */
    void ended(AgentEvent agent) {
        of(agent).answered();
    }

    /** A call to {@code agent} was answered, with what the agent reported and its latency. */
    void answered(AgentEvent agent, AgentReply reply, long costMicroUsd, long latencyMs) {
        AgentMetrics perAgent = of(agent);
        tokensIn.inc(reply.tokensIn());
        tokensOut.inc(reply.tokensOut());
        this.costMicroUsd.inc(costMicroUsd);
        perAgent.tokensIn.inc(reply.tokensIn());
        perAgent.tokensOut.inc(reply.tokensOut());
        perAgent.costMicroUsd.inc(costMicroUsd);
        latency.update(latencyMs);
    }

    /** A call to {@code agent} failed through the agent's fault. */
    void failed(AgentEvent agent) {
        failures.inc();
        of(agent).failures.inc();
    }

    /** A request was answered from the response cache, saving what its answer first cost. */
    void cacheHit(double savedUsd) {
        cacheHits.inc();
        cacheSavedMicroUsd.inc(Math.round(savedUsd * 1_000_000));
    }

    /** The metrics of {@code agent}'s calls, registered at its first call. */
    AgentMetrics of(AgentEvent agent) {
        return agents.computeIfAbsent(agent.getAgentId(), id -> new AgentMetrics(group, id));
    }
}
