package io.hivestream.jobs.cli;

import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.kafka.KafkaConnection;
import io.hivestream.connectors.kafka.LocalKafkaCluster;
import io.hivestream.jobs.HivestreamJob;
import io.hivestream.jobs.HivestreamOptions;
import io.hivestream.jobs.JobSettings;
import io.hivestream.jobs.console.Console;
import io.hivestream.jobs.console.ConsoleState;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.SubtaskResult;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.codec.Codecs;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Everything on one machine: a local broker, a local Flink with its web UI, demo agents and tasks.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Runs Hivestream on this machine with simulated agents and prints each result as it comes.",
            "Starts a local Kafka broker (KRaft) and a Flink local cluster with its web UI, runs the",
            "job on them with RocksDB state and checkpoints, registers simulated demo agents and",
            "publishes sample tasks. Ctrl-C stops everything."
        })
final class DemoCommand implements Callable<Integer> {
    static final List<String> TOPICS =
            List.of(
                    "hivestream.tasks",
                    "hivestream.results",
                    "hivestream.agents",
                    "hivestream.metrics",
                    "hivestream.dlq",
                    "hivestream.tenants",
                    "hivestream.calls",
                    "hivestream.routing-examples",
                    "hivestream.models");

    /** How long the call journal keeps an outcome: longer than any recovery. */
    static final String CALLS_RETENTION_MS = Long.toString(7 * 24 * 3600 * 1000L);

    /** The registries: one partition, compacted. */
    static boolean compacted(String topic) {
        return topic.equals("hivestream.agents")
                || topic.equals("hivestream.tenants")
                || topic.equals("hivestream.models");
    }

    /** Partitions of {@code topic} when the others have {@code partitions}. */
    static int partitions(String topic, int partitions) {
        return compacted(topic) || topic.equals("hivestream.dlq") ? 1 : partitions;
    }

    /**
     * The topic-level configs of {@code topic}: the registries compacted; the call journal
     * compacted by call id and deleted after {@link #CALLS_RETENTION_MS}, so that its size is
     * bounded by the calls of a week.
     */
    static Map<String, String> configs(String topic) {
        if (compacted(topic)) {
            return Map.of("cleanup.policy", "compact");
        }
        if (topic.equals("hivestream.calls")) {
            return Map.of("cleanup.policy", "compact,delete", "retention.ms", CALLS_RETENTION_MS);
        }
        return Map.of();
    }

    @Option(
            names = "--tasks",
            defaultValue = "24",
            description =
                    "Sample tasks to publish; 0 publishes none and keeps running for tasks others submit (default: ${DEFAULT-VALUE}).")
    int tasks;

    @Option(
            names = "--exit-when-done",
            description =
                    "Exit 0 once every sample task has its result; non-zero, naming what is missing, after --timeout.")
    boolean exitWhenDone;

    @Option(
            names = "--timeout",
            defaultValue = "300",
            description =
                    "Seconds --exit-when-done waits for the results (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(
            names = "--web-port",
            defaultValue = "8081",
            description =
                    "Port of the Flink web UI; another free port is taken if it is busy (default: ${DEFAULT-VALUE}).")
    int webPort;

    @Option(
            names = "--console-port",
            defaultValue = "8090",
            description =
                    "Port of the live console; 0 or a busy port takes a free one, --no-console turns it off (default: ${DEFAULT-VALUE}).")
    int consolePort;

    @Option(names = "--no-console", description = "Do not serve the live console.")
    boolean noConsole;

    private Console console;

    @Option(
            names = "--dir",
            defaultValue = ".hivestream/demo",
            description =
                    "Working directory for broker data, checkpoints and logs (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "2",
            description =
                    "Seconds between checkpoints; results become visible when a checkpoint completes (default: ${DEFAULT-VALUE}).")
    long checkpointSeconds;

    @Option(
            names = "--wait",
            defaultValue = "120",
            description =
                    "Seconds to wait for an earlier demo that uses the same --dir to stop (default: ${DEFAULT-VALUE}).")
    long waitSeconds;

