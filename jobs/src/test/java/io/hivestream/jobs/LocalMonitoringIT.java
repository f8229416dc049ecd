package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hivestream.connectors.agents.AgentRuntimes;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/local/start-monitoring.sh} with the real Prometheus (Debian's package; another with
 * {@code -Dhivestream.prometheus=PATH -Dhivestream.promtool=PATH}): pointed by cluster.conf at the
 * MiniCluster's reporter while the job runs, the server scrapes it, its HTTP API shows the targets
 * and answers queries of the job's metrics with their values, and every query of the Grafana
 * dashboard is valid PromQL to it. promtool accepts the configuration start-monitoring.sh writes
 * and that of compose.yaml. {@code stop-monitoring.sh} stops the server.
 */
class LocalMonitoringIT extends KafkaJobCase {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String PROMETHEUS =
            System.getProperty("hivestream.prometheus", "/usr/bin/prometheus");
    private static final String PROMTOOL =
            System.getProperty("hivestream.promtool", "/usr/bin/promtool");
    private static final String JOB = "local-monitoring-it";
    private static final JobMetrics METRICS = jobMetrics(JOB);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** What a command printed, stdout and stderr together, and its exit status. */
    private record Run(int exit, String output) {}

    private static Run run(Path dir, Map<String, String> env, String... command) throws Exception {
        Path out = Files.createTempFile(dir, "run", ".out");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within 2 minutes");
        }
        return new Run(process.exitValue(), Files.readString(out));
    }

    private static Run script(Path dir, Map<String, String> env, String name) throws Exception {
        return run(dir, env, "bash", ROOT.resolve("deploy/local/" + name).toString());
    }

    private static JsonNode api(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> response =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asText())
                .as(path + ": " + response.body())
                .isEqualTo("success");
        return body.path("data");
    }

    private static JsonNode query(int port, String promql)
            throws IOException, InterruptedException {
        return api(
                port, "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /** The health of each active target, as job/instance. */
    private static Map<String, String> targets(int port) throws IOException, InterruptedException {
        Map<String, String> health = new TreeMap<>();
        for (JsonNode target : api(port, "/api/v1/targets").path("activeTargets")) {
            health.put(
                    target.path("labels").path("job").asText()
                            + "/"
                            + target.path("labels").path("instance").asText(),
                    target.path("health").asText());
        }
        return health;
    }

    /** Each series of an instant vector: its label {@code label}, and its value. */
    private static Map<String, String> vector(JsonNode data, String label) {
        assertThat(data.path("resultType").asText()).isEqualTo("vector");
        Map<String, String> series = new TreeMap<>();
        for (JsonNode sample : data.path("result")) {
            series.put(
                    sample.path("metric").path(label).asText(),
                    sample.path("value").get(1).asText());
        }
        return series;
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void startMonitoringScrapesTheJobAndPrometheusAnswersWithItsMetrics(@TempDir Path dir)
            throws Exception {
        assertThat(Path.of(PROMETHEUS))
                .as(
                        "Debian's prometheus, which ./mvnw verify installs as root (apt-get install"
                                + " prometheus); another with -Dhivestream.prometheus=PATH")
                .isExecutable();
        int uiPort = JobMetrics.freePort();
        int unused = JobMetrics.freePort();
        Path cluster = dir.resolve("cluster");
        Path conf = dir.resolve("cluster.conf");
        String ports = REPORTER_PORT + "," + unused;
        Files.writeString(
                conf,
                "CLUSTER_DIR="
                        + cluster
                        + "\nPROMETHEUS_PORTS="
                        + ports
                        + "\nPROMETHEUS_UI_PORT="
                        + uiPort
                        + "\n");
        Map<String, String> scripts =
                Map.of("HIVESTREAM_CLUSTER_CONF", conf.toString(), "PROMETHEUS_BIN", PROMETHEUS);

        fixture.register(Agents.simulated("m-a", List.of("math"), 0.002));
        int tasks = 5;
        for (int i = 0; i < tasks; i++) {
            fixture.sendJson(
                    KafkaJobFixture.TASKS,
                    "mon-" + i,
                    "{\"taskId\":\"mon-" + i + "\",\"kind\":\"math\",\"input\":\"" + i + " * 3\"}");
        }
        Configuration jobConf = fixture.jobConf(dir.resolve("checkpoints"), false, false);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(jobConf);
        env.setParallelism(2);
        HivestreamJob.build(env, jobConf, new AgentRuntimes(), Clock.systemUTC(), t -> t);
        JobClient job = env.executeAsync(JOB);
        try {
            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> fixture.results().size() >= tasks);
            await().pollInterval(Duration.ofMillis(200))
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> METRICS.sums().getOrDefault("agentCalls", 0.0) >= tasks);

            Run started = script(dir, scripts, "start-monitoring.sh");
            assertThat(started.exit()).as(started.output()).isZero();
            assertThat(started.output())
                    .isEqualTo(
                            "prometheus: http://localhost:"
                                    + uiPort
                                    + " (scraping localhost:"
                                    + ports
                                    + ")\n");
            Path generated = cluster.resolve("prometheus");
            assertThat(Files.readString(generated.resolve("prometheus.yml")))
                    .isEqualTo(Files.readString(ROOT.resolve("deploy/monitoring/prometheus.yml")));
            assertThat(Files.readString(generated.resolve("targets/flink.yml")))
                    .endsWith(
                            "- targets: [\"localhost:"
                                    + REPORTER_PORT
                                    + "\", \"localhost:"
                                    + unused
                                    + "\"]\n");
            assertPromtoolAccepts(dir, generated.resolve("prometheus.yml"));
            assertThat(cluster.resolve("prometheus.pid")).exists();

            // Every target scraped once: the reporter up, the port nobody took down.
            Map<String, String> expected =
                    Map.of(
                            "flink/localhost:" + REPORTER_PORT, "up",
                            "flink/localhost:" + unused, "down",
                            "prometheus/localhost:" + uiPort, "up");
            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(targets(uiPort)).isEqualTo(expected));
            String selector = "{job_name=\"" + JOB.replace('-', '_') + "\"}";
            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(30))
                    .untilAsserted(
                            () ->
                                    assertThat(
                                                    vector(
                                                            query(
                                                                    uiPort,
                                                                    "sum by (job)"
                                                                            + " (flink_taskmanager_job_task_operator_agentCalls"
                                                                            + selector
                                                                            + ")"),
                                                            "job"))
                                            .isEqualTo(Map.of("flink", Integer.toString(tasks))));
            long costMicroUsd =
                    fixture.results().stream()
                            .mapToLong(r -> Math.round(r.getCostUsd() * 1_000_000))
                            .sum();
            assertThat(costMicroUsd).isPositive();
            assertThat(
                            vector(
                                    query(
                                            uiPort,
                                            "sum by (agent)"
                                                    + " (flink_taskmanager_job_task_operator_agent_costMicroUsd"
                                                    + selector
                                                    + ")"),
                                    "agent"))
                    .isEqualTo(Map.of("m_a", Long.toString(costMicroUsd)));
            assertThat(
                            vector(
                                    query(
                                            uiPort,
                                            "sum by (agent)"
                                                    + " (flink_taskmanager_job_task_operator_agent_calls"
                                                    + selector
                                                    + ")"),
                                    "agent"))
                    .isEqualTo(Map.of("m_a", Integer.toString(tasks)));
            // Prometheus parses every query of the dashboard.
            List<String> rejected = new ArrayList<>();
            for (String expr : PromQl.dashboardExpressions()) {
                HttpResponse<String> response =
                        HTTP.send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://127.0.0.1:"
                                                                + uiPort
                                                                + "/api/v1/query?query="
                                                                + URLEncoder.encode(
                                                                        expr,
                                                                        StandardCharsets.UTF_8)))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    rejected.add(expr + " -> " + response.body());
                }
            }
            assertThat(rejected).as("dashboard queries Prometheus rejects").isEmpty();
        } finally {
            try {
                stop(job);
            } finally {
                Run stopped = script(dir, scripts, "stop-monitoring.sh");
                assertThat(stopped.exit()).as(stopped.output()).isZero();
            }
        }
        assertThat(cluster.resolve("prometheus.pid")).doesNotExist();
        assertThat(listening(uiPort)).as("prometheus listening after stop-monitoring.sh").isFalse();
    }

    @Test
    void theComposeFilesPrometheusConfigurationIsValid(@TempDir Path dir) throws Exception {
        // Laid out as compose.yaml mounts it: the rules, and the targets directory beside them.
        Files.copy(ROOT.resolve("deploy/monitoring/prometheus.yml"), dir.resolve("prometheus.yml"));
        Files.createDirectory(dir.resolve("targets"));
        try (var files = Files.list(ROOT.resolve("deploy/docker/prometheus-targets"))) {
            for (Path file : files.toList()) {
                Files.copy(file, dir.resolve("targets").resolve(file.getFileName()));
            }
        }
        assertPromtoolAccepts(dir, dir.resolve("prometheus.yml"));
    }

    /** promtool check config accepts the configuration and the files it names. */
    private static void assertPromtoolAccepts(Path dir, Path config) throws Exception {
        Run checked = run(dir, Map.of(), PROMTOOL, "check", "config", config.toString());
        assertThat(checked.exit()).as(checked.output()).isZero();
        assertThat(checked.output()).contains("SUCCESS");
    }

    @Test
    void withoutPrometheusStartMonitoringSaysHowToInstallIt(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("cluster.conf");
        Files.writeString(conf, "CLUSTER_DIR=" + dir.resolve("cluster") + "\n");
        Path missing = dir.resolve("no-prometheus");
        Run run =
                script(
                        dir,
                        Map.of(
                                "HIVESTREAM_CLUSTER_CONF",
                                conf.toString(),
                                "PROMETHEUS_BIN",
                                missing.toString()),
                        "start-monitoring.sh");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.output())
                .isEqualTo(
                        "error: prometheus is not installed at "
                                + missing
                                + "; install it with 'sudo apt-get install prometheus' (Debian or"
                                + " Ubuntu) or name a prometheus binary with PROMETHEUS_BIN=PATH.\n");
        assertThat(dir.resolve("cluster/prometheus.pid")).doesNotExist();
    }
}
