package io.hivestream.jobs;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Tier;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Simulated agent records for tests. */
final class Agents {
    private Agents() {}

    static AgentEvent simulated(
            String id, List<String> capabilities, double costPer1k, String... params) {
        Map<String, String> map = new HashMap<>();
        map.put("latencyMs", "5");
        for (int i = 0; i < params.length; i += 2) {
            map.put(params[i], params[i + 1]);
        }
        return AgentEvent.newBuilder()
                .setAgentId(id)
                .setRuntime("simulated")
                .setCapabilities(capabilities)
                .setTier(Tier.EDGE)
                .setCostPer1kInputTokens(costPer1k)
                .setCostPer1kOutputTokens(2 * costPer1k)
                .setParams(map)
                .build();
    }

    /**
     * An EDGE agent for the cascade: right on easy tasks with confidence 0.9, wrong on hard ones
     * (metadata {@code difficulty} 1) with confidence 0.3, so that a hard task escalates.
     */
    static AgentEvent unsureOnHard(String id, String capability) {
        return simulated(
                id,
                List.of(capability),
                0.0001,
                "difficultyPenalty",
                "1",
                "confidenceWhenRight",
                "0.9",
                "confidenceWhenWrong",
                "0.3");
    }

    /**
     * A chat agent that counts the turns of memory it was given ({@code [turn N]} before its
     * answer), at 1 ms with up to 30 ms of jitter, so that calls finish in any order.
     */
    static AgentEvent memoryChat(String id) {
        return simulated(
                id,
                List.of("chat"),
                0.0,
                "memory",
                "true",
                "latencyMs",
                "1",
                "latencyJitterMs",
                "30");
    }

    /** A CLOUD agent, a hundred times the price of {@link #unsureOnHard}. */
    static AgentEvent cloud(String id, String capability, String... params) {
        return AgentEvent.newBuilder(simulated(id, List.of(capability), 0.01, params))
                .setTier(Tier.CLOUD)
                .build();
    }
}
