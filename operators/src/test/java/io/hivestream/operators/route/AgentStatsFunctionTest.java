package io.hivestream.operators.route;

import static io.hivestream.operators.testing.TestRecords.agent;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.testing.Harnesses;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.AgentEventType;
import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.ReputationMetric;
import io.hivestream.schemas.internal.AgentStats;
import io.hivestream.schemas.internal.AgentView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AgentStatsFunctionTest {
    private static final long T0 = 100_000;
    private static final long INTERVAL = 1_000;
    private static final Duration PUBLISH = Duration.ofMillis(500);

    /** The processing time of the harness, which the function's clock reads too. */
    private long now = T0;

    private KeyedTwoInputStreamOperatorTestHarness<String, AgentEvent, Metric, AgentView> harness;

    /** The function's clock: the harness's processing time. */
    private Clock clock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneId.of("UTC");
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now);
            }
        };
    }

    @BeforeEach
    void open() throws Exception {
        Clock clock = clock();
        harness =
                ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                        new AgentStatsFunction(new AgentStatistics(0.5, 0.5), 3, PUBLISH, clock),
                        AgentEvent::getAgentId,
                        Metric::getAgentId,
                        Types.STRING);
        harness.setProcessingTime(T0);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private void advanceTo(long time) throws Exception {
        now = time;
        harness.setProcessingTime(time);
    }

    private static AgentEvent beating(String id) {
        return agent(id, List.of("chat")).setHeartbeatIntervalMs(INTERVAL).build();
    }

    private static AgentEvent heartbeat(String id) {
        return AgentEvent.newBuilder().setAgentId(id).setType(AgentEventType.HEARTBEAT).build();
    }

    private static Metric call(String id, CallOutcome outcome, long latency) {
        return Metric.newBuilder()
                .setKind(MetricKind.CALL)
                .setTimestamp(T0)
                .setAgentId(id)
                .setCall(
                        CallMetric.newBuilder()
                                .setOutcome(outcome)
                                .setLatencyMs(latency)
                                .setCostUsd(0.002)
                                .build())
                .build();
    }

    private static Metric vote(String id, boolean agreed) {
        return Metric.newBuilder()
                .setKind(MetricKind.REPUTATION)
                .setTimestamp(T0)
                .setAgentId(id)
                .setReputation(ReputationMetric.newBuilder().setAgreed(agreed).build())
                .build();
    }

    private List<AgentView> views() {
        return harness.extractOutputValues();
    }

    @Test
    void aRegistrationIsPublishedAtOnceAndStatisticsAtMostOncePerInterval() throws Exception {
        harness.processElement1(agent("a", List.of("chat")).build(), 1);

        assertThat(views()).hasSize(1);
        assertThat(views().get(0).getAgent().getType()).isEqualTo(AgentEventType.REGISTER);
        assertThat(views().get(0).getAgent().getTimestamp()).isEqualTo(T0);
        assertThat(views().get(0).getStats())
                .isEqualTo(AgentStats.newBuilder().setLastSeenAt(T0).build());

        harness.processElement2(call("a", CallOutcome.SUCCESS, 100), 2);
        harness.processElement2(call("a", CallOutcome.ERROR, 900), 3);
        harness.processElement2(vote("a", false), 4);

        assertThat(views()).hasSize(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        advanceTo(T0 + PUBLISH.toMillis());

        assertThat(views()).hasSize(2);
        AgentStats stats = views().get(1).getStats();
        assertThat(stats.getSuccesses()).isEqualTo(0.5);
        assertThat(stats.getFailures()).isEqualTo(1.0);
        assertThat(stats.getCalls()).isEqualTo(2);
        assertThat(stats.getAgreed()).isEqualTo(0.0);
        assertThat(stats.getDisagreed()).isEqualTo(1.0);
        assertThat(stats.getVotes()).isEqualTo(1);
        assertThat(stats.getLatencyMs()).isEqualTo(100.0);
        assertThat(stats.getCostUsd()).isEqualTo(0.002);
        assertThat(stats.getRecentCalls()).isEqualTo(2.0);
        assertThat(stats.getHealthy()).isTrue();
        assertThat(stats.getPublishAt()).isEqualTo(0);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
    }

    @Test
    void anAgentThatMissesItsHeartbeatsLeavesTheRotationAndABeatBringsItBack() throws Exception {
        harness.processElement1(beating("a"), 1);
        assertThat(views().get(0).getStats().getExpiresAt()).isEqualTo(T0 + 3 * INTERVAL);

        advanceTo(T0 + 2 * INTERVAL);
        harness.processElement1(heartbeat("a"), 2);
        // A heartbeat of an agent in the rotation changes nothing the route stage sees.
        assertThat(views()).hasSize(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        advanceTo(T0 + 5 * INTERVAL - 1);
        assertThat(views()).hasSize(1);

        advanceTo(T0 + 5 * INTERVAL);
        assertThat(views()).hasSize(2);
        assertThat(views().get(1).getStats().getHealthy()).isFalse();
        assertThat(views().get(1).getStats().getLastSeenAt()).isEqualTo(T0 + 2 * INTERVAL);
        assertThat(views().get(1).getStats().getExpiresAt()).isEqualTo(0);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);

        advanceTo(T0 + 9 * INTERVAL);
        harness.processElement1(heartbeat("a"), 3);

        assertThat(views()).hasSize(3);
        assertThat(views().get(2).getStats().getHealthy()).isTrue();
        assertThat(views().get(2).getStats().getExpiresAt()).isEqualTo(T0 + 12 * INTERVAL);
        assertThat(views().get(2).getAgent().getTimestamp()).isEqualTo(T0 + 9 * INTERVAL);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
    }

    @Test
    void anAgentWithoutAHeartbeatIntervalNeverExpires() throws Exception {
        harness.processElement1(agent("a", List.of("chat")).build(), 1);

        advanceTo(T0 + 1_000 * INTERVAL);

        assertThat(views()).hasSize(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
    }

    @Test
    void aHeartbeatOfAnUnknownAgentIsIgnored() throws Exception {
        harness.processElement1(heartbeat("ghost"), 1);

        assertThat(views()).isEmpty();
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
    }

    @Test
    void retiringAnAgentPublishesItsRetirementAndRemovesItsStateAndTimers() throws Exception {
        harness.processElement1(beating("a"), 1);
        harness.processElement2(call("a", CallOutcome.SUCCESS, 100), 2);
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(2);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(2);

        harness.processElement1(
                AgentEvent.newBuilder().setAgentId("a").setType(AgentEventType.RETIRE).build(), 3);

        assertThat(views()).hasSize(2);
        assertThat(views().get(1).getAgent().getType()).isEqualTo(AgentEventType.RETIRE);
        assertThat(views().get(1).getAgent().getAgentId()).isEqualTo("a");
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
    }

    @Test
    void statisticsOfAnAgentThatNeverRegistersAreDroppedAfterTheRetention() throws Exception {
        harness.processElement2(call("late", CallOutcome.SUCCESS, 100), 1);
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(1);

        advanceTo(T0 + AgentStatsFunction.ORPHAN_RETENTION.toMillis());

        assertThat(views()).isEmpty();
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
    }

    @Test
    void statisticsGatheredBeforeTheRegistrationComeWithIt() throws Exception {
        harness.processElement2(call("a", CallOutcome.SUCCESS, 100), 1);
        harness.processElement1(agent("a", List.of("chat")).build(), 2);

        assertThat(views()).hasSize(1);
        assertThat(views().get(0).getStats().getCalls()).isEqualTo(1);
        assertThat(views().get(0).getStats().getPublishAt()).isEqualTo(0);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
    }

    @Test
    void aRestoredInstanceGoesOnFromTheCheckpointedStatistics() throws Exception {
        harness.processElement1(agent("a", List.of("chat")).build(), 1);
        harness.processElement2(call("a", CallOutcome.SUCCESS, 100), 2);
        harness.processElement2(call("a", CallOutcome.SUCCESS, 300), 3);
        OperatorSubtaskState checkpoint = harness.snapshot(1, 3);
        // After the checkpoint: lost with the failure.
        harness.processElement2(call("a", CallOutcome.ERROR, 900), 4);
        harness.close();

        harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(
                                new AgentStatsFunction(
                                        new AgentStatistics(0.5, 0.5), 3, PUBLISH, clock())),
                        AgentEvent::getAgentId,
                        Metric::getAgentId,
                        Types.STRING);
        harness.setProcessingTime(now);
        harness.initializeState(checkpoint);
        harness.open();
        harness.processElement2(call("a", CallOutcome.SUCCESS, 500), 5);
        advanceTo(T0 + PUBLISH.toMillis());

        AgentStats stats = views().get(views().size() - 1).getStats();
        assertThat(stats.getCalls()).isEqualTo(3);
        assertThat(stats.getSuccesses()).isEqualTo(1.75);
        assertThat(stats.getFailures()).isEqualTo(0.0);
        assertThat(stats.getLatencyMs()).isEqualTo(350.0);
    }

    @Test
    void anAgentRegisteredAgainAfterItsRetirementStartsWithoutStatistics() throws Exception {
        harness.processElement1(agent("a", List.of("chat")).build(), 1);
        harness.processElement2(call("a", CallOutcome.SUCCESS, 100), 2);
        harness.processElement1(
                AgentEvent.newBuilder().setAgentId("a").setType(AgentEventType.RETIRE).build(), 3);

        harness.processElement1(agent("a", List.of("chat")).build(), 4);

        assertThat(views().get(views().size() - 1).getStats())
                .isEqualTo(AgentStats.newBuilder().setLastSeenAt(T0).build());
    }
}
