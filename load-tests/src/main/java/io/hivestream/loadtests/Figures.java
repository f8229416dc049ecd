package io.hivestream.loadtests;

import java.util.List;

/** The figures of a benchmark run, as the report shows them. */
public final class Figures {
    private Figures() {}

    /**
     * Latency at a fixed rate, in milliseconds.
     *
     * @param rate tasks per second published
     * @param tasks tasks published at that rate
     * @param plans plans and the other tasks apart; null when there was no plan
     * @param parts the end-to-end latency's two parts; null when results did not say when they were
     *     made
     */
    public record Latency(
            double rate,
            long tasks,
            long endToEndP50,
            long endToEndP99,
            long overheadP50,
            long overheadP99,
            long overheadP999,
            long overheadMax,
            Split plans,
            Parts parts) {}

    /**
     * End-to-end latency in two parts, in milliseconds: from publish until the job made the result
     * (its {@code completedAt}), and from then until a read_committed reader got it (the results
     * sink, the broker, and for exactly-once delivery the wait for the checkpoint's commit).
     */
    public record Parts(long madeP50, long madeP99, long visibleP50, long visibleP99) {}

    /**
     * End-to-end latency of the plans (the roots of DECOMPOSE tasks) and of the other tasks of a
     * phase, in milliseconds, and their mean cost in USD (a plan's: its whole tree's).
     */
    public record Split(
            long plans,
            long planP50,
            long planP99,
            long restP50,
            long restP99,
            double planCostUsd,
            double restCostUsd) {}

    /**
     * Checkpoints of a job run; sizes in bytes, -1 where not reported.
     *
     * @param completed checkpoints completed while the job ran
     * @param lastMillis duration of the last one
     * @param maxMillis longest duration seen
     * @param lastBytes persisted size of the last one (incremental)
     * @param fullBytes full size of the last one
     * @param stateBytes RocksDB SST files at the end of the run, all operators
     * @param liveBytes RocksDB's estimate of the live data at the end of the run
     * @param diskBytes the checkpoint directory on disk at the end of the run
     */
    public record Checkpoints(
            long completed,
            long lastMillis,
            long maxMillis,
            long lastBytes,
            long fullBytes,
            long stateBytes,
            long liveBytes,
            long diskBytes) {}

    /**
     * One job run: a backlog drained as fast as possible, then optionally a phase at a fixed rate.
     *
     * @param job {@code pipeline} or {@code passthrough}
     * @param agentLatencyMs the simulated agents' latency; -1 for the passthrough, which has none
     * @param throughput distinct results per second while draining the backlog
     * @param cpuPer1000 CPU-seconds of the job's JVM per 1,000 tasks while draining
     * @param brokerCpuPer1000 CPU-seconds of the broker per 1,000 tasks while draining
     * @param duplicates results seen more than once
     * @param latency null where the run had no fixed-rate phase
     */
    public record Run(
            String name,
            String job,
            String delivery,
            long agentLatencyMs,
            long tasks,
            double throughput,
            double cpuPer1000,
            double brokerCpuPer1000,
            long duplicates,
            Latency latency,
            Checkpoints checkpoints) {}

    /** A ratio between two runs of one benchmark run, and the goal it is measured against. */
    public record Ratio(String name, double value, String goal) {}

    /** The analyser alone: microseconds per task over several rounds. */
    public record Analyser(
            String name, long tasks, int rounds, double bestMicros, double medianMicros) {}

    /** Everything one report shows. */
    public record Report(
            String scenario,
            String title,
            List<String[]> settings,
            List<Run> runs,
            List<Analyser> analysers,
            List<Ratio> ratios,
            List<String> notes) {}
}
