package io.hivestream.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Checks Kubernetes resources the way an API server with the given CustomResourceDefinitions would:
 * each resource against the {@code openAPIV3Schema} of the CRD version that serves its {@code
 * apiVersion} and {@code kind} (types, enums, required fields, ...), and every field of it against
 * the fields that schema declares, since a JSON Schema accepts fields it does not name while
 * Kubernetes prunes them (and {@code kubectl --validate=strict} rejects them). A field is declared
 * when it is in {@code properties}, or its object has {@code additionalProperties} or {@code
 * x-kubernetes-preserve-unknown-fields: true}. CEL rules ({@code x-kubernetes-validations}) are not
 * evaluated: a resource that reaches a schema with such rules is reported. Built-in kinds are
 * checked for their apiVersion and kind only.
 */
final class CrdSchemas {
    /** The built-in kinds a manifest may hold next to custom resources, by apiVersion. */
    private static final Map<String, Set<String>> BUILT_IN =
            Map.of(
                    "v1",
                            Set.of(
                                    "Namespace",
                                    "ServiceAccount",
                                    "Secret",
                                    "ConfigMap",
                                    "Service",
                                    "PersistentVolumeClaim"),
                    "rbac.authorization.k8s.io/v1",
                            Set.of("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"),
                    "apps/v1", Set.of("Deployment", "StatefulSet"));

    /** The fields of ObjectMeta, which a CRD's schema leaves to the API server. */
    private static final Set<String> OBJECT_META =
            Set.of(
                    "name",
                    "generateName",
                    "namespace",
                    "labels",
                    "annotations",
                    "finalizers",
                    "ownerReferences",
                    "uid",
                    "resourceVersion",
                    "generation",
                    "creationTimestamp",
                    "deletionTimestamp",
                    "deletionGracePeriodSeconds",
                    "managedFields",
                    "selfLink");

    private static final Set<String> ROOT = Set.of("apiVersion", "kind", "metadata");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Map<String, JsonNode> openApiSchemas = new HashMap<>();
    private final Map<String, Schema> schemas = new HashMap<>();

    /**
     * OpenAPI 3.0 (which knows {@code nullable}) with Kubernetes' extensions as keywords that
     * validate nothing: the fields they allow are walked here, and CEL rules are reported as not
     * checked where a manifest reaches one.
     */
    private final SchemaRegistry registry =
            SchemaRegistry.withDefaultDialect(
                    Dialect.builder(Dialects.getOpenApi30())
                            .keywords(
                                    Stream.of(
                                                    "x-kubernetes-int-or-string",
                                                    "x-kubernetes-preserve-unknown-fields",
                                                    "x-kubernetes-embedded-resource",
                                                    "x-kubernetes-list-type",
                                                    "x-kubernetes-list-map-keys",
                                                    "x-kubernetes-map-type",
                                                    "x-kubernetes-validations")
                                            .map(NonValidationKeyword::new)
                                            .toList())
                            .build());

    private CrdSchemas() {}

    /** Reads every CRD (*.yaml, *.yml) in a folder; each served version becomes checkable. */
    static CrdSchemas load(Path folder) throws IOException {
        CrdSchemas crds = new CrdSchemas();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file :
                    files.filter(
                                    f ->
                                            f.toString().endsWith(".yaml")
                                                    || f.toString().endsWith(".yml"))
                            .sorted()
                            .toList()) {
                for (JsonNode crd : documents(file)) {
                    if (crd.path("kind").asText().equals("CustomResourceDefinition")) {
                        crds.add(crd);
                    }
                }
            }
        }
        return crds;
    }

    static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
            YAML.readValues(parser, JsonNode.class)
                    .forEachRemaining(
                            d -> {
                                if (!d.isNull() && !d.isMissingNode()) {
                                    documents.add(d);
                                }
                            });
        }
        return documents;
    }

    private void add(JsonNode crd) {
        String group = crd.path("spec").path("group").asText();
        String kind = crd.path("spec").path("names").path("kind").asText();
        for (JsonNode version : crd.path("spec").path("versions")) {
            if (version.path("served").asBoolean(false)) {
                openApiSchemas.put(
                        key(group + "/" + version.path("name").asText(), kind),
                        version.path("schema").path("openAPIV3Schema"));
            }
        }
    }

    private static String key(String apiVersion, String kind) {
        return apiVersion + " " + kind;
    }

    /** Whether a CRD of these serves the resource's apiVersion and kind. */
    boolean serves(JsonNode resource) {
        return openApiSchemas.containsKey(
                key(resource.path("apiVersion").asText(), resource.path("kind").asText()));
    }

    /** What an API server would reject or prune in the resource, one line each; empty if none. */
    List<String> violations(JsonNode resource) {
        String apiVersion = resource.path("apiVersion").asText();
        String kind = resource.path("kind").asText();
        List<String> violations = new ArrayList<>();
        JsonNode openApi = openApiSchemas.get(key(apiVersion, kind));
        if (openApi == null) {
            if (!BUILT_IN.getOrDefault(apiVersion, Set.of()).contains(kind)) {
                violations.add(
                        "apiVersion "
                                + apiVersion
                                + " kind "
                                + kind
                                + ": no CRD here serves it, nor is it a known built-in kind");
            }
            return violations;
        }
        Schema schema =
                schemas.computeIfAbsent(key(apiVersion, kind), k -> registry.getSchema(openApi));
        for (Error error : schema.validate(resource)) {
            violations.add(error.toString());
        }
        Iterator<Map.Entry<String, JsonNode>> fields = resource.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String path = "/" + field.getKey();
            if (field.getKey().equals("metadata")) {
                undeclaredMetadata(field.getValue(), path, violations);
            } else if (ROOT.contains(field.getKey())) {
                continue;
            } else if (openApi.path("properties").has(field.getKey())) {
                undeclared(
                        field.getValue(),
                        openApi.path("properties").path(field.getKey()),
                        path,
                        violations);
            } else {
                violations.add(unknown(path));
            }
        }
        return violations;
    }

    private static void undeclaredMetadata(JsonNode metadata, String path, List<String> out) {
        Iterator<String> names = metadata.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!OBJECT_META.contains(name)) {
                out.add(unknown(path + "/" + name));
            }
        }
    }

    private static void undeclared(JsonNode value, JsonNode schema, String path, List<String> out) {
        if (schema.has("x-kubernetes-validations")) {
            out.add(
                    path
                            + ": the schema has CEL rules (x-kubernetes-validations) that this"
                            + " check does not evaluate");
        }
        if (value.isArray()) {
            JsonNode items = schema.path("items");
            if (items.isObject()) {
                for (int i = 0; i < value.size(); i++) {
                    undeclared(value.get(i), items, path + "/" + i, out);
                }
            }
            return;
        }
        if (!value.isObject()) {
            return;
        }
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.path("additionalProperties");
        Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String fieldPath = path + "/" + field.getKey();
            if (properties.has(field.getKey())) {
                undeclared(field.getValue(), properties.path(field.getKey()), fieldPath, out);
            } else if (additional.isObject()) {
                undeclared(field.getValue(), additional, fieldPath, out);
            } else if (!preserve && !additional.asBoolean(false)) {
                out.add(unknown(fieldPath));
            }
        }
    }

    private static String unknown(String path) {
        return path + ": unknown field, not declared in the schema";
    }
}
