package io.hivestream.loadtests;

import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * A Java Flight Recording of one phase of a run, with JFR's {@code profile} settings (what {@code
 * -XX:StartFlightRecording:settings=profile} records), and a summary of where the CPU samples fall:
 * the methods on top of the stack, the threads (Flink names a task's thread after its operator
 * chain) and the packages. {@code jfr print --events jdk.ExecutionSample FILE} shows the raw
 * samples.
 */
public final class JfrProfile implements Harness.Profiler {
    /** Frames counted wherever they are on the stack: our code and the costs around it. */
    private static final Pattern INCLUSIVE =
            Pattern.compile(
                    "^io\\.hivestream\\.|AvroSerializer$|^org\\.apache\\.flink\\.state\\.rocksdb\\.");

    private static final Pattern SUBTASK = Pattern.compile(" \\(\\d+/\\d+\\)(#\\d+)?$");

    private final Path file;
    private Recording recording;
    private boolean done;

    public JfrProfile(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void start() throws IOException, ParseException {
        if (recording == null && !done) {
            recording = new Recording(Configuration.getConfiguration("profile"));
            recording.setToDisk(true);
            recording.start();
        }
    }

    @Override
    public synchronized void stop() throws IOException {
        if (recording != null) {
            recording.stop();
            recording.dump(file);
            recording.close();
            recording = null;
            done = true;
        }
    }

    /** Shares of the execution samples, largest first. */
    public record Summary(
            long samples,
            List<Map.Entry<String, Long>> methods,
            List<Map.Entry<String, Long>> threads,
            List<Map.Entry<String, Long>> packages,
            List<Map.Entry<String, Long>> inclusive) {

        /** The summary as report lines, {@code top} entries of each kind. */
        public List<String> lines(int top) {
            List<String> lines = new ArrayList<>();
            lines.add("CPU samples: " + samples);
            add(lines, "top frames (self time)", methods, top);
            add(lines, "threads", threads, top);
            add(lines, "packages of the top frame", packages, top);
            add(
                    lines,
                    "on the stack (Hivestream code, Avro serializers, RocksDB state)",
                    inclusive,
                    top);
            return lines;
        }

        private void add(
                List<String> lines, String title, List<Map.Entry<String, Long>> entries, int top) {
            StringBuilder line = new StringBuilder(title).append(": ");
            for (int i = 0; i < Math.min(top, entries.size()); i++) {
                Map.Entry<String, Long> entry = entries.get(i);
                if (i > 0) {
                    line.append(", ");
                }
                line.append('`')
                        .append(entry.getKey())
                        .append("` ")
                        .append(
                                String.format(
                                        Locale.ROOT, "%.1f%%", 100.0 * entry.getValue() / samples));
            }
            lines.add(line.toString());
        }
    }

    /** Summarises the {@code jdk.ExecutionSample} events of a recording. */
    public static Summary summarise(Path file) throws IOException {
        Map<String, Long> methods = new HashMap<>();
        Map<String, Long> threads = new HashMap<>();
        Map<String, Long> packages = new HashMap<>();
        Map<String, Long> inclusive = new HashMap<>();
        long samples = 0;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent event = recording.readEvent();
                if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                    continue;
                }
                RecordedStackTrace stack = event.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty()) {
                    continue;
                }
                samples++;
                RecordedFrame top = stack.getFrames().get(0);
                String type = top.getMethod().getType().getName();
                methods.merge(type + "." + top.getMethod().getName(), 1L, Long::sum);
                packages.merge(packageOf(type), 1L, Long::sum);
                String thread =
                        event.getThread("sampledThread") == null
                                ? "?"
                                : event.getThread("sampledThread").getJavaName();
                threads.merge(
                        thread == null ? "?" : SUBTASK.matcher(thread).replaceAll(""),
                        1L,
                        Long::sum);
                java.util.Set<String> onStack = new java.util.HashSet<>();
                for (RecordedFrame frame : stack.getFrames()) {
                    String frameType = frame.getMethod().getType().getName();
                    // Lambdas' hidden classes are named per run; their enclosing method is on
                    // the stack as well.
                    if (INCLUSIVE.matcher(frameType).find() && !frameType.contains("$$Lambda")) {
                        onStack.add(frameType + "." + frame.getMethod().getName());
                    }
                }
                onStack.forEach(method -> inclusive.merge(method, 1L, Long::sum));
            }
        }
        return new Summary(
                samples, sorted(methods), sorted(threads), sorted(packages), sorted(inclusive));
    }

    /** The first three parts of a class's package: {@code org.apache.flink}, {@code java.util}. */
    static String packageOf(String type) {
        String[] parts = type.split("\\.");
        int keep = Math.min(3, parts.length - 1);
        return keep <= 0 ? type : String.join(".", java.util.Arrays.copyOf(parts, keep));
    }

    private static List<Map.Entry<String, Long>> sorted(Map<String, Long> counts) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(
                Map.Entry.<String, Long>comparingByValue()
                        .reversed()
                        .thenComparing(Map.Entry.comparingByKey()));
        return entries;
    }
}
