package io.hivestream.loadtests;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples, every {@link #PERIOD_MS} on its own thread, the CPU time of this JVM (the Flink job, the
 * load generator and the result reader) and of the broker process, and the checkpoint and RocksDB
 * gauges of {@link BenchMetrics}.
 */
public final class ResourceSampler implements AutoCloseable {
    static final long PERIOD_MS = 250;

    /**
     * One sample. CPU times in nanoseconds; gauges -1 where Flink did not report them (yet).
     *
     * @param checkpoints completed checkpoints of the job
     * @param checkpointMillis duration of the last checkpoint
     * @param checkpointBytes persisted size of the last checkpoint (incremental)
     * @param checkpointFullBytes full size of the last checkpoint
     * @param sstBytes total size of the RocksDB SST files of all operators
     * @param liveDataBytes RocksDB's estimate of the live data
     */
    public record Sample(
            long millis,
            long jvmCpuNanos,
            long brokerCpuNanos,
            long checkpoints,
            long checkpointMillis,
            long checkpointBytes,
            long checkpointFullBytes,
            long sstBytes,
            long liveDataBytes) {}

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final long brokerPid;
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    public ResourceSampler(long brokerPid) {
        this.brokerPid = brokerPid;
        this.thread = new Thread(this::loop, "resource-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            Sample sample = sample();
            synchronized (samples) {
                samples.add(sample);
            }
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    public Sample sample() {
        return new Sample(
                System.currentTimeMillis(),
                os.getProcessCpuTime(),
                processCpuNanos(brokerPid),
                BenchMetrics.sum("numberOfCompletedCheckpoints"),
                BenchMetrics.sum("lastCheckpointDuration"),
                BenchMetrics.sum("lastCheckpointSize"),
                BenchMetrics.sum("lastCheckpointFullSize"),
                BenchMetrics.sum("rocksdb_total-sst-files-size"),
                BenchMetrics.sum("rocksdb_estimate-live-data-size"));
    }

    public List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** The last sample at or before {@code millis}; the first sample if none is. */
    public static Sample at(List<Sample> samples, long millis) {
        Sample found = samples.get(0);
        for (Sample sample : samples) {
            if (sample.millis() > millis) {
                break;
            }
            found = sample;
        }
        return found;
    }

    /** User plus system CPU time of a process from /proc, in nanoseconds; 0 where unreadable. */
    static long processCpuNanos(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name, which is in parentheses and may hold spaces.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return ticks * 10_000_000L; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5_000);
    }
}
