package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * What can be checked here of the deployment files without Kubernetes or Docker: they parse, carry
 * the fields the job relies on, name the job's topics, compose's Prometheus scrapes its Flink
 * processes with the rules of deploy/monitoring, and Grafana is provisioned with the data source
 * every panel of the dashboard reads. That the dashboard reads only metrics the job exports is
 * {@link PrometheusScrapeIT}'s check; that Prometheus accepts the files, {@link
 * LocalMonitoringIT}'s.
 */
class DeployFilesTest {
    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(documents::add);
        }
        return documents;
    }

    @Test
    void theFlinkDeploymentUpgradesBySavepointWithCheckpointsAndHighAvailability()
            throws IOException {
        JsonNode deployment = documents(DEPLOY.resolve("kubernetes/flinkdeployment.yaml")).get(0);

        assertThat(deployment.path("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
        assertThat(deployment.path("kind").asText()).isEqualTo("FlinkDeployment");
        JsonNode spec = deployment.path("spec");
        assertThat(spec.path("job").path("jarURI").asText())
                .isEqualTo("local:///opt/flink/usrlib/hivestream.jar");
        assertThat(spec.path("job").path("entryClass").asText())
                .isEqualTo(HivestreamJob.class.getName());
        assertThat(spec.path("job").path("upgradeMode").asText()).isEqualTo("savepoint");
        JsonNode flink = spec.path("flinkConfiguration");
        assertThat(flink.path("state.backend.type").asText()).isEqualTo("rocksdb");
        assertThat(flink.path("execution.checkpointing.dir").asText()).startsWith("s3://");
        assertThat(flink.path("high-availability.type").asText()).isEqualTo("kubernetes");
        assertThat(flink.path("pipeline.generic-types").asText()).isEqualTo("false");
        List<String> args = new ArrayList<>();
        spec.path("job").path("args").forEach(a -> args.add(a.asText()));
        assertThat(args).contains("--" + HivestreamOptions.BOOTSTRAP_SERVERS.key());
    }

    /** The Dockerfile's instructions, continuation lines joined and comments left out. */
    private static List<String> dockerfileInstructions() throws IOException {
        List<String> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(DEPLOY.resolve("docker/Dockerfile"))) {
            if (line.strip().startsWith("#") || line.isBlank()) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
            } else {
                instructions.add(current.append(line).toString().strip());
                current.setLength(0);
            }
        }
        return instructions;
    }

    private static String dockerfileArg(String name) throws IOException {
        return dockerfileInstructions().stream()
                .filter(i -> i.startsWith("ARG " + name + "="))
                .map(i -> i.substring(("ARG " + name + "=").length()))
                .findFirst()
                .orElseThrow();
    }

    private static Document pom() throws Exception {
        return DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(Path.of("..", "pom.xml").toFile());
    }

    private static String pomValue(String xpath) throws Exception {
        return XPathFactory.newInstance().newXPath().evaluate(xpath, pom());
    }

    @Test
    void theDockerfileBuildsOnThePomsFlinkAndCopiesThePomsJobJar() throws Exception {
        List<String> instructions = dockerfileInstructions();

        assertThat(dockerfileArg("FLINK_VERSION"))
                .isEqualTo(pomValue("/project/properties/flink.version"))
                .isEqualTo("2.2.0");
        assertThat(dockerfileArg("HIVESTREAM_VERSION"))
                .isEqualTo(pomValue("/project/version"))
                .isEqualTo("0.1.0-SNAPSHOT");
        assertThat(instructions)
                .contains("FROM flink:${FLINK_VERSION}-java17")
                .contains(
                        "COPY --chown=flink:flink"
                                + " jobs/target/hivestream-jobs-${HIVESTREAM_VERSION}-job.jar"
                                + " /opt/flink/usrlib/hivestream.jar");
        JsonNode deployment = documents(DEPLOY.resolve("kubernetes/flinkdeployment.yaml")).get(0);
        assertThat(deployment.path("spec").path("job").path("jarURI").asText())
                .isEqualTo("local:///opt/flink/usrlib/hivestream.jar");
        assertThat(deployment.path("spec").path("flinkVersion").asText())
                .isEqualTo(
                        "v"
                                + pomValue("/project/properties/flink.version")
                                        .replaceAll("^(\\d+)\\.(\\d+)\\..*$", "$1_$2"));
    }

    @Test
    void theManifestRunsTheImageTheDockerfileCommentBuilds() throws Exception {
        Matcher tag =
                Pattern.compile("docker build -f deploy/docker/Dockerfile -t (\\S+) \\.")
                        .matcher(Files.readString(DEPLOY.resolve("docker/Dockerfile")));
        assertThat(tag.find()).isTrue();
        JsonNode deployment = documents(DEPLOY.resolve("kubernetes/flinkdeployment.yaml")).get(0);

        assertThat(tag.group(1))
                .isEqualTo(deployment.path("spec").path("image").asText())
                .isEqualTo("hivestream:" + pomValue("/project/version").replace("-SNAPSHOT", ""))
                .isEqualTo("hivestream:0.1.0");
    }

    /**
     * Runs the Dockerfile's RUN instruction with sh, as the build would, in a folder laid out like
     * the base image's FLINK_HOME.
     */
    private static Process runInstruction(Path flinkHome) throws IOException {
        List<String> runs =
                dockerfileInstructions().stream().filter(i -> i.startsWith("RUN ")).toList();
        assertThat(runs).hasSize(1);
        String run = runs.get(0).substring("RUN ".length());
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", run);
        builder.environment().put("FLINK_HOME", flinkHome.toString());
        builder.environment().put("FLINK_VERSION", dockerfileArg("FLINK_VERSION"));
        return builder.start();
    }

    private static Path flinkHome(Path dir, boolean reporter, boolean s3) throws IOException {
        Files.createDirectories(dir.resolve("plugins/metrics-prometheus"));
        Files.createDirectories(dir.resolve("opt"));
        if (reporter) {
            Files.writeString(
                    dir.resolve("plugins/metrics-prometheus/flink-metrics-prometheus-2.2.0.jar"),
                    "reporter");
        }
        if (s3) {
            Files.writeString(dir.resolve("opt/flink-s3-fs-presto-2.2.0.jar"), "presto");
        }
        return dir;
    }

    @Test
    void theImageEnablesTheS3PluginNextToTheReporter(@TempDir Path dir) throws Exception {
        Path home = flinkHome(dir, true, true);
        Process run = runInstruction(home);

        assertThat(run.waitFor()).isZero();
        assertThat(
                        Files.readString(
                                home.resolve("plugins/s3-fs-presto/flink-s3-fs-presto-2.2.0.jar")))
                .isEqualTo("presto");
        assertThat(home.resolve("usrlib")).isDirectory();
    }

    @Test
    void theImageBuildFailsWithoutThePrometheusReporter(@TempDir Path dir) throws Exception {
        Path home = flinkHome(dir, false, true);
        Files.writeString(home.resolve("opt/flink-metrics-prometheus-2.2.0.jar"), "reporter");
        Process run = runInstruction(home);

        assertThat(run.waitFor()).isEqualTo(1);
        assertThat(new String(run.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo(
                        "missing "
                                + home.resolve(
                                        "plugins/metrics-prometheus/flink-metrics-prometheus-2.2.0.jar")
                                + "\n");
        assertThat(home.resolve("plugins/s3-fs-presto")).doesNotExist();
    }

    @Test
    void theImageBuildFailsWithoutTheS3Plugin(@TempDir Path dir) throws Exception {
        Path home = flinkHome(dir, true, false);
        Process run = runInstruction(home);

        assertThat(run.waitFor()).isNotZero();
        assertThat(new String(run.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains(home.resolve("opt/flink-s3-fs-presto-2.2.0.jar").toString());
        assertThat(home.resolve("plugins/s3-fs-presto")).isEmptyDirectory();
    }

    @Test
    void s3IsConfiguredWhereTheDeploymentWritesToIt() throws IOException {
        JsonNode spec =
                documents(DEPLOY.resolve("kubernetes/flinkdeployment.yaml")).get(0).path("spec");
        JsonNode flink = spec.path("flinkConfiguration");
        Set<String> s3Paths = new TreeSet<>();
        flink.fields()
                .forEachRemaining(
                        e -> {
                            if (e.getValue().asText().startsWith("s3://")) {
                                s3Paths.add(e.getKey());
                            }
                        });
        Map<String, String> secretEnv = new TreeMap<>();
        for (JsonNode env :
                spec.path("podTemplate").path("spec").path("containers").get(0).path("env")) {
            JsonNode ref = env.path("valueFrom").path("secretKeyRef");
            secretEnv.put(
                    env.path("name").asText(),
                    ref.path("name").asText() + "/" + ref.path("key").asText());
        }

        assertThat(s3Paths)
                .containsExactly(
                        "execution.checkpointing.dir",
                        "execution.checkpointing.savepoint-dir",
                        "high-availability.storageDir");
        assertThat(flink.path("s3.endpoint").asText())
                .isEqualTo("https://s3.us-east-1.amazonaws.com");
        assertThat(flink.path("s3.path.style.access").asText()).isEqualTo("false");
        assertThat(secretEnv)
                .isEqualTo(
                        Map.of(
                                "AWS_ACCESS_KEY_ID", "hivestream-s3/access-key-id",
                                "AWS_SECRET_ACCESS_KEY", "hivestream-s3/secret-access-key",
                                "OPENAI_API_KEY", "hivestream-provider-keys/openai",
                                "ANTHROPIC_API_KEY", "hivestream-provider-keys/anthropic"));
        assertThat(
                        spec.path("podTemplate")
                                .path("spec")
                                .path("containers")
                                .get(0)
                                .path("name")
                                .asText())
                .isEqualTo("flink-main-container");
    }

    @Test
    void kafkaResourcesDeclareEveryTopicOfTheJob() throws IOException {
        List<JsonNode> resources = documents(DEPLOY.resolve("kubernetes/kafka.yaml"));
        Set<String> topics =
                resources.stream()
                        .filter(r -> r.path("kind").asText().equals("KafkaTopic"))
                        .map(r -> r.path("metadata").path("name").asText())
                        .collect(Collectors.toSet());

        assertThat(topics)
                .containsExactlyInAnyOrder(
                        HivestreamOptions.TASKS_TOPIC.defaultValue(),
                        HivestreamOptions.RESULTS_TOPIC.defaultValue(),
                        HivestreamOptions.AGENTS_TOPIC.defaultValue(),
                        HivestreamOptions.METRICS_TOPIC.defaultValue(),
                        HivestreamOptions.DLQ_TOPIC.defaultValue(),
                        HivestreamOptions.CALLS_TOPIC.defaultValue());
        JsonNode agents =
                resources.stream()
                        .filter(
                                r ->
                                        r.path("metadata")
                                                .path("name")
                                                .asText()
                                                .equals("hivestream.agents"))
                        .findFirst()
                        .orElseThrow();
        assertThat(agents.path("spec").path("config").path("cleanup.policy").asText())
                .isEqualTo("compact");
        JsonNode kafka =
                resources.stream()
                        .filter(r -> r.path("kind").asText().equals("Kafka"))
                        .findFirst()
                        .orElseThrow();
        assertThat(
                        kafka.path("spec")
                                .path("kafka")
                                .path("config")
                                .path("min.insync.replicas")
                                .asInt())
                .isEqualTo(2);
    }

    @Test
    void composeRunsTheNamedImageAndPrometheusScrapesTheTargetsBesideItsRules() throws IOException {
        JsonNode compose = documents(DEPLOY.resolve("docker/compose.yaml")).get(0);
        JsonNode services = compose.path("services");
        assertThat(services.fieldNames())
                .toIterable()
                .containsExactly("kafka", "jobmanager", "taskmanager", "prometheus", "grafana");
        assertThat(Files.readString(DEPLOY.resolve("docker/Dockerfile")))
                .contains("docker build -f deploy/docker/Dockerfile -t hivestream:0.1.0 .");
        for (String flink : List.of("jobmanager", "taskmanager")) {
            assertThat(services.path(flink).path("image").asText())
                    .as(flink)
                    .isEqualTo("hivestream:0.1.0");
            assertThat(services.path(flink).path("build").path("dockerfile").asText())
                    .isEqualTo("deploy/docker/Dockerfile");
            assertThat(services.path(flink).path("environment").path("FLINK_PROPERTIES").asText())
                    .contains("metrics.reporter.prom.port: 9249");
        }
        assertThat(strings(services.path("prometheus").path("volumes")))
                .containsExactly(
                        "../monitoring/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
                        "./prometheus-targets:/etc/prometheus/targets:ro");

        JsonNode prometheus = documents(DEPLOY.resolve("monitoring/prometheus.yml")).get(0);
        List<String> jobs = new ArrayList<>();
        for (JsonNode job : prometheus.path("scrape_configs")) {
            String name = job.path("job_name").asText();
            jobs.add(name);
            assertThat(strings(job.path("file_sd_configs").get(0).path("files")))
                    .containsExactly("targets/" + name + ".yml");
        }
        assertThat(jobs).containsExactly("flink", "prometheus");
        assertThat(targets(DEPLOY.resolve("docker/prometheus-targets/flink.yml")))
                .containsExactly("jobmanager:9249", "taskmanager:9249");
        assertThat(targets(DEPLOY.resolve("docker/prometheus-targets/prometheus.yml")))
                .containsExactly("localhost:9090");
        try (Stream<Path> files = Files.list(DEPLOY.resolve("docker/prometheus-targets"))) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder("flink.yml", "prometheus.yml");
        }
    }

    @Test
    void grafanaIsProvisionedWithPrometheusAndTheDashboardThatReadsIt() throws IOException {
        JsonNode grafana =
                documents(DEPLOY.resolve("docker/compose.yaml"))
                        .get(0)
                        .path("services")
                        .path("grafana");
        assertThat(strings(grafana.path("volumes")))
                .containsExactly(
                        "./grafana/datasources:/etc/grafana/provisioning/datasources:ro",
                        "./grafana/dashboards:/etc/grafana/provisioning/dashboards:ro",
                        "../monitoring/grafana-dashboard.json:"
                                + "/var/lib/grafana/dashboards/hivestream.json:ro");
        assertThat(
                        grafana.path("environment")
                                .path("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")
                                .asText())
                .isEqualTo("/var/lib/grafana/dashboards/hivestream.json");

        JsonNode datasources =
                documents(DEPLOY.resolve("docker/grafana/datasources/prometheus.yaml")).get(0);
        assertThat(datasources.path("apiVersion").asInt()).isEqualTo(1);
        assertThat(datasources.path("datasources")).hasSize(1);
        JsonNode datasource = datasources.path("datasources").get(0);
        assertThat(datasource.path("type").asText()).isEqualTo("prometheus");
        assertThat(datasource.path("url").asText()).isEqualTo("http://prometheus:9090");
        String uid = datasource.path("uid").asText();
        assertThat(uid).isEqualTo("hivestream-prometheus");

        JsonNode providers =
                documents(DEPLOY.resolve("docker/grafana/dashboards/hivestream.yaml")).get(0);
        assertThat(providers.path("providers")).hasSize(1);
        JsonNode provider = providers.path("providers").get(0);
        assertThat(provider.path("type").asText()).isEqualTo("file");
        assertThat(provider.path("options").path("path").asText())
                .isEqualTo("/var/lib/grafana/dashboards");

        JsonNode dashboard = new ObjectMapper().readTree(PromQl.DASHBOARD.toFile());
        assertThat(dashboard.path("uid").asText()).isEqualTo("hivestream");
        assertThat(dashboard.path("panels")).hasSize(10);
        List<String> sources = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            sources.add(panel.path("datasource").toString());
            assertThat(panel.path("targets")).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                sources.add(target.path("datasource").toString());
            }
        }
        assertThat(sources).containsOnly("{\"type\":\"prometheus\",\"uid\":\"" + uid + "\"}");
        // The metric names of the queries are held to what the job exports by PrometheusScrapeIT.
        assertThat(PromQl.dashboardMetricNames()).allMatch(n -> n.startsWith("flink_"));
    }

    private static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>();
        array.forEach(n -> strings.add(n.asText()));
        return strings;
    }

    /** The targets of a Prometheus file_sd file. */
    private static List<String> targets(Path file) throws IOException {
        List<String> targets = new ArrayList<>();
        for (JsonNode group : YAML.readTree(file.toFile())) {
            targets.addAll(strings(group.path("targets")));
        }
        return targets;
    }
}
