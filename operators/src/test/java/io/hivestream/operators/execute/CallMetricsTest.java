package io.hivestream.operators.execute;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Task;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class CallMetricsTest {
    private static final Task TASK = task("t1", "chat", "x").setTenant("acme").build();
    private static final AgentEvent AGENT =
            AgentEvent.newBuilder()
                    .setAgentId("a")
                    .setRuntime("openai")
                    .setModel("m-default")
                    .setCapabilities(List.of("chat"))
                    .setCostPer1kInputTokens(0.5)
                    .setCostPer1kOutputTokens(2.0)
                    .build();

    @Test
    void aReplyCostsItsTokensAtTheAgentsRates() {
        assertThat(CallMetrics.cost(AGENT, new AgentReply("ok", "m", 2000, 500, null, false)))
                .isEqualTo(2.0);
    }

    @Test
    void timeoutsOfTheRuntimeAndOfTheStageAreTimeoutsAndEverythingElseAnError() {
        assertThat(CallMetrics.outcome(new TimeoutException())).isEqualTo(CallOutcome.TIMEOUT);
        assertThat(
                        CallMetrics.outcome(
                                new AgentCallException(AgentCallException.Kind.TIMEOUT, "slow")))
                .isEqualTo(CallOutcome.TIMEOUT);
        AgentCallException unavailable =
                new AgentCallException(AgentCallException.Kind.UNAVAILABLE, "503");
        assertThat(CallMetrics.outcome(unavailable)).isEqualTo(CallOutcome.ERROR);
        assertThat(CallMetrics.errorClass(unavailable)).isEqualTo("UNAVAILABLE");
        assertThat(CallMetrics.errorClass(new IllegalStateException()))
                .isEqualTo("java.lang.IllegalStateException");
    }

    @Test
    void aSuccessCarriesItsReplyAndAFailureTheAgentsModel() {
        AgentReply reply = new AgentReply("ok", "m-used", 1000, 1000, 0.9, true);

        assertThat(CallMetrics.success(TASK, AGENT, 2, 40, reply, 7_000))
                .isEqualTo(
                        Metric.newBuilder()
                                .setKind(MetricKind.CALL)
                                .setTimestamp(7_000)
                                .setTaskId("t1")
                                .setAgentId("a")
                                .setTenant("acme")
                                .setCall(
                                        CallMetric.newBuilder()
                                                .setModel("m-used")
                                                .setAttempt(2)
                                                .setOutcome(CallOutcome.SUCCESS)
                                                .setErrorClass(null)
                                                .setLatencyMs(40)
                                                .setTokensIn(1000)
                                                .setTokensOut(1000)
                                                .setCostUsd(2.5)
                                                .setSimulated(true)
                                                .build())
                                .build());
        CallMetric refused = CallMetrics.refused(TASK, AGENT, 1, 7_000).getCall();
        assertThat(refused.getOutcome()).isEqualTo(CallOutcome.REJECTED);
        assertThat(refused.getErrorClass()).isEqualTo("CircuitBreakerOpen");
        assertThat(refused.getModel()).isEqualTo("m-default");
        CallMetric failed =
                CallMetrics.failure(TASK, AGENT, 3, 12, new TimeoutException(), 7_000).getCall();
        assertThat(failed.getOutcome()).isEqualTo(CallOutcome.TIMEOUT);
        assertThat(failed.getLatencyMs()).isEqualTo(12);
        assertThat(failed.getCostUsd()).isEqualTo(0.0);
    }

    @Test
    void aTimeoutDuringALocalPauseIsATimeoutThatSaysNothingAboutTheAgent() {
        Metric paused = CallMetrics.timedOutInPause(TASK, AGENT, 2, 31_000, 7_000);

        assertThat(paused.getAgentId()).isEqualTo("a");
        assertThat(paused.getCall())
                .isEqualTo(
                        CallMetric.newBuilder()
                                .setModel("m-default")
                                .setAttempt(2)
                                .setOutcome(CallOutcome.TIMEOUT)
                                .setErrorClass("TimedOutInLocalPause")
                                .setLatencyMs(31_000)
                                .setTokensIn(0)
                                .setTokensOut(0)
                                .setCostUsd(0.0)
                                .setSimulated(false)
                                .build());
        assertThat(io.hivestream.operators.route.AgentStatistics.countsForAgent(paused.getCall()))
                .isFalse();
        assertThat(CallMetrics.timedOutInPause(paused)).isTrue();
        assertThat(
                        CallMetrics.timedOutInPause(
                                CallMetrics.failure(
                                        TASK, AGENT, 2, 31_000, new TimeoutException(), 7_000)))
                .isFalse();
    }
}
