package io.hivestream.loadtests;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter that keeps the gauges of a job running in this JVM, so that the benchmark can
 * read checkpoint durations and sizes and RocksDB sizes while the job runs. Registered through
 * {@link #configure}; holds the gauges from when Flink adds them until it removes them.
 */
public final class BenchMetrics implements MetricReporter {
    private static final Map<String, Gauge<?>> GAUGES = new ConcurrentHashMap<>();

    /** The configuration key that installs this reporter. */
    public static final String FACTORY_KEY = "metrics.reporter.bench.factory.class";

    /** Creates the reporter; found by Flink through the service loader. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new BenchMetrics();
        }
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (metric instanceof Gauge<?> gauge) {
            GAUGES.put(group.getMetricIdentifier(name), gauge);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        GAUGES.remove(group.getMetricIdentifier(name));
    }

    /**
     * The sum of the gauges whose name ends with {@code "." + name}, -1 where there is none. Gauges
     * that are not numbers, or fail to read, count as absent.
     */
    public static long sum(String name) {
        String suffix = "." + name;
        long total = 0;
        boolean found = false;
        for (Map.Entry<String, Gauge<?>> entry : GAUGES.entrySet()) {
            if (!entry.getKey().endsWith(suffix)) {
                continue;
            }
            try {
                if (entry.getValue().getValue() instanceof Number number) {
                    total += number.longValue();
                    found = true;
                }
            } catch (RuntimeException e) {
                // A gauge of an operator that is closing; its last value is in the samples.
            }
        }
        return found ? total : -1;
    }
}
