package io.hivestream.loadtests;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws a run's PNG charts, headless: throughput over time, latency percentiles, CPU over time. */
public final class Charts {
    public static final String THROUGHPUT = "throughput.png";
    public static final String LATENCY = "latency.png";
    public static final String CPU = "cpu.png";

    private static final double[] PERCENTILES = {50, 90, 99, 99.9, 100};
    private static final List<String> PERCENTILE_NAMES =
            List.of("p50", "p90", "p99", "p99.9", "max");

    private Charts() {}

    /** Writes the charts into {@code folder} and returns their file names. */
    public static List<String> write(Path folder, List<Harness.Outcome> outcomes)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> written = new ArrayList<>();
        if (outcomes.isEmpty()) {
            return written;
        }
        XYChart throughput =
                new XYChartBuilder()
                        .width(900)
                        .height(500)
                        .title("Results visible per second while draining the backlog")
                        .xAxisTitle("seconds since the job started")
                        .yAxisTitle("results/s")
                        .build();
        XYChart cpu =
                new XYChartBuilder()
                        .width(900)
                        .height(500)
                        .title("CPU while the job runs (cores busy)")
                        .xAxisTitle("seconds since the job started")
                        .yAxisTitle("cores")
                        .build();
        CategoryChart latency =
                new CategoryChartBuilder()
                        .width(900)
                        .height(500)
                        .title("Orchestration latency beyond agent time, fixed-rate phase")
                        .xAxisTitle("percentile")
                        .yAxisTitle("milliseconds")
                        .build();
        boolean anyLatency = false;
        for (Harness.Outcome outcome : outcomes) {
            String name = outcome.figures().name();
            long[] perSecond = LatencyBook.perSecond(outcome.timeline(), outcome.startMillis());
            if (perSecond.length > 0) {
                double[] x = new double[perSecond.length];
                double[] y = new double[perSecond.length];
                for (int i = 0; i < perSecond.length; i++) {
                    x[i] = i;
                    y[i] = perSecond[i];
                }
                throughput.addSeries(name, x, y).setMarker(SeriesMarkers.NONE);
            }
            List<ResourceSampler.Sample> samples = outcome.samples();
            if (samples.size() > 1) {
                int n = samples.size() - 1;
                double[] x = new double[n];
                double[] jvm = new double[n];
                double[] broker = new double[n];
                for (int i = 0; i < n; i++) {
                    ResourceSampler.Sample a = samples.get(i);
                    ResourceSampler.Sample b = samples.get(i + 1);
                    double nanos = Math.max(1, (b.millis() - a.millis()) * 1e6);
                    x[i] = (b.millis() - outcome.startMillis()) / 1000.0;
                    jvm[i] = (b.jvmCpuNanos() - a.jvmCpuNanos()) / nanos;
                    broker[i] = (b.brokerCpuNanos() - a.brokerCpuNanos()) / nanos;
                }
                cpu.addSeries(name + " job JVM", x, jvm).setMarker(SeriesMarkers.NONE);
                cpu.addSeries(name + " broker", x, broker).setMarker(SeriesMarkers.NONE);
            }
            if (outcome.figures().latency() != null) {
                anyLatency = true;
                Histogram overhead = outcome.overhead();
                List<Double> values = new ArrayList<>();
                for (double p : PERCENTILES) {
                    values.add((double) overhead.getValueAtPercentile(p));
                }
                latency.addSeries(name, PERCENTILE_NAMES, values);
            }
        }
        if (!throughput.getSeriesMap().isEmpty()) {
            BitmapEncoder.saveBitmap(
                    throughput,
                    folder.resolve(THROUGHPUT).toString(),
                    BitmapEncoder.BitmapFormat.PNG);
            written.add(THROUGHPUT);
        }
        if (anyLatency) {
            BitmapEncoder.saveBitmap(
                    latency, folder.resolve(LATENCY).toString(), BitmapEncoder.BitmapFormat.PNG);
            written.add(LATENCY);
        }
        if (!cpu.getSeriesMap().isEmpty()) {
            BitmapEncoder.saveBitmap(
                    cpu, folder.resolve(CPU).toString(), BitmapEncoder.BitmapFormat.PNG);
            written.add(CPU);
        }
        return written;
    }
}
