package io.hivestream.loadtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.loopback.ChatCompletionsServer;
import io.hivestream.jobs.cli.HivestreamCli;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.Tier;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A soak with failures on the local multi-process cluster (deploy/local): the job runs from its jar
 * on a Flink session cluster with two JobManagers (ZooKeeper high availability) against three Kafka
 * nodes and an OpenAI-compatible provider on loopback, while tasks flow and processes die: the
 * leading JobManager is killed with SIGKILL after a completed checkpoint (the standby takes the job
 * over from its latest checkpoint; the killed one comes back as the new standby), the TaskManager
 * running the job is killed with SIGKILL after each of several completed checkpoints (and
 * replaced), one Kafka node is killed and restarted, and the TaskManager running the job is frozen
 * with SIGSTOP, then resumed. Every tenth task is a turn of a session of {@value #TURNS} turns,
 * spread over the whole run and answered by a simulated agent that shows how many earlier turns it
 * was given. At the end every task must have exactly one result for read_committed consumers, and
 * every turn must have seen its session's earlier turns. The last two lines printed are {@code
 * sessions=S turns=T memory_broken=0} and {@code tasks=N results=N lost=0 duplicates=0 restarts=K
 * provider_calls=M}.
 */
public final class Soak {
    /** Turns of each session. */
    public static final int TURNS = 4;

    /** Every this many tasks one is a session's turn. */
    public static final int SESSION_EVERY = 10;

    /** What a soak run found. */
    public record Outcome(
            int tasks,
            int results,
            int lost,
            int duplicates,
            long restarts,
            int providerCalls,
            List<String> faults,
            int sessions,
            int turns,
            int memoryBroken,
            Map<String, Integer> statuses) {
        /** The line about session memory, printed before the final line. */
        public String memoryLine() {
            return "sessions=" + sessions + " turns=" + turns + " memory_broken=" + memoryBroken;
        }

        /** Results per status, e.g. {@code statuses: COMPLETED=2000}. */
        public String statusLine() {
            StringBuilder line = new StringBuilder("statuses:");
            new java.util.TreeMap<>(statuses)
                    .forEach(
                            (status, count) ->
                                    line.append(' ').append(status).append('=').append(count));
            return line.toString();
        }

        @Override
        public String toString() {
            return "tasks="
                    + tasks
                    + " results="
                    + results
                    + " lost="
                    + lost
                    + " duplicates="
                    + duplicates
                    + " restarts="
                    + restarts
                    + " provider_calls="
                    + providerCalls;
        }
    }

    /** How a soak runs. */
    public record Plan(
            int tasks,
            int ratePerSecond,
            boolean killJobManager,
            int taskManagerKills,
            boolean killBroker,
            Duration freeze,
            Duration timeout) {}

    /** JobManagers of the soak's cluster: one leads, one stands by. */
    static final int JOB_MANAGERS = 2;

    private final Path root;
    private final Path conf;
    private final Path work;
    private final int restPort;
    private final long began = System.nanoTime();

    public Soak(Path root, Path conf, Path work, int restPort) {
        this.root = root;
        this.conf = conf;
        this.work = work;
        this.restPort = restPort;
    }

