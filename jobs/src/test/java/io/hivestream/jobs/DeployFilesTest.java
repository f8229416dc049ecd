package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What can be checked here of the deployment files without Kubernetes or Docker: they parse, carry
 * the fields the job relies on and name the job's topics. That the dashboard reads only metrics the
 * job exports is {@link PrometheusScrapeIT}'s check.
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
    void composeAndPrometheusParse() throws IOException {
        JsonNode compose = documents(DEPLOY.resolve("docker/compose.yaml")).get(0);
        assertThat(compose.path("services").fieldNames())
                .toIterable()
                .containsExactly("kafka", "jobmanager", "taskmanager", "prometheus", "grafana");
        JsonNode prometheus = documents(DEPLOY.resolve("monitoring/prometheus.yml")).get(0);
        assertThat(prometheus.path("scrape_configs").get(0).path("job_name").asText())
                .isEqualTo("flink");
    }
}
