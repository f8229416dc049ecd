package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.connectors.kafka.KafkaAccessCheck;
import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.kafka.LocalKafkaCluster;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.codec.Codecs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
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
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on a broker that requires SASL_SSL with SCRAM-SHA-512 and authorizes with ACLs: the job's
 * principal may use exactly its topics, its consumer groups and its transactional ids. Every log
 * line of the test JVM (at INFO, Kafka's clients included) and the brokers' logs are searched for
 * the passwords, and so is what Flink's REST API says about the job.
 */
class SecuredKafkaIT extends FlinkJobCase {
    static final String TASKS = "hivestream.tasks";
    static final String RESULTS = "hivestream.results";
    static final String AGENTS = "hivestream.agents";
    static final String METRICS = "hivestream.metrics";
    static final String DLQ = "hivestream.dlq";
    static final String JOB_USER = "hivejob";
    static final String JOB_PASSWORD = "job-pw-7c1f9e2a4b";
    static final String NO_DLQ_USER = "hivejob-nodlq";
    static final String NO_DLQ_PASSWORD = "nodlq-pw-58d0c3";
    static final String WRONG_PASSWORD = "wrong-pw-93ab17";

    static LocalKafkaCluster kafka;
    static final Queue<String> logged = new ConcurrentLinkedQueue<>();
    static Appender capture;
    static Level rootLevel;
    static Level kafkaLevel;

    @BeforeAll
    static void start() throws Exception {
        captureLogs();
        kafka =
                LocalKafkaCluster.builder()
                        .secured()
                        .topic(TASKS, 2)
                        .topic(RESULTS, 2)
                        .topic(AGENTS, 1, Map.of("cleanup.policy", "compact"))
                        .topic(METRICS, 2)
                        .topic(DLQ, 1)
                        .topic("hivestream.calls", 2, Map.of("cleanup.policy", "compact,delete"))
                        .start();
        kafka.upsertUser(JOB_USER, JOB_PASSWORD);
        kafka.upsertUser(NO_DLQ_USER, NO_DLQ_PASSWORD);
        kafka.createAcls(jobAcls(JOB_USER, true));
        kafka.createAcls(jobAcls(NO_DLQ_USER, false));
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
        releaseLogs();
    }

    /** The job's ACLs ({@link JobAcls}), without those on the dead letters topic if asked. */
    static List<AclBinding> jobAcls(String user, boolean withDlq) {
        return JobAcls.of("User:" + user, new Configuration()).stream()
                .filter(acl -> withDlq || !acl.pattern().name().equals(DLQ))
                .collect(Collectors.toList());
    }

    @Test
    void theJobRunsEndToEndAsAPrincipalAllowedExactlyItsTopicsGroupsAndTransactions(
            @TempDir Path dir, @InjectClusterClient ClusterClient<?> flink) throws Exception {
        // The trust store password comes through Kafka's file config provider; the SASL password
        // is given as it is, the case that Flink must hide.
        Path secrets = dir.resolve("kafka-secrets.properties");
        Map<String, String> client = kafka.clientProperties(JOB_USER, JOB_PASSWORD);
        Files.writeString(
                secrets, "truststore.password=" + client.get("ssl.truststore.password") + "\n");
        Configuration conf = jobConf(dir.resolve("checkpoints"), JOB_USER, JOB_PASSWORD);
        conf.setString("hivestream.kafka.properties.config.providers", "file");
        conf.setString(
                "hivestream.kafka.properties.config.providers.file.class",
                "org.apache.kafka.common.config.provider.FileConfigProvider");
        conf.setString(
                "hivestream.kafka.properties.ssl.truststore.password",
                "${file:" + secrets + ":truststore.password}");

        int tasks = 20;
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.connection())) {
            AgentEvent agent = Agents.simulated("m-a", List.of("math"), 0.001);
            producer.send(
                            new ProducerRecord<>(
                                    AGENTS,
                                    agent.getAgentId().getBytes(StandardCharsets.UTF_8),
                                    Codecs.AGENT_EVENT.encodeAvro(agent)))
                    .get();
            for (int i = 0; i < tasks; i++) {
                String json =
                        "{\"taskId\":\"sec-"
                                + i
                                + "\",\"kind\":\"math\",\"input\":\""
                                + i
                                + " + 100\"}";
                producer.send(
                                new ProducerRecord<>(
                                        TASKS,
                                        ("sec-" + i).getBytes(StandardCharsets.UTF_8),
                                        json.getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(env, conf, new AgentRuntimes(), Clock.systemUTC(), t -> t);
        JobClient job = env.executeAsync("secured-kafka-it");
        List<String> rest = new ArrayList<>();
        try {
            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> results().size() >= tasks);
            rest.addAll(restViewsOfTheJob(flink, job));
        } finally {
            stop(job);
        }

        Map<String, TaskResult> byId =
                results().stream()
                        .collect(Collectors.toMap(TaskResult::getTaskId, Function.identity()));
        assertThat(byId).hasSize(tasks);
        for (int i = 0; i < tasks; i++) {
            TaskResult result = byId.get("sec-" + i);
            assertThat(result.getStatus()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(result.getOutput()).isEqualTo(Integer.toString(i + 100));
        }
        assertThat(KafkaClients.readAll(kafka.connection(), DLQ, Duration.ofSeconds(30))).isEmpty();

        // Flink's REST API shows nothing of the password: not in the job's configuration, its
        // details, its plan or the cluster's configuration.
        assertThat(rest).hasSize(5);
        for (String view : rest) {
            assertThat(view).doesNotContain(JOB_PASSWORD);
        }
        assertNoSecretLogged();
    }

    @Test
    void aWrongPasswordFailsAtStartNamingTheUserTheBrokerAndThePassword(@TempDir Path dir) {
        Configuration conf = jobConf(dir, JOB_USER, WRONG_PASSWORD);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);

        assertThatThrownBy(
                        () ->
                                HivestreamJob.build(
                                        env, conf, new AgentRuntimes(), Clock.systemUTC(), t -> t))
                .isInstanceOf(KafkaAccessCheck.KafkaAccessException.class)
                .hasMessage(
                        "Kafka authentication failed for user "
                                + JOB_USER
                                + " at "
                                + kafka.bootstrapServers()
                                + " (SCRAM-SHA-512): check the password and the SASL mechanism in"
                                + " sasl.jaas.config");
        assertNoSecretLogged();
    }

    @Test
    void aTopicTheAclsDenyFailsAtStartNamingTheTopic(@TempDir Path dir) {
        Configuration conf = jobConf(dir, NO_DLQ_USER, NO_DLQ_PASSWORD);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);

        assertThatThrownBy(
                        () ->
                                HivestreamJob.build(
                                        env, conf, new AgentRuntimes(), Clock.systemUTC(), t -> t))
                .isInstanceOf(KafkaAccessCheck.KafkaAccessException.class)
                .hasMessage(
                        "the ACLs of Kafka at "
                                + kafka.bootstrapServers()
                                + " deny user "
                                + NO_DLQ_USER
                                + " access to topic(s) "
                                + DLQ
                                + ": grant the job's principal Describe, Read and Write on them");
        assertNoSecretLogged();
    }

    /** The job's settings for a run as {@code user}: fast checkpoints, exactly-once sinks. */
    static Configuration jobConf(Path checkpoints, String user, String password) {
        Configuration conf = new Configuration();
        conf.set(HivestreamOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        kafka.clientProperties(user, password)
                .forEach(
                        (k, v) -> conf.setString(HivestreamOptions.KAFKA_PROPERTIES_PREFIX + k, v));
        conf.set(HivestreamOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(2));
        conf.set(HivestreamOptions.KAFKA_ACCESS_CHECK_TIMEOUT, Duration.ofSeconds(20));
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return JobSettings.apply(conf);
    }

    static List<TaskResult> results() {
        return KafkaClients.readAll(kafka.connection(), RESULTS, Duration.ofSeconds(30)).stream()
                .map(r -> Codecs.TASK_RESULT.decode(r.value()))
                .collect(Collectors.toList());
    }

    /** The job's configuration first, then its details, plan and the cluster's configuration. */
    static List<String> restViewsOfTheJob(ClusterClient<?> flink, JobClient job) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI base = URI.create(flink.getWebInterfaceURL() + "/");
        List<String> views = new ArrayList<>();
        for (String path :
                List.of(
                        "jobs/" + job.getJobID() + "/jobmanager/config",
                        "jobs/" + job.getJobID() + "/config",
                        "jobs/" + job.getJobID(),
                        "jobs/" + job.getJobID() + "/plan",
                        "jobmanager/config")) {
            HttpResponse<String> response =
                    http.send(
                            HttpRequest.newBuilder(base.resolve(path)).build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            views.add(response.body());
        }
        return views;
    }

    /** Neither this JVM's log nor a broker's log holds a password of the test. */
    static void assertNoSecretLogged() {
        String all = String.join("\n", logged);
        assertThat(logged).as("the test captured log lines").isNotEmpty();
        for (String secret : List.of(JOB_PASSWORD, NO_DLQ_PASSWORD, WRONG_PASSWORD)) {
            assertThat(all).as("this JVM's log").doesNotContain(secret);
        }
        for (int i = 0; i < kafka.size(); i++) {
            Path log = kafka.nodeDirectory(i).resolve("broker.log");
            try {
                String broker = Files.readString(log);
                for (String secret : List.of(JOB_PASSWORD, NO_DLQ_PASSWORD, WRONG_PASSWORD)) {
                    assertThat(broker).as(log.toString()).doesNotContain(secret);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /**
     * Sends every event of every logger at INFO and above, Kafka's included, with its stack trace,
     * to {@link #logged}; the console keeps showing warnings only.
     */
    static void captureLogs() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        org.apache.logging.log4j.core.config.Configuration config = context.getConfiguration();
        capture =
                new AbstractAppender("secret-capture", null, null, true, Property.EMPTY_ARRAY) {
                    @Override
                    public void append(LogEvent event) {
                        StringBuilder line =
                                new StringBuilder(event.getLoggerName())
                                        .append(' ')
                                        .append(event.getMessage().getFormattedMessage());
                        if (event.getThrown() != null) {
                            StringWriter trace = new StringWriter();
                            event.getThrown().printStackTrace(new PrintWriter(trace));
                            line.append('\n').append(trace);
                        }
                        logged.add(line.toString());
                    }
                };
        capture.start();
        LoggerConfig root = config.getRootLogger();
        rootLevel = root.getLevel();
        Appender console = root.getAppenders().get("console");
        if (console != null) {
            root.removeAppender("console");
            root.addAppender(console, rootLevel, null);
        }
        root.addAppender(capture, Level.ALL, null);
        root.setLevel(Level.INFO);
        LoggerConfig kafkaLogger = config.getLoggerConfig("org.apache.kafka");
        kafkaLevel = kafkaLogger.getLevel();
        kafkaLogger.setLevel(Level.INFO);
        context.updateLoggers();
    }

    static void releaseLogs() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        org.apache.logging.log4j.core.config.Configuration config = context.getConfiguration();
        LoggerConfig root = config.getRootLogger();
        root.removeAppender("secret-capture");
        root.setLevel(rootLevel);
        config.getLoggerConfig("org.apache.kafka").setLevel(kafkaLevel);
        context.updateLoggers();
        capture.stop();
    }
}
