package io.hivestream.jobs.console;

import io.hivestream.operators.execute.CallMetrics;
import io.hivestream.operators.route.AgentStatistics;
import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.AgentEventType;
import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.SubtaskResult;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the console shows, aggregated from the job's own topics: the agents (registry records and
 * their CALL metrics), the tenants (spend and calls from CALL metrics), results per time bucket
 * with latency percentiles, the most recent results and the most recent dead letters.
 *
 * <p>Memory is bounded: agents and tenants are one row each, the time series keeps the last {@link
 * Limits#buckets()} buckets (from the first result's, empty ones included) with at most {@link
 * Limits#latenciesPerBucket()} latencies each (the percentiles of a fuller bucket are those of its
 * first latencies, its count stays exact), and results and dead letters are ring buffers. Safe for
 * one writer and many readers.
 */
public final class ConsoleState {
    /** The bounds of the state. */
    public record Limits(
            int recentResults,
            int recentDeadLetters,
            long bucketMillis,
            int buckets,
            int latenciesPerBucket,
            int breakerWindow,
            int textChars) {
        public Limits {
            if (recentResults < 1
                    || recentDeadLetters < 1
                    || bucketMillis < 1
                    || buckets < 1
                    || latenciesPerBucket < 1
                    || breakerWindow < 1
                    || textChars < 1) {
                throw new IllegalArgumentException("every console limit must be 1 or more");
            }
        }

        /** 50 results, 50 dead letters, 60 buckets of 5 s, a window of 20 calls per agent. */
        public static Limits defaults() {
            return new Limits(50, 50, 5_000, 60, 10_000, 20, 600);
        }
    }

    /** An agent's row: what the registry says of it and how its calls fared. */
    public record AgentRow(
            String agentId,
            String status,
            String runtime,
            String tier,
            String model,
            List<String> capabilities,
            long calls,
            long successes,
            long failures,
            long breakerRejections,
            Double successRate,
            Double meanLatencyMs,
            double costUsd,
            Double recentFailureRate,
            String breaker) {}

    /** A tenant's row: its spend and calls from the CALL metrics. */
    public record TenantRow(String tenant, long calls, double costUsd) {}

    /** One time bucket of results. */
    public record Bucket(
            long startMillis, long results, double perSecond, Long p50Ms, Long p95Ms, Long p99Ms) {}

    /** An answer of a result, with how it voted. */
    public record AnswerView(String agentId, String output, String error, Boolean agreed) {}

    /** A subtask of a plan. */
    public record SubtaskView(
            String step,
            String role,
            String status,
            String output,
            String error,
            List<String> agents) {}

    /** A recent result. */
    public record ResultView(
            String taskId,
            String tenant,
            String kind,
            String status,
            String strategy,
            String tier,
            String output,
            String error,
            List<String> agents,
            Double agreement,
            String vote,
            List<String> agreeing,
            List<AnswerView> answers,
            List<SubtaskView> subtasks,
            long latencyMs,
            double costUsd,
            long completedAt) {}

    /** A recent dead letter. */
    public record DeadLetterView(
            String topic,
            int partition,
            long offset,
            String stage,
            String reason,
            String errorClass,
            String value,
            long failedAt) {}

    /** Everything the page shows, at one moment. */
    public record Snapshot(
            long results,
            Map<String, Long> resultsByStatus,
            long deadLetters,
            long calls,
            double costUsd,
            Map<String, Long> undecodable,
            List<AgentRow> agents,
            List<TenantRow> tenants,
            long bucketMillis,
            int windowBuckets,
            List<Bucket> buckets,
            List<ResultView> recentResults,
            List<DeadLetterView> recentDeadLetters) {}

    /** The breaker of an agent whose last call was refused by it. */
    public static final String BREAKER_OPEN = "open";

    /** The breaker of an agent whose last call went out. */
    public static final String BREAKER_CLOSED = "closed";

    private final Limits limits;
    private final Map<String, Agent> agents = new TreeMap<>();
    private final Map<String, long[]> tenantCalls = new TreeMap<>();
    private final Map<String, double[]> tenantCost = new TreeMap<>();
    private final TreeMap<Long, Series> buckets = new TreeMap<>();
    private final Deque<ResultView> recentResults = new ArrayDeque<>();
    private final Deque<DeadLetterView> recentDeadLetters = new ArrayDeque<>();
    private final Map<TaskStatus, Long> byStatus = new EnumMap<>(TaskStatus.class);
    private final Map<String, Long> undecodable = new TreeMap<>();
    private long results;
    private long firstBucket = Long.MAX_VALUE;
    private long deadLetters;
    private long calls;
    private double costUsd;

    public ConsoleState(Limits limits) {
        this.limits = limits;
    }

