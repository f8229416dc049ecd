package io.hivestream.loadtests;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CPU time of this JVM's threads, summed by the kind of thread: a name with its subtask and numbers
 * taken out ({@code execute (1/2)#0} and {@code execute (2/2)#0} are {@code execute}, {@code
 * HttpClient-3-Worker-7} is {@code HttpClient-N-Worker-N}). On Linux, threads no Java API lists are
 * read from {@code /proc}: RocksDB's background threads (flushes and compactions, {@code
 * rocksdb:high} and {@code rocksdb:low}), the JVM's JIT compilers ({@value #COMPILER}) and its
 * garbage collector ({@value #COLLECTOR}); what the process spent beyond all of these is one more
 * kind, {@value #REST}. What a thread that ends between two snapshots spent after the first of them
 * counts in the rest.
 */
public final class ThreadCpu {
    private static final Pattern SUBTASK = Pattern.compile(" \\(\\d+/\\d+\\)(#\\d+)?$");
    private static final Pattern NUMBER = Pattern.compile("\\d+");

    /** The kind for the process's CPU beyond the threads named. */
    static final String REST = "rest of the JVM";

    /** The kind for the JVM's JIT compiler threads (C1 and C2). */
    static final String COMPILER = "JIT compiler";

    /** The kind for the JVM's garbage collector threads (G1's or another collector's). */
    static final String COLLECTOR = "garbage collector";

    private static final Path TASKS = Path.of("/proc/self/task");

    private ThreadCpu() {}

    /** The kind of thread a name stands for. */
    static String kind(String name) {
        return NUMBER.matcher(SUBTASK.matcher(name).replaceAll("")).replaceAll("N");
    }

    /** A thread's kind and its CPU so far. */
    public record Time(String kind, long nanos) {}

    /** CPU so far, by thread id. */
    public static Map<Long, Time> snapshot() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Time> cpu = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long nanos = threads.getThreadCpuTime(info.getThreadId());
            if (nanos >= 0) {
                cpu.put(info.getThreadId(), new Time(kind(info.getThreadName()), nanos));
            }
        }
        long named = 0;
        for (Time time : cpu.values()) {
            named += time.nanos();
        }
        // Native threads by their Linux thread id, negated so as not to meet a Java thread's id.
        for (Map.Entry<Long, Time> hidden : hiddenThreads().entrySet()) {
            cpu.put(-hidden.getKey(), hidden.getValue());
            named += hidden.getValue().nanos();
        }
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            long process = os.getProcessCpuTime();
            if (process >= 0) {
                cpu.put(Long.MIN_VALUE, new Time(REST, Math.max(0, process - named)));
            }
        }
        return cpu;
    }

    /**
     * The kind of a thread that no Java API lists, by its Linux name ({@code comm}, at most 15
     * characters); null for any other thread.
     */
    static String hiddenKind(String linuxName) {
        if (linuxName.startsWith("rocksdb")) {
            return linuxName;
        }
        if (linuxName.startsWith("C1 CompilerThre") || linuxName.startsWith("C2 CompilerThre")) {
            return COMPILER;
        }
        // G1's workers, marking, refinement and service threads; the other collectors' workers.
        if (linuxName.startsWith("GC Thread") || linuxName.startsWith("G1 ")) {
            return COLLECTOR;
        }
        return null;
    }

    /**
     * The threads of {@link #hiddenKind} by Linux thread id, with their CPU from {@code schedstat};
     * none where {@code /proc} has no such files.
     */
    static Map<Long, Time> hiddenThreads() {
        Map<Long, Time> threads = new HashMap<>();
        if (!Files.isDirectory(TASKS)) {
            return threads;
        }
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                try {
                    String kind = hiddenKind(Files.readString(task.resolve("comm")).strip());
                    if (kind == null) {
                        continue;
                    }
                    String schedstat = Files.readString(task.resolve("schedstat"));
                    long nanos = Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
                    threads.put(
                            Long.parseLong(task.getFileName().toString()), new Time(kind, nanos));
                } catch (IOException | RuntimeException e) {
                    // The thread ended while being read, or the kernel keeps no schedstat.
                }
            }
        } catch (IOException e) {
            // No thread list to read: the kinds are the Java threads' alone.
        }
        return threads;
    }

    /**
     * CPU-seconds per 1,000 calls by kind of thread between two snapshots, the largest first; a
     * thread started in between counts from zero.
     */
    public static List<Map.Entry<String, Double>> per1k(
            Map<Long, Time> before, Map<Long, Time> after, long calls) {
        Map<String, Double> kinds = new HashMap<>();
        // The rest is the process less the threads alive at each snapshot: a thread that ended in
        // between left the whole of its time in the rest, of which only what it spent since the
        // first snapshot belongs to this window.
        long ended = 0;
        for (Map.Entry<Long, Time> entry : before.entrySet()) {
            if (entry.getKey() != Long.MIN_VALUE && !after.containsKey(entry.getKey())) {
                ended += entry.getValue().nanos();
            }
        }
        for (Map.Entry<Long, Time> entry : after.entrySet()) {
            Time earlier = before.get(entry.getKey());
            long nanos = entry.getValue().nanos() - (earlier == null ? 0 : earlier.nanos());
            if (entry.getKey() == Long.MIN_VALUE) {
                nanos = Math.max(0, nanos - ended);
            }
            kinds.merge(entry.getValue().kind(), nanos / 1e9 / (calls / 1000.0), Double::sum);
        }
        List<Map.Entry<String, Double>> sorted = new ArrayList<>(kinds.entrySet());
        sorted.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        return sorted;
    }

    /**
     * The first {@code max} of {@code kinds} as {@code `kind` 0.123, ...}, for a report or a
     * console line.
     */
    public static String describe(List<Map.Entry<String, Double>> kinds, int max) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(max, kinds.size()); i++) {
            text.append(i == 0 ? "" : ", ")
                    .append('`')
                    .append(kinds.get(i).getKey())
                    .append("` ")
                    .append(String.format(Locale.ROOT, "%.4f", kinds.get(i).getValue()));
        }
        return text.toString();
    }

    /** Snapshots of the threads' CPU around a run's phase, with another profiler inside them. */
    public static final class Profile implements Harness.Profiler {
        private final Harness.Profiler inner;
        private Map<Long, Time> before = Map.of();
        private Map<Long, Time> after = Map.of();
        private boolean stopped;

        /**
         * @param inner started after the first snapshot and stopped after the second
         */
        public Profile(Harness.Profiler inner) {
            this.inner = inner;
        }

        @Override
        public void start() throws Exception {
            before = snapshot();
            inner.start();
        }

        @Override
        public void stop() throws Exception {
            if (!stopped) {
                stopped = true;
                after = snapshot();
            }
            inner.stop();
        }

        /** CPU-seconds per 1,000 {@code units} (tasks, calls) by kind of thread, largest first. */
        public List<Map.Entry<String, Double>> per1k(long units) {
            return ThreadCpu.per1k(before, after, units);
        }
    }
}
