package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests against the CRD schemas of the Flink Kubernetes Operator and Strimzi
 * releases kept in src/test/resources/crds (see the README there): what an API server with those
 * CRDs installed would reject or prune, it finds in deploy/kubernetes/*.yaml, and it finds none.
 */
class ManifestSchemaTest {
    private static final Path KUBERNETES = Path.of("..", "deploy", "kubernetes");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static CrdSchemas crds;

    @BeforeAll
    static void loadCrds() throws IOException, URISyntaxException {
        crds = CrdSchemas.load(Path.of(ManifestSchemaTest.class.getResource("/crds").toURI()));
    }

    private static JsonNode resource(String file, String kind) throws IOException {
        return CrdSchemas.documents(KUBERNETES.resolve(file)).stream()
                .filter(r -> r.path("kind").asText().equals(kind))
                .findFirst()
                .orElseThrow()
                .deepCopy();
    }

    @Test
    void everyManifestValidatesAgainstTheSchemaOfItsCrd() throws IOException {
        List<Path> files;
        try (Stream<Path> listed = Files.list(KUBERNETES)) {
            files = listed.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        List<String> kinds = new ArrayList<>();
        Map<String, List<String>> violations = new TreeMap<>();
        for (Path file : files) {
            for (JsonNode resource : CrdSchemas.documents(file)) {
                String name =
                        file.getFileName()
                                + " "
                                + resource.path("kind").asText()
                                + " "
                                + resource.path("metadata").path("name").asText();
                kinds.add(resource.path("apiVersion").asText() + " " + name);
                List<String> found = crds.violations(resource);
                if (!found.isEmpty()) {
                    violations.put(name, found);
                }
            }
        }

        assertThat(kinds)
                .containsExactly(
                        "flink.apache.org/v1beta1 flinkdeployment.yaml FlinkDeployment hivestream",
                        "kafka.strimzi.io/v1 kafka.yaml KafkaNodePool combined",
                        "kafka.strimzi.io/v1 kafka.yaml Kafka hivestream-kafka",
                        "kafka.strimzi.io/v1 kafka.yaml KafkaTopic hivestream.tasks",
                        "kafka.strimzi.io/v1 kafka.yaml KafkaTopic hivestream.results",
                        "kafka.strimzi.io/v1 kafka.yaml KafkaTopic hivestream.agents",
                        "kafka.strimzi.io/v1 kafka.yaml KafkaTopic hivestream.metrics",
                        "kafka.strimzi.io/v1 kafka.yaml KafkaTopic hivestream.dlq",
                        "kafka.strimzi.io/v1 kafka.yaml KafkaTopic hivestream.calls");
        assertThat(violations).isEmpty();
    }

    @Test
    void aMisspeltFieldIsReportedByItsPath() throws IOException {
        ObjectNode deployment = (ObjectNode) resource("flinkdeployment.yaml", "FlinkDeployment");
        ObjectNode job = (ObjectNode) deployment.path("spec").path("job");
        job.set("upgradeMod", job.remove("upgradeMode"));

        assertThat(crds.violations(deployment))
                .containsExactly("/spec/job/upgradeMod: unknown field, not declared in the schema");
    }

    @Test
    void aMisspeltFieldInsideAPodTemplateIsReported() throws IOException {
        ObjectNode deployment = (ObjectNode) resource("flinkdeployment.yaml", "FlinkDeployment");
        ObjectNode env =
                (ObjectNode)
                        deployment
                                .path("spec")
                                .path("podTemplate")
                                .path("spec")
                                .path("containers")
                                .get(0)
                                .path("env")
                                .get(0);
        env.set("valueform", env.remove("valueFrom"));

        assertThat(crds.violations(deployment))
                .containsExactly(
                        "/spec/podTemplate/spec/containers/0/env/0/valueform: unknown field,"
                                + " not declared in the schema");
    }

    @Test
    void aMisspeltMetadataFieldIsReported() throws IOException {
        ObjectNode topic = (ObjectNode) resource("kafka.yaml", "KafkaTopic");
        ObjectNode metadata = (ObjectNode) topic.path("metadata");
        metadata.set("label", metadata.remove("labels"));

        assertThat(crds.violations(topic))
                .containsExactly("/metadata/label: unknown field, not declared in the schema");
    }

    @Test
    void aValueOfTheWrongTypeIsReportedByItsPath() throws IOException {
        ObjectNode deployment = (ObjectNode) resource("flinkdeployment.yaml", "FlinkDeployment");
        ((ObjectNode) deployment.path("spec").path("job")).put("parallelism", "four");

        assertThat(crds.violations(deployment))
                .containsExactly("/spec/job/parallelism: string found, integer expected");
    }

    @Test
    void aFlinkVersionTheOperatorDoesNotKnowIsReported() throws IOException {
        ObjectNode deployment = (ObjectNode) resource("flinkdeployment.yaml", "FlinkDeployment");
        ((ObjectNode) deployment.path("spec")).put("flinkVersion", "v2_9");

        assertThat(crds.violations(deployment))
                .containsExactly(
                        "/spec/flinkVersion: does not have a value in the enumeration"
                                + " [\"v1_13\", \"v1_14\", \"v1_15\", \"v1_16\", \"v1_17\","
                                + " \"v1_18\", \"v1_19\", \"v1_20\", \"v2_0\", \"v2_1\","
                                + " \"v2_2\"]");
    }

    @Test
    void aMissingRequiredFieldIsReported() throws IOException {
        ObjectNode pool = (ObjectNode) resource("kafka.yaml", "KafkaNodePool");
        ObjectNode spec = (ObjectNode) pool.path("spec");
        spec.set("replica", spec.remove("replicas"));

        assertThat(crds.violations(pool))
                .containsExactly(
                        "/spec: required property 'replicas' not found",
                        "/spec/replica: unknown field, not declared in the schema");
    }

    @Test
    void aFieldWithCelRulesIsReportedAsNotChecked() throws IOException {
        ObjectNode kafka = (ObjectNode) resource("kafka.yaml", "Kafka");
        ((ObjectNode) kafka.path("spec").path("kafka"))
                .putObject("rack")
                .put("topologyKey", "topology.kubernetes.io/zone");

        assertThat(crds.violations(kafka))
                .containsExactly(
                        "/spec/kafka/rack: the schema has CEL rules (x-kubernetes-validations)"
                                + " that this check does not evaluate");
    }

    @Test
    void builtInKindsAreCheckedForApiVersionAndKindOnly() throws IOException {
        ObjectNode namespace = (ObjectNode) YAML.readTree("{apiVersion: v1, kind: Namespace}");
        namespace.putObject("metadata").put("name", "hivestream");
        ObjectNode misspelt = namespace.deepCopy().put("kind", "Namespce");

        assertThat(crds.serves(namespace)).isFalse();
        assertThat(crds.violations(namespace)).isEmpty();
        assertThat(crds.violations(misspelt))
                .containsExactly(
                        "apiVersion v1 kind Namespce: no CRD here serves it, nor is it a known"
                                + " built-in kind");
    }

    @Test
    void anApiVersionNoCrdServesIsReported() throws IOException {
        ObjectNode topic = (ObjectNode) resource("kafka.yaml", "KafkaTopic");
        topic.put("apiVersion", "kafka.strimzi.io/v1beta2");

        assertThat(crds.serves(topic)).isFalse();
        assertThat(crds.violations(topic))
                .containsExactly(
                        "apiVersion kafka.strimzi.io/v1beta2 kind KafkaTopic: no CRD here serves"
                                + " it, nor is it a known built-in kind");
    }
}
