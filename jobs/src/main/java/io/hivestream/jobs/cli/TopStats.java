package io.hivestream.jobs.cli;

import io.hivestream.jobs.console.ConsoleState;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@code top} shows, over a sliding window: results per second and by status, their latency,
 * the agent calls and how many were in flight on average (Little's law: the calls' total latency
 * over the window's length), and the spend.
 */
final class TopStats {
    private record Done(long at, TaskStatus status, long latencyMs, double costUsd) {}

    private record Call(long at, boolean ok, long latencyMs) {}

    private final long windowMs;
    private final Deque<Done> results = new ArrayDeque<>();
    private final Deque<Call> calls = new ArrayDeque<>();

    TopStats(long windowMs) {
        this.windowMs = windowMs;
    }

    /** Counts a result at its completion time. */
    void add(TaskResult result) {
        results.add(
                new Done(
                        result.getCompletedAt(),
                        result.getStatus(),
                        result.getLatencyMs(),
                        result.getCostUsd()));
    }

    /**
     * Counts a call metric at its time, whatever its outcome: top shows the pipeline's call rate,
     * not what counts against an agent (refused calls add no latency, so no calls in flight). An
     * answer from the response cache made no call; it and other metrics are ignored.
     */
    void add(Metric metric) {
        if (metric.getKind() == MetricKind.CALL
                && metric.getCall() != null
                && !metric.getCall().getCached()) {
            calls.add(
                    new Call(
                            metric.getTimestamp(),
                            metric.getCall().getOutcome() == CallOutcome.SUCCESS,
                            metric.getCall().getLatencyMs()));
        }
    }

    /** The lines to show at {@code now}: what happened in (now - window, now]. */
    List<String> lines(long now) {
        long from = now - windowMs;
        results.removeIf(d -> d.at() <= from);
        calls.removeIf(c -> c.at() <= from);
        List<Done> done = results.stream().filter(d -> d.at() <= now).toList();
        List<Call> made = calls.stream().filter(c -> c.at() <= now).toList();
        double seconds = windowMs / 1000.0;
        Map<TaskStatus, Long> byStatus = new EnumMap<>(TaskStatus.class);
        done.forEach(d -> byStatus.merge(d.status(), 1L, Long::sum));
        long[] latencies = done.stream().mapToLong(Done::latencyMs).sorted().toArray();
        long callLatency = made.stream().mapToLong(Call::latencyMs).sum();
        long ok = made.stream().filter(Call::ok).count();
        double spend = done.stream().mapToDouble(Done::costUsd).sum();

        List<String> lines = new ArrayList<>();
        lines.add(
                String.format(
                        Locale.ROOT,
                        "throughput  %.2f results/s (%d in the last %.0f s)",
                        done.size() / seconds,
                        done.size(),
                        seconds));
        lines.add(
                "results     "
                        + (byStatus.isEmpty()
                                ? "none"
                                : byStatus.entrySet().stream()
                                        .map(e -> e.getKey() + " " + e.getValue())
                                        .collect(Collectors.joining(", "))));
        lines.add(
                latencies.length == 0
                        ? "latency     -"
                        : String.format(
                                Locale.ROOT,
                                "latency     p50 %d ms, p95 %d ms, max %d ms",
                                ConsoleState.percentile(latencies, 0.50),
                                ConsoleState.percentile(latencies, 0.95),
                                latencies[latencies.length - 1]));
        lines.add(
                String.format(
                        Locale.ROOT,
                        "calls       %d (%d succeeded), %.2f in flight on average",
                        made.size(),
                        ok,
                        callLatency / (double) windowMs));
        lines.add(String.format(Locale.ROOT, "spend       $%.6f", spend));
        return lines;
    }
}
