package io.hivestream.operators.execute;

import io.hivestream.operators.admit.CallBudget;
import io.hivestream.operators.admit.RateWindow;
import io.hivestream.schemas.AgentEvent;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The providers' rate limits as one execute instance keeps them: per agent with a {@code
 * rateLimitRpm} or {@code rateLimitTpm}, a {@link RateWindow} of requests and one of tokens, each
 * holding this instance's share of the limit over any 60 seconds. A call is counted in both when it
 * starts, with its estimated tokens (the prompt's, one per four characters, plus the most it may
 * return); one that does not fit waits until it does. A changed limit starts new windows. Agents
 * without limits cost nothing here. Not thread-safe: the operator's mailbox thread owns it.
 */
final class AgentRates {
    private record Limits(Integer rpm, Integer tpm, RateWindow requests, RateWindow tokens) {}

    private final int parallelism;
    private final Map<String, Limits> agents = new HashMap<>();

    AgentRates(int parallelism) {
        this.parallelism = parallelism;
    }

    /**
     * Counts a call of {@code agent} with {@code prompt} at {@code now} and returns {@code now}
     * when both its windows have room; otherwise counts nothing and returns when they will.
     */
    long start(AgentEvent agent, String prompt, long now) {
        Integer rpm = agent.getRateLimitRpm();
        Integer tpm = agent.getRateLimitTpm();
        if (rpm == null && tpm == null) {
            return now;
        }
        Limits limits = agents.get(agent.getAgentId());
        if (limits == null
                || !Objects.equals(limits.rpm(), rpm)
                || !Objects.equals(limits.tpm(), tpm)) {
            limits =
                    new Limits(
                            rpm,
                            tpm,
                            rpm != null ? new RateWindow(rpm, parallelism) : null,
                            tpm != null ? new RateWindow(tpm, parallelism) : null);
            agents.put(agent.getAgentId(), limits);
        }
        long tokens = CallBudget.inputTokens(prompt) + CallBudget.outputTokens(agent);
        long at = now;
        if (limits.requests() != null) {
            at = Math.max(at, limits.requests().earliest(1, now));
        }
        if (limits.tokens() != null) {
            at = Math.max(at, limits.tokens().earliest(tokens, now));
        }
        if (at > now) {
            return at;
        }
        if (limits.requests() != null) {
            limits.requests().acquire(1, now);
        }
        if (limits.tokens() != null) {
            limits.tokens().acquire(tokens, now);
        }
        return now;
    }
}