    /** A record of the agents topic: registers, updates, heartbeats or retires an agent. */
    public synchronized void onAgent(AgentEvent event) {
        if (event.getType() == AgentEventType.HEARTBEAT) {
            return;
        }
        Agent agent = agent(event.getAgentId());
        if (event.getType() == AgentEventType.RETIRE) {
            agent.status = "retired";
            return;
        }
        agent.registered = true;
        agent.status = "in rotation";
        agent.runtime = event.getRuntime();
        agent.tier = event.getTier() == null ? null : event.getTier().name();
        agent.model = event.getModel();
        agent.capabilities = List.copyOf(event.getCapabilities());
    }

    /**
     * A record of the metrics topic; only CALL metrics of calls made count (an answer from the
     * response cache made none and cost nothing), the others are not shown.
     */
    public synchronized void onMetric(Metric metric) {
        if (metric.getKind() != MetricKind.CALL
                || metric.getCall() == null
                || metric.getCall().getCached()) {
            return;
        }
        CallMetric call = metric.getCall();
        String tenant = metric.getTenant() == null ? "default" : metric.getTenant();
        tenantCost.computeIfAbsent(tenant, t -> new double[1])[0] += call.getCostUsd();
        costUsd += call.getCostUsd();
        if (metric.getAgentId() == null) {
            tenantCalls.computeIfAbsent(tenant, t -> new long[1])[0]++;
            calls++;
            return;
        }
        Agent agent = agent(metric.getAgentId());
        agent.costUsd += call.getCostUsd();
        if (call.getOutcome() == CallOutcome.REJECTED
                && CallMetrics.BREAKER_OPEN.equals(call.getErrorClass())) {
            agent.breakerRejections++;
            agent.breakerOpen = true;
            return;
        }
        tenantCalls.computeIfAbsent(tenant, t -> new long[1])[0]++;
        calls++;
        agent.breakerOpen = false;
        if (!AgentStatistics.countsForAgent(call)) {
            return;
        }
        agent.calls++;
        agent.latencySum += call.getLatencyMs();
        boolean success = call.getOutcome() == CallOutcome.SUCCESS;
        if (success) {
            agent.successes++;
        } else {
            agent.failures++;
        }
        agent.recent.addLast(success);
        if (agent.recent.size() > limits.breakerWindow()) {
            agent.recent.removeFirst();
        }
    }

    /**
     * A result: counted in its time bucket (by {@code completedAt}, or {@code fallbackMillis} when
     * it has none, e.g. the record's timestamp) and kept among the recent ones.
     */
    public synchronized void onResult(TaskResult result, long fallbackMillis) {
        results++;
        byStatus.merge(result.getStatus(), 1L, Long::sum);
        long at = result.getCompletedAt() > 0 ? result.getCompletedAt() : fallbackMillis;
        long start = Math.floorDiv(at, limits.bucketMillis()) * limits.bucketMillis();
        if (buckets.isEmpty() || start > buckets.lastKey() - span()) {
            buckets.computeIfAbsent(start, s -> new Series(limits.latenciesPerBucket()))
                    .add(result.getLatencyMs());
            firstBucket = Math.min(firstBucket, start);
            while (buckets.firstKey() <= buckets.lastKey() - span()) {
                buckets.pollFirstEntry();
            }
        }
        recentResults.addFirst(view(result));
        if (recentResults.size() > limits.recentResults()) {
            recentResults.removeLast();
        }
    }

    /** A dead letter, kept among the recent ones. */
    public synchronized void onDeadLetter(DeadLetter letter) {
        deadLetters++;
        recentDeadLetters.addFirst(
                new DeadLetterView(
                        letter.getTopic(),
                        letter.getPartition(),
                        letter.getOffset(),
                        letter.getStage(),
                        letter.getReason(),
                        letter.getErrorClass(),
                        letter.getValue() == null ? null : text(letter.getValue()),
                        letter.getFailedAt()));
        if (recentDeadLetters.size() > limits.recentDeadLetters()) {
            recentDeadLetters.removeLast();
        }
    }

    /** A record of {@code topic} that is not what the topic should hold. */
    public synchronized void onUndecodable(String topic) {
        undecodable.merge(topic, 1L, Long::sum);
    }

    /** Everything the page shows, now. */
    public synchronized Snapshot snapshot() {
        List<AgentRow> agentRows = new ArrayList<>();
        agents.values().forEach(a -> agentRows.add(a.row()));
        List<TenantRow> tenantRows = new ArrayList<>();
        for (Map.Entry<String, double[]> entry : tenantCost.entrySet()) {
            long[] n = tenantCalls.get(entry.getKey());
            tenantRows.add(
                    new TenantRow(entry.getKey(), n == null ? 0 : n[0], entry.getValue()[0]));
        }
        List<Bucket> series = new ArrayList<>();
        if (!buckets.isEmpty()) {
            long last = buckets.lastKey();
            long first = Math.max(firstBucket, last - span() + limits.bucketMillis());
            for (long start = first; start <= last; start += limits.bucketMillis()) {
                Series s = buckets.get(start);
                series.add(
                        s == null
                                ? new Bucket(start, 0, 0.0, null, null, null)
                                : s.bucket(start, limits.bucketMillis()));
            }
        }
        Map<String, Long> statuses = new TreeMap<>();
        byStatus.forEach((status, n) -> statuses.put(status.name(), n));
        return new Snapshot(
                results,
                statuses,
                deadLetters,
                calls,
                costUsd,
                new TreeMap<>(undecodable),
                agentRows,
                tenantRows,
                limits.bucketMillis(),
                limits.buckets(),
                series,
                List.copyOf(recentResults),
                List.copyOf(recentDeadLetters));
    }

