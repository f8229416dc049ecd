package io.hivestream.operators.execute;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.CachedAnswer;
import org.junit.jupiter.api.Test;

class CachedAnswersTest {
    private static final AgentEvent AGENT =
            AgentEvent.newBuilder().setAgentId("a").setTier(Tier.CLOUD).build();
    private static final Task TASK = task("t-1", "chat", "hi").setTenant("acme").build();
    private static final CachedAnswer ENTRY =
            CachedAnswers.entry(
                    TASK, AGENT, new AgentReply("hello", "m-1", 12, 3, 0.8, true), 0.25, 7);

    @Test
    void theEntryKeepsTheAnswerWhatItCostAndWhereItCameFrom() {
        assertThat(ENTRY)
                .isEqualTo(
                        CachedAnswer.newBuilder()
                                .setAgentId("a")
                                .setModel("m-1")
                                .setOutput("hello")
                                .setConfidence(0.8)
                                .setSimulated(true)
                                .setCostUsd(0.25)
                                .setTaskId("t-1")
                                .setCachedAt(7)
                                .build());
        assertThat(CachedAnswers.storable(new AgentReply(null, "m-1", 1, 0, null, false)))
                .isFalse();
    }

    @Test
    void theAnswerFromTheCacheIsMarkedAndCostsNothing() {
        assertThat(CachedAnswers.answer(AGENT, ENTRY))
                .isEqualTo(
                        AgentAnswer.newBuilder()
                                .setAgentId("a")
                                .setTier(Tier.CLOUD)
                                .setModel("m-1")
                                .setOutput("hello")
                                .setConfidence(0.8)
                                .setLatencyMs(0)
                                .setTokensIn(0)
                                .setTokensOut(0)
                                .setCostUsd(0.0)
                                .setAttempts(0)
                                .setSimulated(true)
                                .setCached(true)
                                .build());
    }

    @Test
    void itsMetricIsASuccessThatSavedWhatTheCallCost() {
        assertThat(CallMetrics.cached(TASK, ENTRY, 9))
                .isEqualTo(
                        Metric.newBuilder()
                                .setKind(MetricKind.CALL)
                                .setTimestamp(9)
                                .setTaskId("t-1")
                                .setAgentId("a")
                                .setTenant("acme")
                                .setCall(
                                        CallMetric.newBuilder()
                                                .setModel("m-1")
                                                .setAttempt(1)
                                                .setOutcome(CallOutcome.SUCCESS)
                                                .setLatencyMs(0)
                                                .setTokensIn(0)
                                                .setTokensOut(0)
                                                .setCostUsd(0.0)
                                                .setSimulated(true)
                                                .setCached(true)
                                                .setSavedUsd(0.25)
                                                .build())
                                .build());
    }
}
