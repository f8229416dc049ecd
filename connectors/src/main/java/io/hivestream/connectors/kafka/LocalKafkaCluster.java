package io.hivestream.connectors.kafka;

import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka cluster on the loopback interface, for the demo and the tests.
 *
 * <p>Each node is a combined KRaft broker and controller running {@code kafka.Kafka} in a child
 * JVM. The child JVMs reuse this JVM's class path, which therefore must hold {@code
 * org.apache.kafka:kafka_2.13} (with log4j-core, so that broker logs reach {@code broker.log}).
 * Node {@code i} has {@code node.id = i} and its own directory {@code node-i} holding {@code
 * server.properties}, {@code log4j2.properties}, {@code broker.log}, {@code console.log} (the
 * child's stdout and stderr) and the data in {@code data/}.
 *
 * <p>Lifecycle: {@link Builder#start()} picks free ports, formats the storage of every node,
 * launches the nodes, waits until all of them serve requests and are members of the cluster, and
 * creates the requested topics. The cluster owns its child processes and, when the builder was
 * given no directory, its temporary directory. {@link #close()} stops the processes and deletes
 * that temporary directory. Until then, nodes may be killed, stopped and restarted for fault tests.
 * A JVM shutdown hook, removed by {@code close()}, stops the children if the JVM exits without
 * closing the cluster; nothing can stop them if this JVM itself is killed with {@code SIGKILL}.
 *
 * <p>Node operations are synchronized with each other; {@code close()} may be called from any
 * thread.
 */
public final class LocalKafkaCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafkaCluster.class);

    private static final String HOST = "127.0.0.1";
    private static final String BROKER_MAIN_CLASS = "kafka.Kafka";
    private static final String STORAGE_TOOL_MAIN_CLASS = "kafka.tools.StorageTool";
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration QUORUM_LOSS_GRACE = Duration.ofSeconds(2);
    private static final Pattern BIND_FAILURE = Pattern.compile("failed to bind to (\\S+?):? ");
    private static final int LOG_TAIL_LINES = 40;
    private static final int LOG_ERROR_LINES = 15;
    private static final int LOG_MAX_BYTES = 4 * 1024 * 1024;

    private final Path directory;
    private final boolean ownsDirectory;
    private final List<KafkaNode> nodes;
    private final int heapMb;
    private final List<String> jvmOptions;
    private final Map<String, String> brokerProperties;
    private final Duration startupTimeout;
    private final String classPath;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final boolean secured;
    private LocalKafkaSecurity security;
    private Admin admin;

    private LocalKafkaCluster(
            Builder builder,
            Path directory,
            boolean ownsDirectory,
            List<Integer> ports,
            String classPath) {
        this.directory = directory;
        this.ownsDirectory = ownsDirectory;
        this.startupTimeout = builder.startupTimeout;
        this.classPath = classPath;
        this.heapMb = builder.heapMb;
        this.jvmOptions = List.copyOf(builder.jvmOptions);
        this.brokerProperties = Map.copyOf(builder.brokerProperties);
        this.secured = builder.secured;
        List<KafkaNode> created = new ArrayList<>();
        for (int id = 0; id < builder.nodes; id++) {
            created.add(
                    new KafkaNode(
                            id,
                            ports.get(2 * id),
                            ports.get(2 * id + 1),
                            directory.resolve("node-" + id)));
        }
        this.nodes = List.copyOf(created);
        this.shutdownHook = new Thread(this::stopOnJvmExit, "local-kafka-cluster-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Returns a builder for a cluster of one node, in a new temporary directory. */
    public static Builder builder() {
        return new Builder();
    }

    /** The bootstrap servers of all nodes, {@code "127.0.0.1:p1,127.0.0.1:p2,..."}. */
    public String bootstrapServers() {
        return nodes.stream().map(KafkaNode::address).collect(Collectors.joining(","));
    }

    /**
     * How a client reaches this cluster: the bootstrap servers, and for a secured cluster the
     * broker's super user over SASL_SSL.
     */
    public KafkaConnection connection() {
        return secured
                ? connection(LocalKafkaSecurity.BROKER_USER, security().brokerPassword)
                : KafkaConnection.of(bootstrapServers());
    }

    /**
     * How a SCRAM user reaches this secured cluster: SASL_SSL with SCRAM-SHA-512, trusting the
     * cluster's certificate.
     *
     * @throws IllegalStateException if the cluster is not secured
     */
    public KafkaConnection connection(String user, String password) {
        return KafkaConnection.of(bootstrapServers(), clientProperties(user, password));
    }

    /** The client properties of {@link #connection(String, String)}. */
    public Map<String, String> clientProperties(String user, String password) {
        return security().clientProperties(user, password);
    }

    /** Whether clients must authenticate with SASL_SSL and the ACLs authorize them. */
    public boolean isSecured() {
        return secured;
    }

    /**
     * Adds a SCRAM-SHA-512 user, or changes its password, and waits until the cluster accepts it.
     *
     * @throws IllegalStateException if the cluster is not secured
     */
    public synchronized void upsertUser(String user, String password) {
        security();
        getOrThrow(
                admin().alterUserScramCredentials(
                                List.of(
                                        new UserScramCredentialUpsertion(
                                                user,
                                                new ScramCredentialInfo(
                                                        ScramMechanism.SCRAM_SHA_512, 8192),
                                                password)))
                        .all(),
                "add the SCRAM user " + user);
        try (Admin asUser = Admin.create(adminProperties(connection(user, password)))) {
            pollUntil(
                    Instant.now().plus(startupTimeout),
                    List.of(),
                    "the cluster to accept the SCRAM user " + user,
                    () -> authenticates(asUser));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Creates ACLs and returns once the cluster describes them all, so that what follows does not
     * race the authorizer.
     */
    public synchronized void createAcls(Collection<AclBinding> acls) {
        security();
        getOrThrow(admin().createAcls(acls).all(), "create ACLs " + acls);
        try {
            pollUntil(
                    Instant.now().plus(startupTimeout),
                    List.of(),
                    "the cluster to describe the ACLs " + acls,
                    () ->
                            getOrThrow(
                                            admin().describeAcls(AclBindingFilter.ANY).values(),
                                            "describe ACLs")
                                    .containsAll(acls));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean authenticates(Admin asUser) throws InterruptedIOException {
        try {
            asUser.describeCluster(
                            new DescribeClusterOptions()
                                    .timeoutMs((int) REQUEST_TIMEOUT.toMillis()))
                    .clusterId()
                    .get();
            return true;
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while authenticating");
        }
    }

    private LocalKafkaSecurity security() {
        if (security == null) {
            throw new IllegalStateException(
                    "the local Kafka cluster is not secured: build it with secured()");
        }
        return security;
    }

    /** The {@code host:port} of the client listener (PLAINTEXT, or SASL_SSL) of one node. */
    public String address(int index) {
        return node(index).address();
    }

    /** The number of nodes, running or not. */
    public int size() {
        return nodes.size();
    }

    /** The directory holding one sub-directory per node. */
    public Path directory() {
        return directory;
    }

    /** The directory of one node, holding its configuration, logs and data. */
    public Path nodeDirectory(int index) {
        return node(index).dir;
    }

    /** The process id of the latest process of one node, alive or not. */
    public long pid(int index) {
        KafkaNode node = node(index);
        if (node.process == null) {
            throw new IllegalStateException("Kafka node " + index + " was never started");
        }
        return node.process.pid();
    }

    /** Whether the process of one node is running. */
    public boolean isAlive(int index) {
        return node(index).isAlive();
    }

    /**
     * Creates a topic replicated to {@code min(3, size())} nodes and waits until every partition
     * has a leader.
     *
     * @throws KafkaException if Kafka refuses the topic, e.g. because it exists
     * @throws UncheckedIOException if the partitions get no leader within the startup timeout
     */
    public synchronized void createTopic(String name, int partitions, Map<String, String> configs) {
        NewTopic topic =
                new NewTopic(name, partitions, (short) Math.min(3, size())).configs(configs);
        getOrThrow(admin().createTopics(List.of(topic)).all(), "create topic " + name);
        try {
            pollUntil(
                    Instant.now().plus(startupTimeout),
                    List.of(),
                    "every partition of topic " + name + " to have a leader",
                    () -> hasLeaders(name, partitions));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates a topic without extra configuration; see {@link #createTopic(String, int, Map)}. */
    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /**
     * Kills one node with {@code SIGKILL} and waits until its process has exited. Does nothing if
     * the node is not running.
     */
    public synchronized void killNode(int index) {
        KafkaNode node = node(index);
        if (!isAlive(index)) {
            return;
        }
        node.process.destroyForcibly();
        boolean exited;
        try {
            exited = awaitExit(node.process, KILL_TIMEOUT);
        } catch (InterruptedIOException e) {
            throw new InterruptException(e.getMessage());
        }
        if (!exited) {
            throw new IllegalStateException(
                    "Kafka node " + index + " did not exit within " + KILL_TIMEOUT + " of SIGKILL");
        }
        LOG.info("Killed Kafka node {} (pid {})", index, node.process.pid());
    }

    /**
     * Stops one node with {@code SIGTERM}, letting Kafka shut down cleanly, and kills it if it has
     * not exited within 20 seconds. Does nothing if the node is not running.
     */
    public synchronized void stopNode(int index) {
        if (isAlive(index)) {
            stop(List.of(node(index)));
        }
    }

    /**
     * Starts a killed or stopped node again, on the same ports and directory, and waits until it
     * serves requests and is a member of the cluster again.
     *
     * @throws IllegalStateException if the node is running
     * @throws UncheckedIOException if the node dies or does not rejoin within the startup timeout
     */
    public synchronized void restartNode(int index) {
        if (closed.get()) {
            throw new IllegalStateException("the Kafka cluster is closed");
        }
        if (isAlive(index)) {
            throw new IllegalStateException(
                    "Kafka node " + index + " is running; kill or stop it before restarting it");
        }
        KafkaNode node = node(index);
        try {
            launch(node);
            awaitMembers(List.of(node), Instant.now().plus(startupTimeout));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LOG.info("Restarted Kafka node {} (pid {})", index, node.process.pid());
    }

    /**
     * Stops every node and deletes the directory if this cluster created it. Each node gets {@code
     * SIGTERM} and, if it has not exited after 20 seconds, {@code SIGKILL}; nodes left without a
     * controller quorum get {@code SIGKILL} after 2 seconds, because they cannot finish a clean
     * shutdown. Idempotent; logs failures instead of throwing them.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        removeShutdownHook();
        closeAdmin();
        stop(nodes);
        deleteOwnedDirectory();
    }

    private void launchAll(Collection<TopicSpec> topics) throws IOException {
        Instant began = Instant.now();
        Instant deadline = began.plus(startupTimeout);
        if (secured) {
            security = LocalKafkaSecurity.generate(directory.resolve("security"), javaExecutable());
        }
        for (KafkaNode node : nodes) {
            prepare(node);
        }
        formatStorage(Uuid.randomUuid().toString(), deadline);
        LOG.debug(
                "Formatted the storage of {} node(s) in {} ms",
                size(),
                Duration.between(began, Instant.now()).toMillis());
        for (KafkaNode node : nodes) {
            launch(node);
        }
        awaitMembers(nodes, deadline);
        for (TopicSpec topic : topics) {
            createTopic(topic.name(), topic.partitions(), topic.configs());
        }
        LOG.info(
                "Kafka cluster of {} node(s) at {} started in {} ms in {}",
                size(),
                bootstrapServers(),
                Duration.between(began, Instant.now()).toMillis(),
                directory);
    }

    private void prepare(KafkaNode node) throws IOException {
        if (Files.isDirectory(node.dataDir())) {
            try (Stream<Path> entries = Files.list(node.dataDir())) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(
                            node.dataDir()
                                    + " already holds Kafka data; give LocalKafkaCluster an"
                                    + " empty directory");
                }
            }
        }
        Files.createDirectories(node.dataDir());
        Files.writeString(node.config(), serverProperties(node));
        Files.writeString(node.log4jConfig(), log4jProperties(node));
    }

    private String serverProperties(KafkaNode node) {
        int n = size();
        String voters =
                nodes.stream()
                        .map(v -> v.id + "@" + HOST + ":" + v.controllerPort)
                        .collect(Collectors.joining(","));
        Map<String, String> props = new TreeMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(node.id));
        props.put("controller.quorum.voters", voters);
        String listener = secured ? "SASL_SSL" : "PLAINTEXT";
        props.put(
                "listeners",
                listener
                        + "://"
                        + node.address()
                        + ",CONTROLLER://"
                        + HOST
                        + ":"
                        + node.controllerPort);
        props.put("advertised.listeners", listener + "://" + node.address());
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", slashes(node.dataDir()));
        props.put("offsets.topic.replication.factor", String.valueOf(Math.min(3, n)));
        props.put("transaction.state.log.replication.factor", String.valueOf(Math.min(3, n)));
        props.put("default.replication.factor", String.valueOf(Math.min(3, n)));
        props.put("transaction.state.log.min.isr", String.valueOf(Math.min(2, n)));
        props.put("min.insync.replicas", String.valueOf(Math.min(2, n)));
        // Fewer internal partitions than Kafka's 50 make the first consumer group and the first
        // transactional producer ready much sooner on a small machine.
        props.put("offsets.topic.num.partitions", "10");
        props.put("transaction.state.log.num.partitions", "10");
        // A killed node can rejoin only once the controller has fenced its old incarnation, and
        // its partitions move only then; Kafka's 9 s session would slow every fault test.
        props.put("broker.heartbeat.interval.ms", "1000");
        props.put("broker.session.timeout.ms", "5000");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
        if (secured) {
            props.putAll(security.brokerProperties());
        }
        props.putAll(brokerProperties);
        return props.entrySet().stream()
                .map(e -> e.getKey() + "=" + escapeProperty(e.getValue()))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    private static String log4jProperties(KafkaNode node) {
        return String.join(
                "\n",
                "status = warn",
                // Kafka logs its own shutdown from a shutdown hook; log4j's hook would cut it off.
                "shutdownHook = disable",
                "appender.broker.type = File",
                "appender.broker.name = broker",
                "appender.broker.fileName = " + escapeProperty(slashes(node.brokerLog())),
                "appender.broker.layout.type = PatternLayout",
                "appender.broker.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.broker.ref = broker",
                "logger.stateChange.name = state.change.logger",
                "logger.stateChange.level = WARN",
                "logger.request.name = kafka.request.logger",
                "logger.request.level = WARN",
                "");
    }

    /** Formats the storage of all nodes in parallel; each format is a JVM start of its own. */
    private void formatStorage(String clusterId, Instant deadline) throws IOException {
        Map<KafkaNode, Process> formats = new LinkedHashMap<>();
        try {
            for (KafkaNode node : nodes) {
                List<String> args =
                        new ArrayList<>(
                                List.of("format", "-t", clusterId, "-c", node.config().toString()));
                if (secured) {
                    // The broker's own user must exist before the brokers talk to each other.
                    args.add("--add-scram");
                    args.add(security.scramFormatArgument());
                }
                formats.put(node, startJava(node, STORAGE_TOOL_MAIN_CLASS, args, node.formatLog()));
            }
            for (Map.Entry<KafkaNode, Process> format : formats.entrySet()) {
                awaitFormatted(format.getKey(), format.getValue(), deadline);
            }
        } finally {
            formats.values().forEach(Process::destroyForcibly);
        }
    }

    private void awaitFormatted(KafkaNode node, Process format, Instant deadline)
            throws IOException {
        if (!awaitExit(format, remaining(deadline))) {
            throw new IOException(
                    "Formatting the storage of Kafka node "
                            + node.id
                            + " did not finish within "
                            + startupTimeout
                            + excerpt(node.formatLog(), linesSince(node.formatLog(), 0)));
        }
        if (format.exitValue() != 0) {
            throw new IOException(
                    "Formatting the storage of Kafka node "
                            + node.id
                            + " failed with exit code "
                            + format.exitValue()
                            + excerpt(node.formatLog(), linesSince(node.formatLog(), 0)));
        }
    }

    private void launch(KafkaNode node) throws IOException {
        node.markLogs();
        node.process =
                startJava(
                        node,
                        BROKER_MAIN_CLASS,
                        List.of(node.config().toString()),
                        node.consoleLog());
        LOG.debug("Launched Kafka node {} (pid {})", node.id, node.process.pid());
    }

    private Process startJava(KafkaNode node, String mainClass, List<String> args, Path output)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.add("-Xmx" + heapMb + "m");
        command.add("-XX:+UseSerialGC");
        // C1 only: a broker needs little peak performance, and C2 compilation of several broker
        // JVMs at once would compete for the few cores with the job under test.
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:-UsePerfData");
        command.add("-Djava.awt.headless=true");
        command.add("-Dlog4j2.configurationFile=" + node.log4jConfig());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(node.dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(Redirect.appendTo(output.toFile()));
        // These would add the parent's agents and flags (debugger, coverage) to every broker.
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        return builder.start();
    }

    /**
     * Waits until every given node serves requests (a broker enables request processing only once
     * the controller has unfenced it) and the cluster metadata lists it. Asking the node itself
     * matters after a restart: until the controller fences the killed incarnation, the metadata
     * still lists the node.
     */
    private void awaitMembers(Collection<KafkaNode> members, Instant deadline) throws IOException {
        for (KafkaNode node : members) {
            pollUntil(
                    deadline,
                    members,
                    "node " + node.id + " to listen on " + node.address(),
                    () -> isListening(node.port));
        }
        for (KafkaNode node : members) {
            pollUntil(
                    deadline,
                    members,
                    "node " + node.id + " to serve requests",
                    () -> servesRequests(node));
        }
        Set<Integer> ids = members.stream().map(n -> n.id).collect(Collectors.toSet());
        pollUntil(
                deadline,
                members,
                "nodes " + ids + " to be members of the cluster",
                () -> memberIds().containsAll(ids));
    }

    private boolean servesRequests(KafkaNode node) throws IOException {
        ConfigResource broker =
                new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(node.id));
        DescribeConfigsOptions options =
                new DescribeConfigsOptions().timeoutMs((int) REQUEST_TIMEOUT.toMillis());
        return tryGet(admin().describeConfigs(List.of(broker), options).all()).isPresent();
    }

    private Set<Integer> memberIds() throws IOException {
        DescribeClusterOptions options =
                new DescribeClusterOptions().timeoutMs((int) REQUEST_TIMEOUT.toMillis());
        return tryGet(admin().describeCluster(options).nodes())
                .map(members -> members.stream().map(Node::id).collect(Collectors.toSet()))
                .orElse(Set.of());
    }

    private boolean hasLeaders(String topic, int partitions) throws IOException {
        DescribeTopicsOptions options =
                new DescribeTopicsOptions().timeoutMs((int) REQUEST_TIMEOUT.toMillis());
        Optional<TopicDescription> description =
                tryGet(admin().describeTopics(List.of(topic), options).allTopicNames())
                        .map(topics -> topics.get(topic));
        return description
                .map(
                        d ->
                                d.partitions().size() == partitions
                                        && d.partitions().stream()
                                                .allMatch(
                                                        p ->
                                                                p.leader() != null
                                                                        && !p.leader().isEmpty()))
                .orElse(false);
    }

    private static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), (int) REQUEST_TIMEOUT.toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @FunctionalInterface
    private interface Condition {
        boolean holds() throws IOException;
    }

    /** Polls a condition, failing fast when one of the watched nodes dies meanwhile. */
    private void pollUntil(
            Instant deadline, Collection<KafkaNode> watched, String goal, Condition condition)
            throws IOException {
        while (true) {
            for (KafkaNode node : watched) {
                ensureRunning(node, goal);
            }
            if (condition.holds()) {
                return;
            }
            if (closed.get()) {
                throw new IOException("The Kafka cluster was closed while waiting for " + goal);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IOException(timeoutMessage(goal, watched));
            }
            sleep(POLL_INTERVAL);
        }
    }

    private void ensureRunning(KafkaNode node, String goal) throws IOException {
        if (node.isAlive()) {
            return;
        }
        List<String> brokerLog = linesSince(node.brokerLog(), node.brokerLogMark);
        List<String> consoleLog = linesSince(node.consoleLog(), node.consoleLogMark);
        String bindFailure =
                Stream.concat(brokerLog.stream(), consoleLog.stream())
                        .map(BIND_FAILURE::matcher)
                        .filter(Matcher::find)
                        .findFirst()
                        .map(
                                failure ->
                                        " It could not bind "
                                                + failure.group(1)
                                                + ": another process has taken the port.")
                        .orElse("");
        throw new IOException(
                "Kafka node "
                        + node.id
                        + " (pid "
                        + node.process.pid()
                        + ") exited with code "
                        + node.process.exitValue()
                        + " while waiting for "
                        + goal
                        + "."
                        + bindFailure
                        + excerpt(node.brokerLog(), brokerLog)
                        + excerpt(node.consoleLog(), consoleLog));
    }

    private String timeoutMessage(String goal, Collection<KafkaNode> watched) {
        StringBuilder message =
                new StringBuilder("Timed out after " + startupTimeout + " waiting for " + goal);
        for (KafkaNode node : watched) {
            message.append("\n== Kafka node ").append(node.id).append(" ==");
            message.append(
                    excerpt(node.brokerLog(), linesSince(node.brokerLog(), node.brokerLogMark)));
            message.append(
                    excerpt(node.consoleLog(), linesSince(node.consoleLog(), node.consoleLogMark)));
        }
        return message.toString();
    }

    private synchronized Admin admin() {
        if (closed.get()) {
            throw new IllegalStateException("the Kafka cluster is closed");
        }
        if (admin == null) {
            admin = Admin.create(adminProperties(connection()));
        }
        return admin;
    }

    private static java.util.Properties adminProperties(KafkaConnection kafka) {
        java.util.Properties props = kafka.properties();
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "local-kafka-cluster");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        return props;
    }

    private synchronized void closeAdmin() {
        if (admin != null) {
            try {
                admin.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("Closing the admin client of the local Kafka cluster failed", e);
            }
            admin = null;
        }
    }

    /**
     * Stops the given nodes together with SIGTERM, so that their shutdowns overlap, and kills those
     * that do not exit in time.
     */
    private void stop(Collection<KafkaNode> toStop) {
        List<KafkaNode> running = toStop.stream().filter(KafkaNode::isAlive).toList();
        running.forEach(node -> node.process.destroy());
        try {
            awaitStopped(running);
        } catch (InterruptedIOException e) {
            LOG.warn("Interrupted while stopping Kafka nodes; killing them");
        }
        for (KafkaNode node : running) {
            if (node.isAlive()) {
                node.process.destroyForcibly();
                awaitExitQuietly(node.process, KILL_TIMEOUT);
            }
        }
    }

    /**
     * Waits until the nodes have exited, or until stopping has taken too long. A broker's clean
     * shutdown waits (up to five minutes) for the active controller to approve it, so once a
     * majority of the controller quorum is gone, the remaining nodes will not finish on their own:
     * they get a short grace and are then left to be killed.
     */
    private void awaitStopped(List<KafkaNode> stopping) throws InterruptedIOException {
        Instant deadline = Instant.now().plus(STOP_TIMEOUT);
        Instant quorumLostAt = null;
        while (stopping.stream().anyMatch(KafkaNode::isAlive)) {
            Instant now = Instant.now();
            if (now.isAfter(deadline)) {
                LOG.warn(
                        "Kafka nodes did not stop within {} of SIGTERM; killing them",
                        STOP_TIMEOUT);
                return;
            }
            if (quorumLostAt == null && !hasControllerQuorum()) {
                quorumLostAt = now;
            }
            if (quorumLostAt != null && now.isAfter(quorumLostAt.plus(QUORUM_LOSS_GRACE))) {
                LOG.debug("The controller quorum is gone; killing the Kafka nodes still running");
                return;
            }
            sleep(POLL_INTERVAL);
        }
    }

    private boolean hasControllerQuorum() {
        long alive = nodes.stream().filter(KafkaNode::isAlive).count();
        return alive > nodes.size() / 2;
    }

    private void stopOnJvmExit() {
        if (closed.compareAndSet(false, true)) {
            stop(nodes);
            deleteOwnedDirectory();
        }
    }

    private void removeShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down; the hook is running or has run.
        }
    }

    private void deleteOwnedDirectory() {
        if (!ownsDirectory || !Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Could not delete the directory {} of the local Kafka cluster", directory, e);
        }
    }

    private KafkaNode node(int index) {
        if (index < 0 || index >= nodes.size()) {
            throw new IndexOutOfBoundsException(
                    "node " + index + " of a cluster of " + nodes.size());
        }
        return nodes.get(index);
    }

    private static <T> Optional<T> tryGet(KafkaFuture<T> future) throws InterruptedIOException {
        try {
            return Optional.ofNullable(
                    future.get(REQUEST_TIMEOUT.plusSeconds(1).toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting for the Kafka cluster");
        }
    }

    private <T> T getOrThrow(KafkaFuture<T> future, String action) {
        try {
            return future.get(startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new KafkaException(
                    "Could not " + action + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new org.apache.kafka.common.errors.TimeoutException(
                    "Could not " + action + " within " + startupTimeout, e);
        } catch (InterruptedException e) {
            throw new InterruptException(e);
        }
    }

    private static boolean awaitExit(Process process, Duration timeout)
            throws InterruptedIOException {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting for a Kafka process");
        }
    }

    /** Waits for an exit during shutdown, where an interrupt must not skip the remaining work. */
    private static boolean awaitExitQuietly(Process process, Duration timeout) {
        try {
            return awaitExit(process, timeout);
        } catch (InterruptedIOException e) {
            process.destroyForcibly();
            return false;
        }
    }

    private static void sleep(Duration duration) throws InterruptedIOException {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting for the Kafka cluster");
        }
    }

    private static Duration remaining(Instant deadline) {
        Duration left = Duration.between(Instant.now(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /**
     * A block for an exception message: the first error and the last lines of what a node wrote.
     * The first error matters because a failed broker logs a long shutdown after it.
     */
    private static String excerpt(Path file, List<String> lines) {
        if (lines.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        int tailStart = Math.max(0, lines.size() - LOG_TAIL_LINES);
        int firstError = firstErrorLine(lines);
        if (firstError >= 0 && firstError < tailStart) {
            int errorEnd = Math.min(firstError + LOG_ERROR_LINES, tailStart);
            text.append("\n--- first error in ").append(file).append(" ---\n");
            text.append(String.join("\n", lines.subList(firstError, errorEnd)));
        }
        text.append("\n--- last lines of ").append(file).append(" ---\n");
        text.append(String.join("\n", lines.subList(tailStart, lines.size())));
        return text.toString();
    }

    private static int firstErrorLine(List<String> lines) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("] ERROR ") || lines.get(i).contains("] FATAL ")) {
                return i;
            }
        }
        return -1;
    }

    /** The lines written to a file from a byte offset on (at most the last few MiB). */
    private static List<String> linesSince(Path file, long offset) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(offset, in.length() - LOG_MAX_BYTES);
            byte[] bytes = new byte[(int) Math.max(0, in.length() - start)];
            in.seek(start);
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            return List.of("(unreadable: " + e + ")");
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static String javaExecutable() {
        return ProcessHandle.current()
                .info()
                .command()
                .orElseGet(
                        () -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * This JVM's class path with absolute entries, since the children run in the node directories.
     * A Surefire manifest-only jar works as is: the child JVM follows its manifest.
     */
    private static String childClassPath() {
        try {
            Class.forName(BROKER_MAIN_CLASS, false, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException(
                    BROKER_MAIN_CLASS
                            + " is not on the class path of this JVM (java.class.path), and"
                            + " LocalKafkaCluster runs its brokers from that class path in child"
                            + " JVMs: add org.apache.kafka:kafka_2.13 (provided or test scope) to"
                            + " the module that starts the cluster",
                    e);
        }
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .map(entry -> new File(entry).getAbsolutePath())
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** Picks distinct free ports by holding all of them open until every one is chosen. */
    private static List<Integer> freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            InetAddress loopback = InetAddress.getByName(HOST);
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, loopback));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    private static String slashes(Path path) {
        return path.toAbsolutePath().toString().replace('\\', '/');
    }

    private static String escapeProperty(String value) {
        return value.replace("\\", "\\\\");
    }

    /** One node: a combined broker and controller, and its latest process. */
    private static final class KafkaNode {
        final int id;
        final int port;
        final int controllerPort;
        final Path dir;
        volatile Process process;
        // Where the latest launch began writing, so that failures show only its output.
        volatile long brokerLogMark;
        volatile long consoleLogMark;

        KafkaNode(int id, int port, int controllerPort, Path dir) {
            this.id = id;
            this.port = port;
            this.controllerPort = controllerPort;
            this.dir = dir;
        }

        void markLogs() {
            brokerLogMark = sizeOf(brokerLog());
            consoleLogMark = sizeOf(consoleLog());
        }

        boolean isAlive() {
            return process != null && process.isAlive();
        }

        String address() {
            return HOST + ":" + port;
        }

        Path config() {
            return dir.resolve("server.properties");
        }

        Path log4jConfig() {
            return dir.resolve("log4j2.properties");
        }

        Path dataDir() {
            return dir.resolve("data");
        }

        Path brokerLog() {
            return dir.resolve("broker.log");
        }

        Path consoleLog() {
            return dir.resolve("console.log");
        }

        Path formatLog() {
            return dir.resolve("format.log");
        }
    }

    private record TopicSpec(String name, int partitions, Map<String, String> configs) {}

    /** Configures and starts a {@link LocalKafkaCluster}. */
    public static final class Builder {
        private int nodes = 1;
        private Path directory;
        private final Map<String, TopicSpec> topics = new LinkedHashMap<>();
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private final List<String> jvmOptions = new ArrayList<>();
        private int heapMb = 512;
        private Duration startupTimeout = Duration.ofSeconds(90);
        private boolean secured;

        private Builder() {}

        /**
         * Secures the cluster: clients authenticate with SASL_SSL and SCRAM-SHA-512 against a
         * certificate generated at start, and the StandardAuthorizer lets them do only what ACLs
         * allow. The broker's user is the only super user; {@link LocalKafkaCluster#connection()}
         * connects as it. Add users with {@link LocalKafkaCluster#upsertUser} and their ACLs with
         * {@link LocalKafkaCluster#createAcls}.
         */
        public Builder secured() {
            this.secured = true;
            return this;
        }

        /** The number of nodes, each a broker and a controller; 1 by default. */
        public Builder nodes(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("a cluster needs at least one node: " + n);
            }
            this.nodes = n;
            return this;
        }

        /**
         * The directory for the nodes, created if missing and kept on close. It must not hold data
         * of an earlier cluster. By default a new temporary directory, deleted on close.
         */
        public Builder directory(Path dir) {
            this.directory = dir;
            return this;
        }

        /** A topic to create at start, replicated to {@code min(3, nodes)} nodes. */
        public Builder topic(String name, int partitions) {
            return topic(name, partitions, Map.of());
        }

        /** A topic with topic-level configs such as {@code cleanup.policy=compact}. */
        public Builder topic(String name, int partitions, Map<String, String> configs) {
            if (name == null || name.isBlank() || partitions < 1) {
                throw new IllegalArgumentException(
                        "invalid topic " + name + " with " + partitions + " partitions");
            }
            if (topics.putIfAbsent(name, new TopicSpec(name, partitions, Map.copyOf(configs)))
                    != null) {
                throw new IllegalArgumentException("topic " + name + " is already configured");
            }
            return this;
        }

        /** A broker property for every node; it overrides the cluster's own setting of the key. */
        public Builder brokerProperty(String key, String value) {
            brokerProperties.put(key, value);
            return this;
        }

        /** The maximum heap of each broker JVM, in MiB; 512 by default. */
        public Builder heapMb(int mb) {
            if (mb < 64) {
                throw new IllegalArgumentException("a broker needs at least 64 MiB of heap: " + mb);
            }
            this.heapMb = mb;
            return this;
        }

        /**
         * An extra option for every child JVM, such as {@code -XX:+HeapDumpOnOutOfMemoryError}. It
         * comes after the defaults ({@code -XX:+UseSerialGC -XX:TieredStopAtLevel=1}), so it can
         * override them.
         */
        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        /**
         * How long {@link #start()} and {@link LocalKafkaCluster#restartNode(int)} may wait for the
         * nodes, and topic creation for leaders; 90 seconds by default.
         */
        public Builder startupTimeout(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("the startup timeout must be positive: " + d);
            }
            this.startupTimeout = d;
            return this;
        }

        /**
         * Formats and launches every node, waits until all of them are members of the cluster, and
         * creates the configured topics. On failure, stops whatever it started.
         *
         * @throws IllegalStateException if {@code kafka.Kafka} is not on this JVM's class path
         * @throws IOException if a node cannot be prepared, dies, or does not join in time; the
         *     message then ends with the last lines of that node's logs
         */
        public LocalKafkaCluster start() throws IOException {
            String classPath = childClassPath();
            List<Integer> ports = freePorts(2 * nodes);
            boolean ownsDirectory = directory == null;
            Path dir =
                    ownsDirectory
                            ? Files.createTempDirectory("hivestream-kafka-")
                            : Files.createDirectories(directory);
            LocalKafkaCluster cluster =
                    new LocalKafkaCluster(this, dir, ownsDirectory, ports, classPath);
            try {
                cluster.launchAll(List.copyOf(topics.values()));
                return cluster;
            } catch (IOException | RuntimeException | Error e) {
                cluster.close();
                throw e;
            }
        }
    }
}
