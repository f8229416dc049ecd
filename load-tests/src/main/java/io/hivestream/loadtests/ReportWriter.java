package io.hivestream.loadtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes a benchmark report as Markdown and prints its headline figures. A run with the pipeline
 * and the passthrough ends its headline with {@code ratio pipeline/passthrough: X.XX}.
 */
public final class ReportWriter {
    public static final String REPORT_FILE = "report.md";
    public static final String PIPELINE_RATIO = "pipeline/passthrough";

    private ReportWriter() {}

    /** The default folder of a run's report: {@code hivestream.bench.dir}/NAME-TIME. */
    public static Path defaultFolder(String name) {
        return Path.of(System.getProperty("hivestream.bench.dir", ".hivestream/bench"))
                .resolve(
                        name
                                + "-"
                                + java.time.LocalDateTime.now()
                                        .format(
                                                java.time.format.DateTimeFormatter.ofPattern(
                                                        "yyyyMMdd-HHmmss")));
    }

    public static String markdown(Figures.Report report, List<String> charts) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark: scenario ").append(report.scenario()).append("\n\n");
        md.append(report.title()).append("\n\n");
        md.append("| setting | value |\n|---|---|\n");
        for (String[] setting : report.settings()) {
            md.append("| ").append(setting[0]).append(" | ").append(setting[1]).append(" |\n");
        }
        if (!report.runs().isEmpty()) {
            md.append("\n## Throughput: a backlog drained as fast as possible\n\n");
            md.append(
                    "| run | job | delivery | agent latency | tasks | tasks/s | CPU-s per 1k tasks"
                            + " (job JVM) | CPU-s per 1k tasks (broker) | duplicates |\n");
            md.append("|---|---|---|---:|---:|---:|---:|---:|---:|\n");
            for (Figures.Run run : report.runs()) {
                md.append(
                        row(
                                run.name(),
                                run.job(),
                                run.delivery(),
                                run.agentLatencyMs() < 0 ? "-" : run.agentLatencyMs() + " ms",
                                Long.toString(run.tasks()),
                                number(run.throughput(), 0),
                                number(run.cpuPer1000(), 3),
                                number(run.brokerCpuPer1000(), 3),
                                Long.toString(run.duplicates())));
            }
            List<Figures.Run> timed =
                    report.runs().stream().filter(r -> r.latency() != null).toList();
            if (!timed.isEmpty()) {
                md.append("\n## Latency at a fixed rate (milliseconds)\n\n");
                md.append(
                        "| run | rate (tasks/s) | tasks | end-to-end p50 | end-to-end p99 |"
                                + " orchestration p50 | orchestration p99 | orchestration p99.9 |"
                                + " orchestration max |\n");
                md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
                for (Figures.Run run : timed) {
                    Figures.Latency l = run.latency();
                    md.append(
                            row(
                                    run.name(),
                                    number(l.rate(), 0),
                                    Long.toString(l.tasks()),
                                    Long.toString(l.endToEndP50()),
                                    Long.toString(l.endToEndP99()),
                                    Long.toString(l.overheadP50()),
                                    Long.toString(l.overheadP99()),
                                    Long.toString(l.overheadP999()),
                                    Long.toString(l.overheadMax())));
                }
            }
            List<Figures.Run> split =
                    timed.stream().filter(r -> r.latency().plans() != null).toList();
            if (!split.isEmpty()) {
                md.append("\n## Plans and the other tasks at the fixed rate\n\n");
                md.append(
                        "| run | plans | plans p50 (ms) | plans p99 (ms) | cost per plan (USD) |"
                                + " other tasks p50 (ms) | other tasks p99 (ms) | cost per other"
                                + " task (USD) |\n");
                md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
                for (Figures.Run run : split) {
                    Figures.Split p = run.latency().plans();
                    md.append(
                            row(
                                    run.name(),
                                    Long.toString(p.plans()),
                                    Long.toString(p.planP50()),
                                    Long.toString(p.planP99()),
                                    String.format(Locale.ROOT, "%.6f", p.planCostUsd()),
                                    Long.toString(p.restP50()),
                                    Long.toString(p.restP99()),
                                    String.format(Locale.ROOT, "%.6f", p.restCostUsd())));
                }
            }
            List<Figures.Run> parted =
                    timed.stream().filter(r -> r.latency().parts() != null).toList();
            if (!parted.isEmpty()) {
                md.append(
                        "\n## Where the end-to-end time goes at the fixed rate (milliseconds)\n\n");
                md.append(
                        "Made: from publish until the job emitted the result to its sink (its"
                                + " `completedAt`). Visible: from then until a read_committed"
                                + " reader got it.\n\n");
                md.append("| run | made p50 | made p99 | visible p50 | visible p99 |\n");
                md.append("|---|---:|---:|---:|---:|\n");
                for (Figures.Run run : parted) {
                    Figures.Parts p = run.latency().parts();
                    md.append(
                            row(
                                    run.name(),
                                    Long.toString(p.madeP50()),
                                    Long.toString(p.madeP99()),
                                    Long.toString(p.visibleP50()),
                                    Long.toString(p.visibleP99())));
                }
            }
            md.append("\n## Checkpoints and state\n\n");
            md.append(
                    "| run | checkpoints | last duration (ms) | longest (ms) | last size |"
                            + " full size | RocksDB SST files | RocksDB live data | on disk |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Figures.Run run : report.runs()) {
                Figures.Checkpoints c = run.checkpoints();
                md.append(
                        row(
                                run.name(),
                                count(c.completed()),
                                count(c.lastMillis()),
                                count(c.maxMillis()),
                                bytes(c.lastBytes()),
                                bytes(c.fullBytes()),
                                bytes(c.stateBytes()),
                                bytes(c.liveBytes()),
                                bytes(c.diskBytes())));
            }
        }
        if (!report.analysers().isEmpty()) {
            md.append("\n## Complexity analyser alone\n\n");
            md.append(
                    "| analyser | tasks per round | rounds | best µs/task | median µs/task |"
                            + " tasks/s per core (median) |\n");
            md.append("|---|---:|---:|---:|---:|---:|\n");
            for (Figures.Analyser a : report.analysers()) {
                md.append(
                        row(
                                a.name(),
                                Long.toString(a.tasks()),
                                Integer.toString(a.rounds()),
                                number(a.bestMicros(), 2),
                                number(a.medianMicros(), 2),
                                number(1e6 / a.medianMicros(), 0)));
            }
        }
        if (!report.ratios().isEmpty()) {
            md.append("\n## Ratios (same benchmark run)\n\n");
            md.append("| ratio | value | goal |\n|---|---:|---|\n");
            for (Figures.Ratio ratio : report.ratios()) {
                md.append(row(ratio.name(), number(ratio.value(), 2), ratio.goal()));
            }
        }
        if (!report.notes().isEmpty()) {
            md.append("\n## Notes\n\n");
            for (String note : report.notes()) {
                md.append("- ").append(note).append('\n');
            }
        }
        if (!charts.isEmpty()) {
            md.append("\n## Charts\n\n");
            for (String chart : charts) {
                md.append("![").append(chart).append("](").append(chart).append(")\n");
            }
        }
        return md.toString();
    }

    /** The lines printed at the end of a run; the pipeline ratio, where there is one, last. */
    public static List<String> headline(Figures.Report report) {
        List<String> lines = new ArrayList<>();
        for (Figures.Run run : report.runs()) {
            StringBuilder line =
                    new StringBuilder(
                            String.format(
                                    Locale.ROOT,
                                    "%s: %s tasks/s, %s CPU-s per 1k tasks",
                                    run.name(),
                                    number(run.throughput(), 0),
                                    number(run.cpuPer1000(), 3)));
            if (run.latency() != null) {
                line.append(
                        String.format(
                                Locale.ROOT,
                                "; at %s tasks/s orchestration p99 %d ms (end-to-end p99 %d ms)",
                                number(run.latency().rate(), 0),
                                run.latency().overheadP99(),
                                run.latency().endToEndP99()));
                Figures.Split split = run.latency().plans();
                if (split != null) {
                    line.append(
                            String.format(
                                    Locale.ROOT,
                                    "; end-to-end p50/p99 %d/%d ms and $%.6f each for %d plans,"
                                            + " %d/%d ms and $%.6f each for the other tasks",
                                    split.planP50(),
                                    split.planP99(),
                                    split.planCostUsd(),
                                    split.plans(),
                                    split.restP50(),
                                    split.restP99(),
                                    split.restCostUsd()));
                }
            }
            lines.add(line.toString());
        }
        for (Figures.Analyser a : report.analysers()) {
            lines.add(
                    String.format(
                            Locale.ROOT,
                            "%s: %s µs per task (median of %d rounds)",
                            a.name(),
                            number(a.medianMicros(), 2),
                            a.rounds()));
        }
        Figures.Ratio pipeline = null;
        for (Figures.Ratio ratio : report.ratios()) {
            if (ratio.name().equals(PIPELINE_RATIO) && pipeline == null) {
                pipeline = ratio;
            } else {
                lines.add("ratio " + ratio.name() + ": " + number(ratio.value(), 2));
            }
        }
        if (pipeline != null) {
            lines.add("ratio " + PIPELINE_RATIO + ": " + number(pipeline.value(), 2));
        }
        return lines;
    }

    public static Path write(Path folder, Figures.Report report, List<String> charts)
            throws IOException {
        Files.createDirectories(folder);
        Path file = folder.resolve(REPORT_FILE);
        Files.writeString(file, markdown(report, charts));
        return file;
    }

    private static String row(String... cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }

    static String number(double value, int decimals) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static String count(long value) {
        return value < 0 ? "n/a" : Long.toString(value);
    }

    static String bytes(long value) {
        if (value < 0) {
            return "n/a";
        }
        if (value < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", value / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", value / (1024.0 * 1024));
    }
}
