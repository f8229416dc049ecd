package io.hivestream.operators.execute;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.CachedAnswer;

/**
 * What the execute stage keeps of an answer in its response cache, and the answer a later identical
 * request gets from it. Plain functions; {@link ResponseCache} decides when.
 */
final class CachedAnswers {
    private CachedAnswers() {}

    /** Whether a successful reply can be cached: it has an answer to give again. */
    static boolean storable(AgentReply reply) {
        return reply.output() != null;
    }

    /**
     * The entry for what {@code agent} answered to {@code task}, the call having cost {@code cost}.
     */
    static CachedAnswer entry(
            Task task, AgentEvent agent, AgentReply reply, double cost, long now) {
        return CachedAnswer.newBuilder()
                .setAgentId(agent.getAgentId())
                .setModel(reply.model())
                .setOutput(reply.output())
                .setConfidence(reply.confidence())
                .setSimulated(reply.simulated())
                .setCostUsd(cost)
                .setTaskId(task.getTaskId())
                .setCachedAt(now)
                .build();
    }

    /**
     * The answer a request gets from the cache: the agent's answer as it was, marked cached, with
     * no latency, tokens, cost or attempts, since no call was made.
     */
    static AgentAnswer answer(AgentEvent agent, CachedAnswer cached) {
        return answer(agent.getTier(), cached);
    }

    /** The same, for an answer of an agent of {@code tier}. */
    static AgentAnswer answer(Tier tier, CachedAnswer cached) {
        return AgentAnswer.newBuilder()
                .setAgentId(cached.getAgentId())
                .setTier(tier)
                .setModel(cached.getModel())
                .setOutput(cached.getOutput())
                .setConfidence(cached.getConfidence())
                .setLatencyMs(0)
                .setTokensIn(0)
                .setTokensOut(0)
                .setCostUsd(0.0)
                .setAttempts(0)
                .setSimulated(cached.getSimulated())
                .setCached(true)
                .build();
    }
}
