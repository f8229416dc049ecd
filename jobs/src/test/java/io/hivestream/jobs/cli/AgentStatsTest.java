package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.AgentEventType;
import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Tier;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentStatsTest {
    static AgentEvent agent(String id, AgentEventType type, Tier tier, String... capabilities) {
        return AgentEvent.newBuilder()
                .setAgentId(id)
                .setType(type)
                .setTier(tier)
                .setCapabilities(List.of(capabilities))
                .build();
    }

    static Metric call(String agentId, CallOutcome outcome, long latencyMs, double cost) {
        return call(agentId, outcome, null, latencyMs, cost);
    }

    static Metric call(
            String agentId, CallOutcome outcome, String errorClass, long latencyMs, double cost) {
        return Metric.newBuilder()
                .setKind(MetricKind.CALL)
                .setTimestamp(1)
                .setAgentId(agentId)
                .setCall(
                        CallMetric.newBuilder()
                                .setOutcome(outcome)
                                .setErrorClass(errorClass)
                                .setLatencyMs(latencyMs)
                                .setCostUsd(cost)
                                .build())
                .build();
    }

    @Test
    void foldsTheRegistryAsTheJobDoesAndCountsEachAgentsCalls() {
        AgentStats stats = new AgentStats();
        stats.apply(agent("gpt", AgentEventType.REGISTER, Tier.CLOUD, "chat"));
        stats.apply(agent("edge", AgentEventType.REGISTER, Tier.EDGE, "classify"));
        stats.apply(agent("old", AgentEventType.REGISTER, Tier.EDGE, "classify"));
        stats.apply(agent("edge", AgentEventType.UPDATE, Tier.EDGE, "classify", "math"));
        stats.apply(agent("edge", AgentEventType.HEARTBEAT, Tier.CLOUD));
        stats.apply(agent("old", AgentEventType.RETIRE, Tier.EDGE));
        stats.count(call("gpt", CallOutcome.SUCCESS, 100, 0.002));
        stats.count(call("gpt", CallOutcome.SUCCESS, 300, 0.004));
        stats.count(call("gpt", CallOutcome.TIMEOUT, 500, 0.0));
        stats.count(call("gpt", CallOutcome.REJECTED, "CircuitBreakerOpen", 0, 0.0));
        stats.count(call("gpt", CallOutcome.ERROR, "BAD_REQUEST", 7, 0.0));
        stats.count(call("old", CallOutcome.SUCCESS, 1, 1.0));

        assertThat(stats.lines())
                .containsExactly(
                        "AGENT            RUNTIME    TIER   CAPABILITIES               CALLS      OK   MEAN MS    COST USD",
                        "edge             simulated  EDGE   classify,math                  0       -         -    0.000000",
                        "gpt              simulated  CLOUD  chat                           3   66.7%     300.0    0.006000");
        assertThat(stats.jsonLines())
                .containsExactly(
                        "{\"agentId\":\"edge\",\"runtime\":\"simulated\",\"tier\":\"EDGE\",\"capabilities\":[\"classify\",\"math\"],\"calls\":0,\"succeeded\":0,\"successRate\":null,\"meanLatencyMs\":null,\"costUsd\":0.0}",
                        "{\"agentId\":\"gpt\",\"runtime\":\"simulated\",\"tier\":\"CLOUD\",\"capabilities\":[\"chat\"],\"calls\":3,\"succeeded\":2,\"successRate\":0.6666666666666666,\"meanLatencyMs\":300.0,\"costUsd\":0.006}");
    }
}