    @Override
    public Integer call() throws Exception {
        if (tasks < 0) {
            throw new IllegalArgumentException("--tasks must be 0 or more.");
        }
        long started = System.nanoTime();
        Path work = dir.toAbsolutePath();
        // Held until this demo's broker has stopped, so that a second demo in the same folder
        // waits for it instead of deleting the files under a broker still shutting down.
        DemoLock lock = DemoLock.acquire(work, Duration.ofSeconds(waitSeconds), System.out);
        CountDownLatch stop = new CountDownLatch(1);
        try {
            return run(work, started, lock, stop);
        } finally {
            if (stop.getCount() > 0) {
                // Nothing was started, or starting failed before the stop path took over.
                lock.close();
            }
        }
    }

    private int run(Path work, long started, DemoLock lock, CountDownLatch stop) throws Exception {
        try {
            deleteRecursively(work);
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot clear the demo folder "
                            + work
                            + " ("
                            + e
                            + "); check that no other program uses it, or give the demo another"
                            + " --dir.",
                    e);
        }
        LocalKafkaCluster.Builder kafkaBuilder =
                LocalKafkaCluster.builder().directory(work.resolve("kafka"));
        for (String topic : TOPICS) {
            kafkaBuilder = kafkaBuilder.topic(topic, partitions(topic, 4), configs(topic));
        }
        System.out.println("starting a local Kafka broker ...");
        LocalKafkaCluster kafka = kafkaBuilder.start();
        String bootstrap = kafka.bootstrapServers();
        System.out.println("bootstrap: " + bootstrap);

        int port = freePort(webPort);
        Configuration conf = new Configuration();
        conf.set(HivestreamOptions.BOOTSTRAP_SERVERS, bootstrap);
        conf.set(RestOptions.PORT, port);
        // Flink's Prometheus reporter, as deploy/local runs it (docs/operations.md).
        int metricsPort = freePort(9249);
        conf.setString(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.setString("metrics.reporter.prom.port", Integer.toString(metricsPort));
        conf.set(
                CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(checkpointSeconds));
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                work.resolve("checkpoints").toUri().toString());
        conf.set(HivestreamOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(5));
        // The demo registers a planner agent: plans wait for it rather than for a template,
        // even when they reach the job before its registration does.
        conf.set(HivestreamOptions.PLAN_PLANNER, "agent");
        // A model published with ./hivestream models publish reaches the running demo.
        conf.set(HivestreamOptions.LIVE_MODELS, true);
        Configuration settings = JobSettings.apply(conf);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(settings);
        env.setParallelism(2);
        JobClient job = HivestreamJob.start(env, settings);
        System.out.println("web ui: http://localhost:" + port);
        System.out.println("prometheus metrics: http://localhost:" + metricsPort + "/metrics");
        if (!noConsole) {
            console =
                    Console.start(
                            KafkaConnection.of(bootstrap),
                            Console.DEFAULT_TOPICS,
                            Console.DEFAULT_BACKLOG,
                            "127.0.0.1",
                            freePort(consolePort),
                            ConsoleState.Limits.defaults());
            System.out.println("console: " + console.url());
        }

