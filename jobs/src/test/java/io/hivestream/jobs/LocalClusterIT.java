package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.codec.Codecs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job jar on a real cluster on this machine: deploy/local starts a Flink JobManager and a
 * TaskManager and three Kafka nodes as separate processes; {@code ./hivestream deploy} submits the
 * jar over REST. The cluster keeps state with the changelog state backend: the job, stopped with a
 * savepoint, is deployed from it in CLAIM mode and goes on checkpointing. A TaskManager killed with
 * SIGKILL after a checkpoint is replaced, and every task still has exactly one result. Then Flink's
 * own command line ({@code deploy/local/flink}) cancels that job and runs the same jar with {@code
 * flink run -d}.
 */
class LocalClusterIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final int REST = 18081;
    private static final String CLI_TASKS = "cli.tasks";
    private static final String CLI_RESULTS = "cli.results";
    private static Path dir;
    private static Path conf;
    private static String bootstrap;

    private static String script(String name, String... args) throws Exception {
        List<String> command =
                new java.util.ArrayList<>(
                        List.of("bash", ROOT.resolve("deploy/local/" + name).toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve(name + ".out").toFile());
        builder.environment().put("HIVESTREAM_CLUSTER_CONF", conf.toString());
        Process process = builder.start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as(name).isTrue();
        String output = Files.readString(dir.resolve(name + ".out"));
        assertThat(process.exitValue()).as(name + ": " + output).isZero();
        return output;
    }

    @BeforeAll
    static void startCluster() throws Exception {
        dir = Files.createTempDirectory("hivestream-cluster");
        conf = dir.resolve("cluster.conf");
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "CLUSTER_DIR=" + dir.resolve("cluster"),
                        "FLINK_REST_PORT=" + REST,
                        "FLINK_RPC_PORT=16123",
                        "TASKMANAGERS=1",
                        "TASK_SLOTS=2",
                        "TASKMANAGER_MEMORY=1600m",
                        "JOBMANAGER_MEMORY=1024m",
                        "CHECKPOINT_INTERVAL=1s",
                        "KAFKA_BROKERS=3",
                        "KAFKA_BASE_PORT=29092",
                        "KAFKA_CONTROLLER_BASE_PORT=29192",
                        "KAFKA_HEAP=384m",
                        "KAFKA_REPLICATION_FACTOR=3",
                        "KAFKA_MIN_INSYNC_REPLICAS=2",
                        "CHANGELOG=true",
                        ""));
        script("start-all.sh");
        bootstrap = Files.readString(dir.resolve("cluster/bootstrap")).strip();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (dir != null) {
            script("stop-all.sh");
        }
    }

    @Test
    void theJobJarRunsOnTheClusterAndSurvivesALostTaskManager() throws Exception {
        assertThat(bootstrap).isEqualTo("127.0.0.1:29092,127.0.0.1:29093,127.0.0.1:29094");
        Path properties = dir.resolve("job.properties");
        Files.writeString(
                properties,
                "hivestream.kafka.bootstrap-servers="
                        + bootstrap
                        + "\nhivestream.kafka.transaction-timeout=5 min\n");
        var deploy = deploy(properties);
        assertThat(deploy.exitCode()).as(deploy.err()).isZero();
        assertThat(deploy.out()).matches("job: [0-9a-f]{32}\n");

        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap)) {
            AgentEvent agent =
                    Codecs.AGENT_EVENT.fromJson(
                            "{\"agentId\":\"edge-math\",\"capabilities\":[\"math\"],\"params\":{\"latencyMs\":\"5\"}}");
            producer.send(
                            new ProducerRecord<>(
                                    "hivestream.agents",
                                    bytes("edge-math"),
                                    Codecs.AGENT_EVENT.encodeAvro(agent)))
                    .get();
            publish(producer, "hivestream.tasks", 0, 100);
        }
        await().pollInterval(Duration.ofMillis(500))
                .atMost(Duration.ofMinutes(3))
                .until(() -> results().size() >= 100);

        // Stopped with a savepoint and deployed from it: the cluster runs every job with the
        // changelog state backend, so deploy restores in CLAIM mode, and the restored job's
        // checkpoints complete and its results commit (in NO_CLAIM mode every checkpoint fails,
        // and no result commits).
        Matcher savepoint =
                Pattern.compile("Savepoint completed\\. Path: (\\S+)")
                        .matcher(
                                script(
                                        "flink",
                                        "stop",
                                        "--savepointPath",
                                        dir.resolve("cluster/savepoints").toUri().toString(),
                                        jobId(deploy.out())));
        assertThat(savepoint.find()).isTrue();
        var restored = deploy(properties, "--savepoint", savepoint.group(1));
        assertThat(restored.exitCode()).as(restored.err()).isZero();
        assertThat(restored.out())
                .matches(
                        Pattern.quote("restoring from " + savepoint.group(1) + " in CLAIM mode")
                                + "\njob: [0-9a-f]{32}\n");
        String restJob = jobId(restored.out());
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap)) {
            publish(producer, "hivestream.tasks", 100, 50);
            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofMinutes(3))
                    .until(() -> results().size() >= 150);
            // (A checkpoint triggered while the restored job's tasks were still deploying counts
            // as failed too, so the failed count proves nothing either way.)
            await().atMost(Duration.ofMinutes(1)).until(() -> completedCheckpoints(restJob) >= 2);

            // SIGKILL the only TaskManager after checkpoints have completed, then replace it.
            script("kill-taskmanager.sh", "0");
            publish(producer, "hivestream.tasks", 150, 100);
            script("start-taskmanager.sh", "0");
            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofMinutes(4))
                    .until(() -> results().size() >= 250);
        }

        assertExactlyOneCorrectResult(results(), 0, 250);

        // Flink's command line from the same artifacts: cancel the job, run the jar again on its
        // own topics, group and transactional ids.
        assertThat(script("flink", "cancel", restJob)).contains("Cancelled job " + restJob + ".");
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(CLI_TASKS, 2, (short) 3),
                                    new NewTopic(CLI_RESULTS, 2, (short) 3)))
                    .all()
                    .get();
        }
        String run =
                script(
                        "flink",
                        "run",
                        "-d",
                        jobJar().toString(),
                        "--hivestream.kafka.bootstrap-servers",
                        bootstrap,
                        "--hivestream.topics.tasks",
                        CLI_TASKS,
                        "--hivestream.topics.results",
                        CLI_RESULTS,
                        "--hivestream.kafka.group-id",
                        "hivestream-cli",
                        "--hivestream.kafka.transactional-id-prefix",
                        "hivestream-cli",
                        "--hivestream.kafka.transaction-timeout",
                        "5 min",
                        "--execution.checkpointing.interval",
                        "1s");
        Matcher submitted =
                Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})").matcher(run);
        assertThat(submitted.find()).as(run).isTrue();
        String cliJob = submitted.group(1);
        await().atMost(Duration.ofMinutes(1))
                .until(() -> rest("/jobs/" + cliJob).contains("\"state\":\"RUNNING\""));
        assertThat(script("flink", "list")).contains(cliJob + " : hivestream (RUNNING)");
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap)) {
            publish(producer, CLI_TASKS, 1000, 50);
        }
        await().pollInterval(Duration.ofMillis(500))
                .atMost(Duration.ofMinutes(3))
                .until(() -> results(CLI_RESULTS).size() >= 50);
        assertExactlyOneCorrectResult(results(CLI_RESULTS), 1000, 50);
        // The cancelled job's topic has no more than before.
        assertExactlyOneCorrectResult(results(), 0, 250);
    }

    private static void assertExactlyOneCorrectResult(
            List<TaskResult> results, int from, int count) {
        Map<String, Long> counts =
                results.stream()
                        .collect(
                                Collectors.groupingBy(
                                        TaskResult::getTaskId, Collectors.counting()));
        assertThat(counts).hasSize(count);
        assertThat(counts.values()).allMatch(c -> c == 1L);
        Map<String, TaskResult> byId =
                results.stream()
                        .collect(Collectors.toMap(TaskResult::getTaskId, Function.identity()));
        for (int i = from; i < from + count; i++) {
            TaskResult result = byId.get("k-" + i);
            assertThat(result).as("k-" + i).isNotNull();
            assertThat(result.getStatus()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(result.getOutput()).isEqualTo(Integer.toString(2 * i));
        }
    }

    private static void publish(
            KafkaProducer<byte[], byte[]> producer, String topic, int from, int count)
            throws Exception {
        for (int i = from; i < from + count; i++) {
            String json =
                    "{\"taskId\":\"k-" + i + "\",\"kind\":\"math\",\"input\":\"" + i + " * 2\"}";
            producer.send(new ProducerRecord<>(topic, bytes("k-" + i), bytes(json)));
        }
        producer.flush();
    }

    private static List<TaskResult> results() {
        return results("hivestream.results");
    }

    private static List<TaskResult> results(String topic) {
        return KafkaClients.readAll(bootstrap, topic, Duration.ofSeconds(60)).stream()
                .map(r -> Codecs.TASK_RESULT.decode(r.value()))
                .collect(Collectors.toList());
    }

    private static String rest(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + REST + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static long completedCheckpoints(String job) throws IOException, InterruptedException {
        String checkpoints = rest("/jobs/" + job + "/checkpoints");
        String completed = checkpoints.replaceAll("(?s).*\"completed\":(\\d+).*", "$1");
        return completed.matches("\\d+") ? Long.parseLong(completed) : 0;
    }

    /** {@code ./hivestream deploy} of the job jar with {@code properties} to this cluster. */
    private static io.hivestream.jobs.cli.CliRunner.Run deploy(Path properties, String... more)
            throws IOException {
        List<String> args =
                new java.util.ArrayList<>(
                        List.of(
                                "deploy",
                                "--rest",
                                "http://localhost:" + REST,
                                "--config",
                                properties.toString(),
                                "--jar",
                                jobJar().toString()));
        args.addAll(List.of(more));
        return io.hivestream.jobs.cli.CliRunner.run(args.toArray(String[]::new));
    }

    /** The job id that deploy printed last. */
    private static String jobId(String deployOutput) {
        Matcher job = Pattern.compile("job: ([0-9a-f]{32})").matcher(deployOutput);
        assertThat(job.find()).as(deployOutput).isTrue();
        return job.group(1);
    }

    private static Path jobJar() throws IOException {
        try (var files = Files.list(ROOT.resolve("jobs/target"))) {
            return files.filter(p -> p.getFileName().toString().endsWith("-job.jar"))
                    .findFirst()
                    .orElseThrow();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
