package io.hivestream.operators.execute;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Tier;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

class ExecuteMetricsTest {
    private final ExecuteMetrics metrics = new ExecuteMetrics(new UnregisteredMetricsGroup());
    private final AgentEvent gpt = ExecuteOperatorTest.agent("gpt", Tier.CLOUD);
    private final AgentEvent calc = ExecuteOperatorTest.agent("calc", Tier.EDGE);

    @Test
    void callsCountForTheStageAndForEachAgent() {
        metrics.sent(gpt);
        metrics.sent(gpt);
        metrics.sent(calc);
        metrics.ended(gpt);
        metrics.answered(gpt, new AgentReply("42", "gpt-4o", 12, 3, null, false), 350, 40);
        metrics.ended(gpt);
        metrics.failed(gpt);
        metrics.ended(calc);
        metrics.answered(calc, new AgentReply("7", "calc", 5, 1, null, false), 0, 2);

        assertThat(metrics.calls.getCount()).isEqualTo(3);
        assertThat(metrics.failures.getCount()).isEqualTo(1);
        assertThat(metrics.tokensIn.getCount()).isEqualTo(17);
        assertThat(metrics.tokensOut.getCount()).isEqualTo(4);
        assertThat(metrics.costMicroUsd.getCount()).isEqualTo(350);
        assertThat(metrics.latency.getCount()).isEqualTo(2);
        assertThat(metrics.latency.getStatistics().getMax()).isEqualTo(40);
        AgentMetrics perGpt = metrics.of(gpt);
        assertThat(metrics.of(gpt)).isSameAs(perGpt);
        assertThat(perGpt.calls.getCount()).isEqualTo(2);
        assertThat(perGpt.failures.getCount()).isEqualTo(1);
        assertThat(perGpt.tokensIn.getCount()).isEqualTo(12);
        assertThat(perGpt.costMicroUsd.getCount()).isEqualTo(350);
        assertThat(metrics.of(calc).calls.getCount()).isEqualTo(1);
        assertThat(metrics.of(calc).failures.getCount()).isZero();
        assertThat(metrics.of(calc).tokensOut.getCount()).isEqualTo(1);
    }

    @Test
    void aCacheHitCountsWhatItSaved() {
        metrics.cacheHit(0.00025);
        metrics.cacheHit(0.0000004);

        assertThat(metrics.cacheHits.getCount()).isEqualTo(2);
        assertThat(metrics.cacheSavedMicroUsd.getCount()).isEqualTo(250);
    }
}