        Thread shutdown =
                new Thread(() -> stopAll(job, kafka, stop, lock), "hivestream-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);

        List<AgentEvent> agents = DemoData.agents();
        List<Task> sample = DemoData.tasks(tasks);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap)) {
            for (AgentEvent agent : agents) {
                producer.send(
                                new ProducerRecord<>(
                                        "hivestream.agents",
                                        bytes(agent.getAgentId()),
                                        Codecs.AGENT_EVENT.encodeAvro(agent)))
                        .get();
            }
            System.out.println(
                    "registered "
                            + agents.size()
                            + " simulated agents: "
                            + agents.stream()
                                    .map(AgentEvent::getAgentId)
                                    .collect(Collectors.joining(", ")));
            for (Task task : sample) {
                producer.send(
                                new ProducerRecord<>(
                                        "hivestream.tasks",
                                        bytes(task.getTaskId()),
                                        Codecs.TASK.encodeJson(task)))
                        .get();
            }
        }
        System.out.println(
                "published "
                        + sample.size()
                        + " sample tasks; submit more with: ./hivestream submit --bootstrap "
                        + bootstrap
                        + " tasks.jsonl");
        System.out.println(
                "results (visible when a checkpoint commits them, every "
                        + checkpointSeconds
                        + " s):");

        Set<String> waiting = new LinkedHashSet<>(sample.stream().map(Task::getTaskId).toList());
        Map<TaskStatus, Integer> byStatus = new EnumMap<>(TaskStatus.class);
        // A plan's subtask results may sit in other partitions than its root's, committed in the
        // same transaction: when it exits, the demo waits for those its roots list as well.
        Set<String> subtasksShown = new HashSet<>();
        Set<String> subtasksMissing = new HashSet<>();
        int[] received = {0};
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        KafkaClients.follow(
                bootstrap,
                "hivestream.results",
                false,
                record -> {
                    TaskResult result = Codecs.TASK_RESULT.decode(record.value());
                    if (result.getParentId() != null) {
                        // A plan's subtask: shown under the hive at work, counted with its root.
                        System.out.println("  ↳ " + ResultLines.line(result));
                        subtasksShown.add(result.getTaskId());
                        subtasksMissing.remove(result.getTaskId());
                        return;
                    }
                    result.getSubtasks().stream()
                            .map(SubtaskResult::getTaskId)
                            .filter(id -> !subtasksShown.contains(id))
                            .forEach(subtasksMissing::add);
                    received[0]++;
                    waiting.remove(result.getTaskId());
                    byStatus.merge(result.getStatus(), 1, Integer::sum);
                    System.out.println(ResultLines.line(result));
                    if (received[0] == 1) {
                        System.out.printf(
                                "first result after %.1f s%n", (System.nanoTime() - started) / 1e9);
                    }
                    if (received[0] % 8 == 0 || (!sample.isEmpty() && waiting.isEmpty())) {
                        System.out.println(progress(received[0], sample.size(), byStatus, started));
                    }
                },
                () ->
                        stop.getCount() == 0
                                || (exitWhenDone
                                        && ((waiting.isEmpty() && subtasksMissing.isEmpty())
                                                || System.nanoTime() > deadline)));
        if (!exitWhenDone) {
            stop.await();
            return 0;
        }
        int code = waiting.isEmpty() ? 0 : 2;
        if (!waiting.isEmpty()) {
            System.err.println(
                    "missing results after "
                            + timeoutSeconds
                            + " s for "
                            + waiting.size()
                            + " task(s): "
                            + String.join(", ", waiting));
        } else {
            System.out.println("all " + sample.size() + " sample tasks have their result");
        }
        Runtime.getRuntime().removeShutdownHook(shutdown);
        stopAll(job, kafka, stop, lock);
        return code;
    }

    private static String progress(
            int received, int expected, Map<TaskStatus, Integer> byStatus, long started) {
        String statuses =
                byStatus.entrySet().stream()
                        .map(e -> e.getKey().name().toLowerCase() + " " + e.getValue())
                        .collect(Collectors.joining(", "));
        return String.format(
                "progress: %d/%d results (%s) after %.1f s",
                received, expected, statuses, (System.nanoTime() - started) / 1e9);
    }

    private void stopAll(
            JobClient job, LocalKafkaCluster kafka, CountDownLatch stop, DemoLock lock) {
        if (stop.getCount() == 0) {
            return;
        }
        stop.countDown();
        System.out.println("stopping ...");
        try {
            job.cancel().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("could not cancel the job cleanly: " + e.getMessage());
        }
        if (console != null) {
            console.close();
        }
        kafka.close();
        lock.close();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static int freePort(int preferred) throws IOException {
        try (ServerSocket socket = new ServerSocket(preferred)) {
            return socket.getLocalPort();
        } catch (IOException busy) {
            try (ServerSocket socket = new ServerSocket(0)) {
                return socket.getLocalPort();
            }
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
