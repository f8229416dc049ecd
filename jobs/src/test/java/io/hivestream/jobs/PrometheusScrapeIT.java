package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flink's Prometheus reporter, as {@code deploy/local} and the demo turn it on, scraped over HTTP
 * while the job runs: the job's call, token, cost and in-flight metrics carry exactly the values
 * the results on Kafka add up to.
 */
class PrometheusScrapeIT {
    static final int PROMETHEUS_PORT = freePort();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(reporter(PROMETHEUS_PORT))
                            .build());

    static KafkaJobFixture fixture;
    static volatile String lastPage = "";

    @BeforeAll
    static void startKafka() throws Exception {
        fixture = new KafkaJobFixture();
    }

    @AfterAll
    static void stopKafka() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /** The reporter settings of deploy/local/start-flink.sh and the demo, on {@code port}. */
    static Configuration reporter(int port) {
        Configuration conf = new Configuration();
        conf.setString(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.setString("metrics.reporter.prom.port", Integer.toString(port));
        return conf;
    }

    @Test
    void theJobsCallTokenCostAndInFlightMetricsAreScrapedWithTheirValues(@TempDir Path dir)
            throws Exception {
        fixture.register(Agents.simulated("m-a", List.of("math"), 0.002));
        int tasks = 30;
        for (int i = 0; i < tasks; i++) {
            fixture.sendJson(
                    KafkaJobFixture.TASKS,
                    "prom-" + i,
                    "{\"taskId\":\"prom-"
                            + i
                            + "\",\"kind\":\"math\",\"input\":\""
                            + i
                            + " + 7\"}");
        }
        Configuration conf = fixture.jobConf(dir, false, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(env, conf, new AgentRuntimes(), Clock.systemUTC(), t -> t);
        JobClient job = env.executeAsync("prometheus-scrape-it");
        Map<String, Double> scraped;
        try {
            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> fixture.results().size() >= tasks);
            // The reporter reads the counters when scraped; the job is still running.
            try {
                await().pollInterval(Duration.ofMillis(200))
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> sums(scrape()).getOrDefault("agentCalls", 0.0) >= tasks);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError(
                        "the reporter did not show "
                                + tasks
                                + " agent calls; its page:\n"
                                + lastPage.lines()
                                        .filter(
                                                l ->
                                                        l.contains("agentCalls")
                                                                || l.contains("operator_"))
                                        .limit(40)
                                        .collect(java.util.stream.Collectors.joining("\n"))
                                + "\n("
                                + lastPage.length()
                                + " characters)",
                        e);
            }
            scraped = sums(lastPage);
        } finally {
            job.cancel().get();
        }

        List<TaskResult> results = fixture.results();
        assertThat(results).hasSize(tasks).allMatch(r -> r.getStatus() == TaskStatus.COMPLETED);
        long tokensIn = results.stream().mapToLong(TaskResult::getTokensIn).sum();
        long tokensOut = results.stream().mapToLong(TaskResult::getTokensOut).sum();
        long costMicroUsd =
                results.stream().mapToLong(r -> Math.round(r.getCostUsd() * 1_000_000)).sum();
        assertThat(tokensIn).isPositive();
        assertThat(scraped)
                .containsEntry("agentCalls", (double) tasks)
                .containsEntry("agentCallFailures", 0.0)
                .containsEntry("agentCallRetries", 0.0)
                .containsEntry("tokensIn", (double) tokensIn)
                .containsEntry("tokensOut", (double) tokensOut)
                .containsEntry("costMicroUsd", (double) costMicroUsd)
                .containsEntry("callsInFlight", 0.0)
                .containsEntry("decoded@decode_tasks", (double) tasks)
                .containsEntry("results", (double) tasks)
                .containsEntry("deadLetters", 0.0);
    }

    /** The reporter's page. */
    static String scrape() throws IOException, InterruptedException {
        HttpResponse<String> response =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://127.0.0.1:"
                                                                + PROMETHEUS_PORT
                                                                + "/metrics"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        lastPage = response.body();
        return lastPage;
    }

    private static final Pattern OPERATOR_METRIC =
            Pattern.compile(
                    "^flink_taskmanager_job_task_operator_(\\w+)\\{([^}]*)} (\\S+)$",
                    Pattern.MULTILINE);

    private static final Pattern OPERATOR_NAME = Pattern.compile("operator_name=\"([^\"]*)\"");

    /**
     * Each operator metric of the job, summed over operators and subtasks (NAME), and over the
     * subtasks of each operator (NAME@OPERATOR). The reporter writes the job's name with
     * underscores for the characters Prometheus does not allow.
     */
    static Map<String, Double> sums(String page) {
        Map<String, Double> sums = new HashMap<>();
        Matcher m = OPERATOR_METRIC.matcher(page);
        while (m.find()) {
            if (m.group(2).contains("job_name=\"prometheus_scrape_it\"")) {
                double value = Double.parseDouble(m.group(3));
                sums.merge(m.group(1), value, Double::sum);
                Matcher operator = OPERATOR_NAME.matcher(m.group(2));
                if (operator.find()) {
                    sums.merge(m.group(1) + "@" + operator.group(1), value, Double::sum);
                }
            }
        }
        return sums;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
