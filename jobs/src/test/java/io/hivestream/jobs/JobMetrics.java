package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;

/**
 * Flink's Prometheus reporter in a test's MiniCluster, as {@code deploy/local} and the demo turn it
 * on, scraped over HTTP: the operator metrics of one job by name, so that a test can wait on what
 * the job did rather than on time.
 */
final class JobMetrics {
    private static final Pattern OPERATOR_METRIC =
            Pattern.compile(
                    "^flink_taskmanager_job_task_operator_(\\w+)\\{([^}]*)} (\\S+)$",
                    Pattern.MULTILINE);

    private static final Pattern OPERATOR_NAME = Pattern.compile("operator_name=\"([^\"]*)\"");

    private static final Pattern AGENT = Pattern.compile("(?:^|,)agent=\"([^\"]*)\"");

    private static final Pattern SAMPLE_NAME =
            Pattern.compile("^([A-Za-z_:][A-Za-z0-9_:]*)[{ ]", Pattern.MULTILINE);

    private final int port;
    private final String jobName;
    private volatile String lastPage = "";

    /**
     * @param port the port of the MiniCluster's reporter ({@link #reporter})
     * @param jobName the name the job is executed with
     */
    JobMetrics(int port, String jobName) {
        this.port = port;
        this.jobName = jobName;
    }

    /**
     * The reporter settings of deploy/local/start-flink.sh and the demo, for a MiniCluster, on
     * {@code port}.
     */
    static Configuration reporter(int port) {
        Configuration conf = new Configuration();
        conf.setString(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.setString("metrics.reporter.prom.port", Integer.toString(port));
        return conf;
    }

    /** The reporter's page, now. */
    String scrape() throws IOException, InterruptedException {
        HttpResponse<String> response =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create("http://127.0.0.1:" + port + "/metrics"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        lastPage = response.body();
        return lastPage;
    }

    /** The page of the last {@link #scrape()}. */
    String lastPage() {
        return lastPage;
    }

    /** The job's operator metrics now, as {@link #sums(String)} adds them up. */
    Map<String, Double> sums() throws IOException, InterruptedException {
        return sums(scrape());
    }

    /**
     * Each operator metric of the job, summed over operators and subtasks (NAME), over the subtasks
     * of each operator (NAME@OPERATOR), and, for the metrics of one agent's group (the label {@code
     * agent}), over the subtasks that called that agent (NAME[AGENT]). The reporter writes the
     * job's name with underscores for the characters Prometheus does not allow.
     */
    Map<String, Double> sums(String page) {
        String job = "job_name=\"" + jobName.replaceAll("[^A-Za-z0-9_]", "_") + "\"";
        Map<String, Double> sums = new HashMap<>();
        Matcher m = OPERATOR_METRIC.matcher(page);
        while (m.find()) {
            if (m.group(2).contains(job)) {
                double value = Double.parseDouble(m.group(3));
                sums.merge(m.group(1), value, Double::sum);
                Matcher operator = OPERATOR_NAME.matcher(m.group(2));
                if (operator.find()) {
                    sums.merge(m.group(1) + "@" + operator.group(1), value, Double::sum);
                }
                Matcher agent = AGENT.matcher(m.group(2));
                if (agent.find()) {
                    sums.merge(m.group(1) + "[" + agent.group(1) + "]", value, Double::sum);
                }
            }
        }
        return sums;
    }

    /**
     * The name of every sample on a reporter's page, of every job, the JobManager's and
     * TaskManager's own metrics included (not the {@code # HELP} and {@code # TYPE} lines).
     */
    static Set<String> names(String page) {
        Set<String> names = new TreeSet<>();
        Matcher m = SAMPLE_NAME.matcher(page);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
