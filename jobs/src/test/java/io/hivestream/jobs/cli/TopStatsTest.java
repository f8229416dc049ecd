package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import org.junit.jupiter.api.Test;

class TopStatsTest {
    static final long NOW = 1_000_000;

    static TaskResult result(long at, TaskStatus status, long latencyMs, double cost) {
        return TaskResult.newBuilder()
                .setTaskId("t" + at)
                .setStatus(status)
                .setCompletedAt(at)
                .setLatencyMs(latencyMs)
                .setCostUsd(cost)
                .build();
    }

    static Metric call(long at, CallOutcome outcome, long latencyMs) {
        return Metric.newBuilder()
                .setKind(MetricKind.CALL)
                .setTimestamp(at)
                .setAgentId("a")
                .setCall(
                        CallMetric.newBuilder().setOutcome(outcome).setLatencyMs(latencyMs).build())
                .build();
    }

    @Test
    void countsWhatHappenedInTheWindowOnly() {
        TopStats stats = new TopStats(10_000);
        stats.add(result(NOW - 20_000, TaskStatus.COMPLETED, 999, 9.0)); // before the window
        stats.add(result(NOW - 9_000, TaskStatus.COMPLETED, 100, 0.25));
        stats.add(result(NOW - 5_000, TaskStatus.COMPLETED, 300, 0.5));
        stats.add(result(NOW - 1_000, TaskStatus.FAILED, 200, 0.0));
        stats.add(result(NOW - 500, TaskStatus.COMPLETED, 400, 0.25));
        stats.add(call(NOW - 11_000, CallOutcome.SUCCESS, 99_000)); // before the window
        stats.add(call(NOW - 4_000, CallOutcome.SUCCESS, 15_000));
        stats.add(call(NOW - 3_000, CallOutcome.ERROR, 5_000));
        stats.add(Metric.newBuilder().setKind(MetricKind.TASK).setTimestamp(NOW).build());

        assertThat(stats.lines(NOW))
                .containsExactly(
                        "throughput  0.40 results/s (4 in the last 10 s)",
                        "results     COMPLETED 3, FAILED 1",
                        "latency     p50 200 ms, p95 400 ms, max 400 ms",
                        "calls       2 (1 succeeded), 2.00 in flight on average",
                        "spend       $1.000000");
    }

    @Test
    void anAnswerFromTheCacheIsNoCall() {
        TopStats stats = new TopStats(10_000);
        stats.add(call(NOW - 4_000, CallOutcome.SUCCESS, 10_000));
        Metric cached = call(NOW - 3_000, CallOutcome.SUCCESS, 0);
        cached.getCall().setCached(true);
        cached.getCall().setSavedUsd(0.5);
        stats.add(cached);

        assertThat(stats.lines(NOW))
                .contains("calls       1 (1 succeeded), 1.00 in flight on average");
    }

    @Test
    void anEmptyWindowSaysSo() {
        assertThat(new TopStats(60_000).lines(NOW))
                .containsExactly(
                        "throughput  0.00 results/s (0 in the last 60 s)",
                        "results     none",
                        "latency     -",
                        "calls       0 (0 succeeded), 0.00 in flight on average",
                        "spend       $0.000000");
    }
}
