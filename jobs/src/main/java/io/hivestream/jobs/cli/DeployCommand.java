package io.hivestream.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Submits the job jar to a Flink session cluster over its REST API. */
@Command(
        name = "deploy",
        mixinStandardHelpOptions = true,
        description = {
            "Submits the Hivestream job jar to a Flink session cluster over its REST API and prints the job id.",
            "The same jar runs with `flink run JAR --config FILE`."
        })
final class DeployCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(
            names = "--rest",
            required = true,
            description = "The cluster's REST address, e.g. http://localhost:8081.")
    URI rest;

    @Option(
            names = "--config",
            required = true,
            description =
                    "Java properties file of job options; hivestream.kafka.bootstrap-servers is required.")
    Path config;

    @picocli.CommandLine.Mixin KafkaConfigOption kafkaConfig;

    @Option(
            names = "--jar",
            description =
                    "The job jar (default: jobs/target/hivestream-jobs-*-job.jar next to this launcher).")
    Path jar;

    @Option(names = "--parallelism", description = "Job parallelism (default: the cluster's).")
    Integer parallelism;

    @Option(
            names = "--savepoint",
            description = "Start from this savepoint or retained checkpoint path.")
    String savepoint;

    @Option(
            names = "--allow-non-restored-state",
            description =
                    "Start even if the savepoint holds state of operators the job no longer has.")
    boolean allowNonRestored;

    /** Who owns a restored snapshot's files: Flink's {@code RecoveryClaimMode}, less LEGACY. */
    enum ClaimMode {
        CLAIM,
        NO_CLAIM
    }

    @Option(
            names = "--claim-mode",
            description = {
                "With --savepoint: CLAIM hands the snapshot's files to the job, which deletes them once newer checkpoints replace them;"
                        + " NO_CLAIM leaves them yours and makes the first checkpoint a full one.",
                "Default: CLAIM when the job's options, or else the cluster's configuration, set state.changelog.enabled=true (that backend restores in no other mode); otherwise NO_CLAIM."
            },
            paramLabel = "CLAIM|NO_CLAIM")
    ClaimMode claimMode;

    /** The property that turns Flink's changelog state backend on for the job. */
    static final String CHANGELOG_ENABLED = "state.changelog.enabled";

    @Override
    public Integer call() throws Exception {
        Properties properties = new Properties();
        try (var in = Files.newInputStream(config)) {
            properties.load(in);
        }
        if (properties.getProperty("hivestream.kafka.bootstrap-servers") == null) {
            throw new IllegalArgumentException(
                    config + " does not set hivestream.kafka.bootstrap-servers");
        }
        // The job gets the client properties as program arguments: secrets belong in config
        // provider references (${env:...}, ${file:...}), resolved where the clients run.
        kafkaConfig.jobOptions().forEach(properties::setProperty);
        Path jobJar = jar != null ? jar : defaultJar();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        ClaimMode claim =
                claimMode(
                        savepoint,
                        claimMode,
                        () -> Changelog.of(properties, config, () -> clusterConfig(http)));
        String jarId = upload(http, jobJar);
        List<String> args = new ArrayList<>();
        properties.stringPropertyNames().stream()
                .sorted()
                .forEach(
                        k -> {
                            args.add("--" + k);
                            args.add(properties.getProperty(k));
                        });
        ObjectNode run = JSON.createObjectNode();
        run.put("entryClass", "io.hivestream.jobs.HivestreamJob");
        args.forEach(run.putArray("programArgsList")::add);
        if (parallelism != null) {
            run.put("parallelism", parallelism);
        }
        if (savepoint != null) {
            run.put("savepointPath", savepoint);
            run.put("allowNonRestoredState", allowNonRestored);
            run.put("claimMode", claim.name());
            System.out.println("restoring from " + savepoint + " in " + claim + " mode");
        }
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(rest.resolve("/jars/" + jarId + "/run"))
                                .timeout(Duration.ofMinutes(2))
                                .header("Content-Type", "application/json")
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                JSON.writeValueAsString(run)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200 || !body.hasNonNull("jobid")) {
            throw new IllegalStateException(
                    "the cluster refused the job (HTTP "
                            + response.statusCode()
                            + "): "
                            + errors(body));
        }
        System.out.println("job: " + body.get("jobid").asText());
        return 0;
    }

    /** Whether the job runs with Flink's changelog state backend, and which setting says so. */
    record Changelog(boolean on, String setting) {
        /**
         * From the job's options where they set {@link #CHANGELOG_ENABLED}, otherwise from the
         * cluster's configuration (which the job inherits), read only then.
         */
        static Changelog of(
                Properties job, Path config, Supplier<Map<String, String>> clusterConfig) {
            String value = job.getProperty(CHANGELOG_ENABLED);
            if (value != null) {
                return new Changelog(
                        Boolean.parseBoolean(value.strip()),
                        CHANGELOG_ENABLED + "=" + value.strip() + " in " + config);
            }
            String cluster = clusterConfig.get().get(CHANGELOG_ENABLED);
            return new Changelog(
                    cluster != null && Boolean.parseBoolean(cluster.strip()),
                    CHANGELOG_ENABLED
                            + "="
                            + (cluster == null ? "false" : cluster.strip())
                            + " in the cluster's configuration");
        }
    }

    /**
     * The claim mode of a restore: the one asked for, or CLAIM where the job runs with the
     * changelog state backend (in NO_CLAIM mode such a job restores, then fails every checkpoint:
     * that backend cannot take the full snapshot NO_CLAIM demands first), or NO_CLAIM, Flink's
     * default. Null without a savepoint; refuses a claim mode without one, and NO_CLAIM with the
     * changelog.
     */
    static ClaimMode claimMode(String savepoint, ClaimMode asked, Supplier<Changelog> changelog) {
        if (savepoint == null) {
            if (asked != null) {
                throw new IllegalArgumentException(
                        "--claim-mode applies to a restore: add --savepoint PATH, or leave --claim-mode out");
            }
            return null;
        }
        if (asked == ClaimMode.CLAIM) {
            return asked;
        }
        Changelog backend = changelog.get();
        if (asked == ClaimMode.NO_CLAIM && backend.on()) {
            throw new IllegalArgumentException(
                    backend.setting()
                            + " turns the changelog state backend on, and a job with it restored in"
                            + " NO_CLAIM mode fails every checkpoint, so its results never commit: use"
                            + " --claim-mode CLAIM, or"
                            + " set state.changelog.enabled=false in the job's options for this"
                            + " restore");
        }
        if (asked != null) {
            return asked;
        }
        return backend.on() ? ClaimMode.CLAIM : ClaimMode.NO_CLAIM;
    }

    /** The leading JobManager's configuration, from {@code GET /jobmanager/config}. */
    private Map<String, String> clusterConfig(HttpClient http) {
        try {
            HttpResponse<String> response =
                    http.send(
                            HttpRequest.newBuilder(rest.resolve("/jobmanager/config"))
                                    .timeout(Duration.ofSeconds(30))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            if (response.statusCode() != 200 || !body.isArray()) {
                throw new IllegalStateException(
                        "the cluster at "
                                + rest
                                + " did not give its configuration (HTTP "
                                + response.statusCode()
                                + "): "
                                + errors(body));
            }
            Map<String, String> entries = new HashMap<>();
            body.forEach(e -> entries.put(e.path("key").asText(), e.path("value").asText()));
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot reach the cluster at " + rest + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking " + rest, e);
        }
    }

    private String upload(HttpClient http, Path jobJar) throws IOException, InterruptedException {
        String boundary = "hivestream-" + UUID.randomUUID();
        ByteArrayOutputStream multipart = new ByteArrayOutputStream();
        multipart.write(
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                                + jobJar.getFileName()
                                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        multipart.write(Files.readAllBytes(jobJar));
        multipart.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(rest.resolve("/jars/upload"))
                                .timeout(Duration.ofMinutes(2))
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .POST(
                                        HttpRequest.BodyPublishers.ofByteArray(
                                                multipart.toByteArray()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200 || !body.hasNonNull("filename")) {
            throw new IllegalStateException(
                    "upload of "
                            + jobJar
                            + " failed (HTTP "
                            + response.statusCode()
                            + "): "
                            + errors(body));
        }
        String stored = body.get("filename").asText();
        return stored.substring(stored.lastIndexOf('/') + 1);
    }

    private static String errors(JsonNode body) {
        return body.has("errors") ? body.get("errors").toString() : body.toString();
    }

    private static Path defaultJar() throws IOException {
        Path target = Path.of(System.getProperty("hivestream.home", ".")).resolve("jobs/target");
        try (var files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().endsWith("-job.jar"))
                    .findFirst()
                    .orElseThrow(
                            () ->
                                    new IllegalArgumentException(
                                            "no job jar in "
                                                    + target
                                                    + "; build it with ./mvnw -DskipTests package or pass --jar"));
        }
    }
}