    private long span() {
        return limits.bucketMillis() * limits.buckets();
    }

    private Agent agent(String agentId) {
        return agents.computeIfAbsent(agentId, Agent::new);
    }

    private ResultView view(TaskResult result) {
        List<AnswerView> answers = new ArrayList<>();
        List<String> agreeing = new ArrayList<>();
        for (AgentAnswer answer : result.getAnswers()) {
            answers.add(
                    new AnswerView(
                            answer.getAgentId(),
                            clip(answer.getOutput()),
                            clip(answer.getError()),
                            answer.getAgreed()));
            if (Boolean.TRUE.equals(answer.getAgreed())) {
                agreeing.add(answer.getAgentId());
            }
        }
        List<SubtaskView> subtasks = new ArrayList<>();
        for (SubtaskResult sub : result.getSubtasks()) {
            subtasks.add(
                    new SubtaskView(
                            sub.getStep(),
                            sub.getRole(),
                            sub.getStatus() == null ? null : sub.getStatus().name(),
                            clip(sub.getOutput()),
                            clip(sub.getError()),
                            List.copyOf(sub.getAgents())));
        }
        return new ResultView(
                result.getTaskId(),
                result.getTenant(),
                result.getKind(),
                result.getStatus().name(),
                result.getStrategy().name(),
                result.getTier() == null ? null : result.getTier().name(),
                clip(result.getOutput()),
                clip(result.getError()),
                List.copyOf(result.getAgents()),
                result.getAgreement(),
                result.getVote(),
                agreeing,
                answers,
                subtasks,
                result.getLatencyMs(),
                result.getCostUsd(),
                result.getCompletedAt());
    }

    private String text(ByteBuffer value) {
        return clip(RecordText.of(value));
    }

    private String clip(String text) {
        if (text == null || text.length() <= limits.textChars()) {
            return text;
        }
        return text.substring(0, limits.textChars()) + "…";
    }

    private final class Agent {
        final String agentId;
        final Deque<Boolean> recent = new ArrayDeque<>();
        boolean registered;
        String status = "not registered";
        String runtime;
        String tier;
        String model;
        List<String> capabilities = List.of();
        long calls;
        long successes;
        long failures;
        long breakerRejections;
        long latencySum;
        double costUsd;
        boolean breakerOpen;

        Agent(String agentId) {
            this.agentId = agentId;
        }

        AgentRow row() {
            long recentFailures = recent.stream().filter(ok -> !ok).count();
            return new AgentRow(
                    agentId,
                    status,
                    runtime,
                    tier,
                    model,
                    capabilities,
                    calls,
                    successes,
                    failures,
                    breakerRejections,
                    calls == 0 ? null : (double) successes / calls,
                    calls == 0 ? null : (double) latencySum / calls,
                    costUsd,
                    recent.isEmpty() ? null : (double) recentFailures / recent.size(),
                    calls == 0 && breakerRejections == 0
                            ? null
                            : breakerOpen ? BREAKER_OPEN : BREAKER_CLOSED);
        }
    }

    /** The results of one bucket: their count and the first latencies, for percentiles. */
    private static final class Series {
        final long[] latencies;
        int kept;
        long count;

        Series(int capacity) {
            latencies = new long[capacity];
        }

        void add(long latencyMs) {
            count++;
            if (kept < latencies.length) {
                latencies[kept++] = latencyMs;
            }
        }

        Bucket bucket(long start, long bucketMillis) {
            long[] sorted = Arrays.copyOf(latencies, kept);
            Arrays.sort(sorted);
            return new Bucket(
                    start,
                    count,
                    count * 1000.0 / bucketMillis,
                    sorted.length == 0 ? null : percentile(sorted, 0.50),
                    sorted.length == 0 ? null : percentile(sorted, 0.95),
                    sorted.length == 0 ? null : percentile(sorted, 0.99));
        }
    }

    /**
     * The nearest-rank percentile of sorted values, at least one: the smallest value with {@code
     * quantile} of the values at or below it. The console and {@code top} both use it.
     */
    public static long percentile(long[] sorted, double quantile) {
        int rank = (int) Math.ceil(quantile * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }
}
