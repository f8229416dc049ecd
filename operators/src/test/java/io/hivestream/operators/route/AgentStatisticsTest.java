package io.hivestream.operators.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hivestream.operators.execute.AgentCallException;
import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.internal.AgentStats;
import org.junit.jupiter.api.Test;

class AgentStatisticsTest {
    private final AgentStatistics statistics = new AgentStatistics(0.5, 0.5);

    private static CallMetric call(
            CallOutcome outcome, String errorClass, long latency, double cost) {
        return CallMetric.newBuilder()
                .setOutcome(outcome)
                .setErrorClass(errorClass)
                .setLatencyMs(latency)
                .setCostUsd(cost)
                .build();
    }

    @Test
    void aCopyHasEveryFieldAndIsItsOwnRecord() {
        AgentStats stats =
                new AgentStats(
                        1.5, 2.5, 3L, 4.5, 5.5, 6L, 7.5, 8.5, 9.5, 10L, 11L, false, 13L, 14L);

        AgentStats copy = AgentStatistics.copyOf(stats);
        copy.setPublishAt(15L);

        assertThat(AgentStatistics.copyOf(stats)).isEqualTo(stats).isNotSameAs(stats);
        assertThat(copy.getPublishAt()).isEqualTo(15L);
        assertThat(stats.getPublishAt()).isEqualTo(14L);
        assertThat(AgentStatistics.empty()).isEqualTo(AgentStats.newBuilder().build());
    }

    @Test
    void aCallChangesACopyAndLeavesTheRecordItWasGiven() {
        AgentStats before = AgentStatistics.empty();

        AgentStats after = statistics.onCall(before, call(CallOutcome.SUCCESS, null, 100, 0.01), 5);

        assertThat(before).isEqualTo(AgentStatistics.empty());
        assertThat(after)
                .isEqualTo(
                        AgentStats.newBuilder()
                                .setSuccesses(1.0)
                                .setCalls(1)
                                .setRecentCalls(1.0)
                                .setRecentAt(5)
                                .setLatencyMs(100.0)
                                .setCostUsd(0.01)
                                .build());
    }

    @Test
    void successesAndFailuresDecayWithEveryCall() {
        AgentStats stats = AgentStatistics.empty();
        stats = statistics.onCall(stats, call(CallOutcome.SUCCESS, null, 100, 0.01), 0);
        stats = statistics.onCall(stats, call(CallOutcome.SUCCESS, null, 300, 0.03), 0);
        stats = statistics.onCall(stats, call(CallOutcome.TIMEOUT, "TIMEOUT", 900, 0), 0);

        assertThat(stats.getSuccesses()).isEqualTo(0.75); // (1 * 0.5 + 1) * 0.5
        assertThat(stats.getFailures()).isEqualTo(1.0);
        assertThat(stats.getCalls()).isEqualTo(3);
        assertThat(stats.getLatencyMs()).isEqualTo(200.0); // failures do not move it
        assertThat(stats.getCostUsd()).isCloseTo(0.02, within(1e-12));
        assertThat(AgentStatistics.successRate(stats)).isEqualTo(1.75 / 3.75);
    }

    @Test
    void aTryAbandonedAtARestoreSaysNothingAboutTheAgent() {
        AgentStats stats =
                statistics.onCall(
                        AgentStatistics.empty(),
                        call(CallOutcome.ERROR, AgentStatistics.ABANDONED, 0, 0.01),
                        0);

        assertThat(stats).isEqualTo(AgentStatistics.empty());
    }

    @Test
    void theBadRequestClassIsTheExecuteStagesName() {
        assertThat(AgentStatistics.BAD_REQUEST)
                .isEqualTo(AgentCallException.Kind.BAD_REQUEST.name());
    }

    @Test
    void refusedCallsAndBadRequestsSayNothingAboutTheAgent() {
        AgentStats stats = AgentStatistics.empty();

        assertThat(
                        statistics.onCall(
                                stats, call(CallOutcome.REJECTED, "CircuitBreakerOpen", 0, 0), 5))
                .isSameAs(stats);
        assertThat(statistics.onCall(stats, call(CallOutcome.ERROR, "BAD_REQUEST", 3, 0), 5))
                .isSameAs(stats);
    }

    @Test
    void anAnswerFromTheCacheSaysNothingAboutTheAgent() {
        AgentStats stats = AgentStatistics.empty();
        CallMetric cached =
                CallMetric.newBuilder(call(CallOutcome.SUCCESS, null, 0, 0))
                        .setCached(true)
                        .setSavedUsd(0.02)
                        .build();

        assertThat(AgentStatistics.countsForAgent(cached)).isFalse();
        assertThat(statistics.onCall(stats, cached, 5)).isSameAs(stats);
    }

    @Test
    void onlyCallsThatWereMadeAndNotTheTasksFaultCountForTheAgent() {
        assertThat(AgentStatistics.countsForAgent(call(CallOutcome.SUCCESS, null, 1, 0))).isTrue();
        assertThat(AgentStatistics.countsForAgent(call(CallOutcome.TIMEOUT, "TIMEOUT", 1, 0)))
                .isTrue();
        assertThat(AgentStatistics.countsForAgent(call(CallOutcome.ERROR, "SERVER", 1, 0)))
                .isTrue();
        assertThat(AgentStatistics.countsForAgent(call(CallOutcome.ERROR, "BAD_REQUEST", 1, 0)))
                .isFalse();
        assertThat(
                        AgentStatistics.countsForAgent(
                                call(CallOutcome.REJECTED, "CircuitBreakerOpen", 0, 0)))
                .isFalse();
        assertThat(AgentStatistics.countsForAgent(call(CallOutcome.REJECTED, null, 0, 0)))
                .isFalse();
        assertThat(
                        AgentStatistics.countsForAgent(
                                call(CallOutcome.TIMEOUT, "TimedOutInLocalPause", 30_000, 0)))
                .isFalse();
    }

    @Test
    void votesUpdateTheAgreementPosterior() {
        AgentStats stats = statistics.onVote(AgentStatistics.empty(), true);
        stats = statistics.onVote(stats, false);

        assertThat(stats.getAgreed()).isEqualTo(0.5);
        assertThat(stats.getDisagreed()).isEqualTo(1.0);
        assertThat(stats.getVotes()).isEqualTo(2);
        assertThat(AgentStatistics.agreementRate(stats)).isEqualTo(1.5 / 3.5);
    }

    @Test
    void theRecentCallCountDecaysWithTime() {
        AgentStats stats = AgentStatistics.empty();
        for (int i = 0; i < 4; i++) {
            stats = statistics.onCall(stats, call(CallOutcome.SUCCESS, null, 500, 0), 10_000);
        }

        assertThat(AgentStatistics.recentCalls(stats, 10_000)).isEqualTo(4.0);
        assertThat(AgentStatistics.recentCalls(stats, 70_000)).isCloseTo(4 / Math.E, within(1e-12));
        assertThat(AgentStatistics.inFlight(stats, 10_000))
                .isCloseTo(4 / 60_000.0 * 500, within(1e-12));
    }
}
