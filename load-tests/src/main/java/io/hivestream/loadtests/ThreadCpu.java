package io.hivestream.loadtests;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CPU time of this JVM's threads, summed by the kind of thread: a name with its subtask and numbers
 * taken out ({@code execute (1/2)#0} and {@code execute (2/2)#0} are {@code execute}, {@code
 * HttpClient-3-Worker-7} is {@code HttpClient-N-Worker-N}). Threads that end between two snapshots
 * take their time with them.
 */
public final class ThreadCpu {
    private static final Pattern SUBTASK = Pattern.compile(" \\(\\d+/\\d+\\)(#\\d+)?$");
    private static final Pattern NUMBER = Pattern.compile("\\d+");

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
        return cpu;
    }

    /**
     * CPU-seconds per 1,000 calls by kind of thread between two snapshots, the largest first; a
     * thread started in between counts from zero.
     */
    public static List<Map.Entry<String, Double>> per1k(
            Map<Long, Time> before, Map<Long, Time> after, long calls) {
        Map<String, Double> kinds = new HashMap<>();
        for (Map.Entry<Long, Time> entry : after.entrySet()) {
            Time earlier = before.get(entry.getKey());
            long nanos = entry.getValue().nanos() - (earlier == null ? 0 : earlier.nanos());
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
                    .append(String.format(Locale.ROOT, "%.3f", kinds.get(i).getValue()));
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