    public static void main(String[] argv) throws Exception {
        // --changelog: the cluster keeps the job's state with the changelog state backend.
        boolean changelog = List.of(argv).contains("--changelog");
        String[] args =
                Stream.of(argv).filter(arg -> !arg.equals("--changelog")).toArray(String[]::new);
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Path root =
                Path.of(System.getProperty("hivestream.home", ".")).toAbsolutePath().normalize();
        Path work = Files.createDirectories(root.resolve(".hivestream/soak"));
        // A fresh cluster every run: an earlier run's topics would count its results in this one.
        deleteTree(work.resolve("cluster"));
        Files.deleteIfExists(work.resolve("scripts.log"));
        Path conf = work.resolve("cluster.conf");
        Files.writeString(
                conf,
                clusterConf(work.resolve("cluster"), 18091, 16133, 29102, 29202, 12182, 2)
                        + (changelog ? "CHANGELOG=true\n" : ""));
        Soak soak = new Soak(root, conf, work, 18091);
        Outcome outcome =
                soak.run(
                        new Plan(
                                tasks,
                                rate,
                                true,
                                3,
                                true,
                                Duration.ofSeconds(30),
                                Duration.ofMinutes(30)));
        for (String fault : outcome.faults()) {
            System.out.println("fault: " + fault);
        }
        System.out.println(outcome.statusLine());
        System.out.println(outcome.memoryLine());
        System.out.println(outcome);
        System.exit(
                outcome.lost() == 0 && outcome.duplicates() == 0 && outcome.memoryBroken() == 0
                        ? 0
                        : 1);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** A cluster.conf for deploy/local with its own ports and directory. */
    public static String clusterConf(
            Path dir,
            int rest,
            int rpc,
            int kafkaBase,
            int controllerBase,
            int zooKeeper,
            int taskManagers) {
        return String.join(
                "\n",
                "CLUSTER_DIR=" + dir,
                "JOBMANAGERS=" + JOB_MANAGERS,
                "ZOOKEEPER_PORT=" + zooKeeper,
                "FLINK_REST_PORT=" + rest,
                "FLINK_RPC_PORT=" + rpc,
                "TASKMANAGERS=" + taskManagers,
                "TASK_SLOTS=2",
                "TASKMANAGER_MEMORY=1600m",
                "JOBMANAGER_MEMORY=1024m",
                "CHECKPOINT_INTERVAL=2s",
                "KAFKA_BROKERS=3",
                "KAFKA_BASE_PORT=" + kafkaBase,
                "KAFKA_CONTROLLER_BASE_PORT=" + controllerBase,
                "KAFKA_HEAP=384m",
                "KAFKA_REPLICATION_FACTOR=3",
                "KAFKA_MIN_INSYNC_REPLICAS=2",
                "");
    }

    public Outcome run(Plan plan) throws Exception {
        script("start-all.sh");
        log("cluster started");
        try (ChatCompletionsServer provider =
                new ChatCompletionsServer(user -> "done: " + user, user -> 50)) {
            String bootstrap = Files.readString(clusterDir().resolve("bootstrap")).strip();
            deploy(bootstrap);
            register(bootstrap, provider.baseUrl());
            log("job deployed, agents registered");
            List<String> faults;
            try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap)) {
                faults = publishWithFaults(producer, plan);
            }
            log("every task published");
            Instant deadline = Instant.now().plus(plan.timeout());
            Map<String, List<String>> outputs = new HashMap<>();
            Map<String, Integer> statuses = new HashMap<>();
            while (Instant.now().isBefore(deadline)) {
                outputs = resultOutputs(bootstrap, statuses);
                if (outputs.size() >= plan.tasks()) {
                    break;
                }
                TimeUnit.SECONDS.sleep(2);
            }
            log(outputs.size() + " tasks have a result");
            // One more checkpoint after the last result: anything replayed would be visible now.
            waitForCheckpoints(2);
            statuses.clear();
            outputs = resultOutputs(bootstrap, statuses);
            int duplicates = outputs.values().stream().mapToInt(o -> o.size() - 1).sum();
            int results = outputs.values().stream().mapToInt(List::size).sum();
            int turns = 0;
            int memoryBroken = 0;
            for (int i = 0; i < plan.tasks(); i++) {
                int turn = turnOf(i, plan.tasks());
                if (turn == 0) {
                    continue;
                }
                turns++;
                List<String> answers = outputs.getOrDefault("soak-" + i, List.of());
                if (answers.isEmpty()
                        || answers.stream().anyMatch(o -> !o.startsWith("[turn " + turn + "] "))) {
                    memoryBroken++;
                }
            }
            long restarts = restarts(plan.taskManagerKills());
            log("results and restarts read");
            return new Outcome(
                    plan.tasks(),
                    results,
                    plan.tasks() - outputs.size(),
                    duplicates,
                    restarts,
                    provider.total(),
                    faults,
                    sessions(plan.tasks()),
                    turns,
                    memoryBroken,
                    statuses);
        } finally {
            script("stop-all.sh");
            log("cluster stopped");
        }
    }

    /** Prints a step of the soak with the seconds since it began, to show where its time goes. */
    private void log(String step) {
        System.out.printf(
                Locale.ROOT, "[soak %6.1f s] %s%n", (System.nanoTime() - began) / 1e9, step);
    }

    /** Publishes the tasks and injects the faults; returns the faults injected, in order. */
    private List<String> publishWithFaults(KafkaProducer<byte[], byte[]> producer, Plan plan)
            throws Exception {
        List<String> faults = new ArrayList<>();
        boolean jobManagerKilled = false;
        int kills = 0;
        boolean brokerKilled = false;
        boolean frozen = false;
        long checkpointsAtKill = completedCheckpoints();
        long start = System.nanoTime();
        for (int i = 0; i < plan.tasks(); i++) {
            String key = "soak-" + i;
            String json = "{\"taskId\":\"soak-" + i + "\",\"input\":\"task " + i + "\"}";
            if (turnOf(i, plan.tasks()) > 0) {
                // A session's turns share a key, hence a partition: they are read in order.
                key = "session-" + sessionOf(i, plan.tasks());
                json =
                        "{\"taskId\":\"soak-"
                                + i
                                + "\",\"kind\":\"recall\",\"sessionId\":\""
                                + key
                                + "\",\"input\":\"turn "
                                + turnOf(i, plan.tasks())
                                + " of "
                                + key
                                + "\"}";
            }
            producer.send(
                    new ProducerRecord<>(
                            "hivestream.tasks",
                            key.getBytes(StandardCharsets.UTF_8),
                            json.getBytes(StandardCharsets.UTF_8)));
            long due = start + TimeUnit.SECONDS.toNanos(1) * (i + 1) / plan.ratePerSecond();
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            double progress = (double) i / plan.tasks();
            // The pace resumes after a fault where it stopped: catching up at once would publish
            // the rest of the tasks before the next checkpoint, and leave the later faults out.
            long faultsStarted = System.nanoTime();
            if (plan.killJobManager()
                    && !jobManagerKilled
                    && progress >= 0.1
                    && completedCheckpoints() > checkpointsAtKill) {
                faults.add(killLeadingJobManager());
                log(faults.get(faults.size() - 1));
                checkpointsAtKill = waitForCheckpoints(1);
                jobManagerKilled = true;
            }
            // The JobManager's kill comes first, so that the new leader's numRestarts counts the
            // TaskManager kills.
            if (kills < plan.taskManagerKills()
                    && (jobManagerKilled || !plan.killJobManager())
                    && progress >= 0.15 * (kills + 1)
                    && completedCheckpoints() > checkpointsAtKill) {
                faults.add(killBusyTaskManager());
                checkpointsAtKill = completedCheckpoints();
                kills++;
            }
            if (plan.killBroker() && !brokerKilled && progress >= 0.6) {
                script("kill-kafka.sh", "1");
                TimeUnit.SECONDS.sleep(5);
                script("start-kafka.sh");
                brokerKilled = true;
                faults.add("kill -9 kafka-1");
                log("kill -9 kafka-1, restarted");
            }
            if (!plan.freeze().isZero() && !frozen && progress >= 0.8) {
                int busy = busyTaskManager();
                Path pid = clusterDir().resolve("taskmanager-" + busy + "/pid");
                signal(pid, "STOP");
                TimeUnit.MILLISECONDS.sleep(plan.freeze().toMillis());
                signal(pid, "CONT");
                frozen = true;
                log("taskmanager-" + busy + " resumed");
                faults.add(
                        "SIGSTOP taskmanager-" + busy + " for " + plan.freeze().toSeconds() + " s");
            }
            start += System.nanoTime() - faultsStarted;
        }
        // A slow recovery can leave no checkpoint completed between a TaskManager kill's threshold
        // and the last task: the kills still due come now, each after a completed checkpoint, while
        // the job works off what it was sent.
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        while (kills < plan.taskManagerKills() && Instant.now().isBefore(deadline)) {
            if (completedCheckpoints() > checkpointsAtKill) {
                faults.add(killBusyTaskManager());
                checkpointsAtKill = completedCheckpoints();
                kills++;
            } else {
                TimeUnit.MILLISECONDS.sleep(500);
            }
        }
        producer.flush();
        return faults;
    }

    /**
     * Kills the TaskManager running the job (killing an idle one would fail nothing over), starts a
     * replacement, and waits for a checkpoint completed after it; returns the fault as reported.
     */
    private String killBusyTaskManager() throws Exception {
        int busy = busyTaskManager();
        long checkpoint = completedCheckpoints();
        script("kill-taskmanager.sh", Integer.toString(busy));
        script("start-taskmanager.sh", Integer.toString(busy));
        log("kill -9 taskmanager-" + busy + ", replaced");
        waitForCheckpoints(1);
        log("a checkpoint completed after it");
        return "kill -9 taskmanager-" + busy + " after checkpoint " + checkpoint;
    }

    /**
     * Kills the leading JobManager after a completed checkpoint, starts a replacement (the new
     * standby), and waits until the other one has restored the job; returns what happened, e.g.
     * {@code kill -9 jobmanager-0 (leader) after checkpoint 7; jobmanager-1 restored checkpoint 7}.
     */
    private String killLeadingJobManager() throws Exception {
        long checkpoint = latestCheckpoint();
        int leader = leadingJobManager();
        script("kill-jobmanager.sh", Integer.toString(leader));
        // Another one leads once ZooKeeper has expired the dead one's session; the replacement
        // starts after that, so it stands by.
        int next = leadingJobManager();
        script("start-jobmanager.sh", Integer.toString(leader));
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        long restored;
        while ((restored = restoredCheckpoint()) < 0) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(
                        "jobmanager-" + next + " restored no checkpoint within five minutes");
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        return "kill -9 jobmanager-"
                + leader
                + " (leader) after checkpoint "
                + checkpoint
                + "; jobmanager-"
                + next
                + " restored checkpoint "
                + restored;
    }

    /** The JobManager that leads, as ZooKeeper records it. */
    private int leadingJobManager() throws IOException, InterruptedException {
        return Integer.parseInt(script("leading-jobmanager.sh").strip());
    }

    /** The id of the job's latest completed checkpoint, or -1. */
    private long latestCheckpoint() throws InterruptedException {
        return latestCheckpointId("completed");
    }

    /**
     * The id of the checkpoint the job's current JobManager restored it from, or -1 while it has
     * restored none.
     */
    private long restoredCheckpoint() throws InterruptedException {
        return latestCheckpointId("restored");
    }

    /**
     * The id of the job's latest checkpoint of a kind ({@code completed}, {@code restored}), or -1
     * when there is none or no JobManager answers, as while the standby takes over.
     */
    private long latestCheckpointId(String kind) throws InterruptedException {
        try {
            return new ObjectMapper()
                    .readTree(rest("/jobs/" + jobId() + "/checkpoints"))
                    .path("latest")
                    .path(kind)
                    .path("id")
                    .asLong(-1);
        } catch (IOException | IllegalStateException e) {
            return -1;
        }
    }

    private Path clusterDir() throws IOException {
        for (String line : Files.readAllLines(conf)) {
            if (line.startsWith("CLUSTER_DIR=")) {
                return Path.of(line.substring("CLUSTER_DIR=".length()));
            }
        }
        throw new IllegalStateException(conf + " sets no CLUSTER_DIR");
    }

    private void deploy(String bootstrap) throws IOException {
        Path properties = work.resolve("job.properties");
        Files.writeString(
                properties,
                "hivestream.kafka.bootstrap-servers="
                        + bootstrap
                        + "\nhivestream.kafka.transaction-timeout=10 min\n");
        Path jar;
        try (var files = Files.list(root.resolve("jobs/target"))) {
            jar =
                    files.filter(p -> p.getFileName().toString().endsWith("-job.jar"))
                            .findFirst()
                            .orElseThrow(
                                    () -> new IllegalStateException("build the job jar first"));
        }
        int code =
                HivestreamCli.commandLine()
                        .execute(
                                "deploy",
                                "--rest",
                                "http://localhost:" + restPort,
                                "--config",
                                properties.toString(),
                                "--jar",
                                jar.toString());
        if (code != 0) {
            throw new IllegalStateException("deploy failed");
        }
    }

    /** Sessions of a run of {@code tasks} tasks. */
    static int sessions(int tasks) {
        int sessionTasks = (tasks + SESSION_EVERY - 1) / SESSION_EVERY;
        return (sessionTasks + TURNS - 1) / TURNS;
    }

    /**
     * The turn (1-based) that task {@code i} is of its session, or 0 for a task without one. The
     * j-th session task is turn j / S + 1 of session j % S, so that each session's turns are spread
     * over the whole run, across the failures.
     */
    static int turnOf(int i, int tasks) {
        return i % SESSION_EVERY == 0 ? i / SESSION_EVERY / sessions(tasks) + 1 : 0;
    }

    static int sessionOf(int i, int tasks) {
        return i / SESSION_EVERY % sessions(tasks);
    }

    private static void register(String bootstrap, String baseUrl) throws Exception {
        AgentEvent agent =
                AgentEvent.newBuilder()
                        .setAgentId("loopback-llm")
                        .setRuntime("openai")
                        .setBaseUrl(baseUrl)
                        .setModel("loopback-model")
                        .setCapabilities(List.of("chat"))
                        .setTier(Tier.CLOUD)
                        // As long as the freeze: the calls in flight while their TaskManager is
                        // stopped time out when it resumes. The execute stage sees that the JVM
                        // was paused, does not count those timeouts against the agent, and makes
                        // the calls again.
                        .setTimeoutMs(30_000)
                        .build();
        // Session turns: a simulated agent that prefixes its answer with "[turn N]", N being one
        // more than the earlier turns of the session it was given.
        AgentEvent memory =
                AgentEvent.newBuilder()
                        .setAgentId("memory-sim")
                        .setRuntime("simulated")
                        .setCapabilities(List.of("recall"))
                        .setTier(Tier.EDGE)
                        .setParams(Map.of("latencyMs", "20", "memory", "true"))
                        .build();
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap)) {
            for (AgentEvent event : List.of(agent, memory)) {
                producer.send(
                                new ProducerRecord<>(
                                        "hivestream.agents",
                                        event.getAgentId().getBytes(StandardCharsets.UTF_8),
                                        Codecs.AGENT_EVENT.encodeAvro(event)))
                        .get();
            }
        }
    }

    /**
     * Each task id's outputs, one per result (a FAILED result's output is its error); counts the
     * results per status into {@code statuses}.
     */
    private static Map<String, List<String>> resultOutputs(
            String bootstrap, Map<String, Integer> statuses) {
        Map<String, List<String>> outputs = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record :
                KafkaClients.readAll(bootstrap, "hivestream.results", Duration.ofMinutes(2))) {
            TaskResult result = Codecs.TASK_RESULT.decode(record.value());
            String output =
                    result.getOutput() != null
                            ? result.getOutput()
                            : result.getStatus() + ": " + result.getError();
            outputs.computeIfAbsent(result.getTaskId(), id -> new ArrayList<>()).add(output);
            statuses.merge(result.getStatus().name(), 1, Integer::sum);
        }
        return outputs;
    }

    private static void signal(Path pidFile, String signal)
            throws IOException, InterruptedException {
        String pid = Files.readString(pidFile).strip();
        Process kill = new ProcessBuilder("kill", "-" + signal, pid).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
        }
    }

    /** Runs a deploy/local script; returns its standard output, also kept in scripts.log. */
    private String script(String name, String... args) throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(List.of("bash", root.resolve("deploy/local/" + name).toString()));
        command.addAll(List.of(args));
        Path output = Files.createTempFile(work, "script", ".out");
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectError(
                                ProcessBuilder.Redirect.appendTo(
                                        work.resolve("scripts.log").toFile()))
                        .redirectOutput(output.toFile());
        builder.environment().put("HIVESTREAM_CLUSTER_CONF", conf.toString());
        Process process = builder.start();
        boolean ended = process.waitFor(5, TimeUnit.MINUTES);
        String printed = Files.readString(output);
        Files.delete(output);
        Files.writeString(
                work.resolve("scripts.log"),
                printed,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        if (!ended || process.exitValue() != 0) {
            throw new IllegalStateException(name + " failed; see " + work.resolve("scripts.log"));
        }
        return printed;
    }

    /**
     * A GET of Flink's REST API from the first JobManager that answers: any of them serves it, the
     * standby by asking the leader, and one of them may be dead.
     */
    private String rest(String path) throws IOException, InterruptedException {
        IOException failed = null;
        for (int n = 0; n < JOB_MANAGERS; n++) {
            try {
                return HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://localhost:"
                                                                + (restPort + n)
                                                                + path))
                                        .timeout(Duration.ofSeconds(10))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
            } catch (IOException e) {
                failed = e;
            }
        }
        throw failed;
    }

    private String jobId() throws IOException, InterruptedException {
        Matcher id = Pattern.compile("\"id\":\"([0-9a-f]{32})\"").matcher(rest("/jobs"));
        if (!id.find()) {
            throw new IllegalStateException("no job on the cluster");
        }
        return id.group(1);
    }

    long completedCheckpoints() throws IOException, InterruptedException {
        Matcher completed =
                Pattern.compile("\"completed\":(\\d+)")
                        .matcher(rest("/jobs/" + jobId() + "/checkpoints"));
        return completed.find() ? Long.parseLong(completed.group(1)) : 0;
    }

    private long waitForCheckpoints(int more) throws IOException, InterruptedException {
        long target = completedCheckpoints() + more;
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        long now;
        while ((now = completedCheckpoints()) < target && Instant.now().isBefore(deadline)) {
            TimeUnit.MILLISECONDS.sleep(500);
        }
        return now;
    }

    /**
     * The index N of a TaskManager (resource id {@code taskmanager-N}, as start-taskmanager.sh
     * names them) that runs subtasks of the job. A job that is restarting (after a broker's kill,
     * say) runs on none for a while: this waits up to five minutes for one.
     */
    private int busyTaskManager() throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        while (true) {
            OptionalInt busy = runningTaskManager();
            if (busy.isPresent()) {
                return busy.getAsInt();
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(
                        "no TaskManager has run the job " + jobId() + " for five minutes");
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
    }

    private OptionalInt runningTaskManager() throws IOException, InterruptedException {
        ObjectMapper json = new ObjectMapper();
        String job = jobId();
        for (JsonNode vertex : json.readTree(rest("/jobs/" + job)).path("vertices")) {
            JsonNode taskManagers =
                    json.readTree(
                                    rest(
                                            "/jobs/"
                                                    + job
                                                    + "/vertices/"
                                                    + vertex.path("id").asText()
                                                    + "/taskmanagers"))
                            .path("taskmanagers");
            for (JsonNode taskManager : taskManagers) {
                String id = taskManager.path("taskmanager-id").asText();
                if (taskManager.path("status").asText().equals("RUNNING")
                        && id.matches("taskmanager-\\d+")) {
                    return OptionalInt.of(Integer.parseInt(id.substring("taskmanager-".length())));
                }
            }
        }
        return OptionalInt.empty();
    }

    /**
     * Restarts of the job: its {@code numRestarts} metric, which counts every restart of the job's
     * tasks (a failover of a region or of the whole job, and a restart attempt that failed). The
     * REST server caches metrics for {@code metrics.fetcher.update-interval} (10 s), so an answer
     * may be stale: this asks until the count reaches {@code expected} or the interval has passed
     * since the first request, and returns the last count.
     */
    private long restarts(long expected) throws IOException, InterruptedException {
        String path = "/jobs/" + jobId() + "/metrics?get=numRestarts";
        Instant fresh = Instant.now().plusSeconds(11);
        while (true) {
            JsonNode metrics = new ObjectMapper().readTree(rest(path));
            boolean past = Instant.now().isAfter(fresh);
            if (metrics.size() == 1) {
                long restarts = Long.parseLong(metrics.get(0).path("value").asText());
                if (restarts >= expected || past) {
                    return restarts;
                }
            } else if (past) {
                throw new IllegalStateException("no numRestarts metric: " + metrics);
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
    }
}
