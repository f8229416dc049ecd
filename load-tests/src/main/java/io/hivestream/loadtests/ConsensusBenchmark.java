package io.hivestream.loadtests;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.kafka.LocalKafkaCluster;
import io.hivestream.jobs.HivestreamJob;
import io.hivestream.jobs.HivestreamOptions;
import io.hivestream.jobs.JobSettings;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.codec.Codecs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.TimeUtils;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Consensus accuracy against majority-vote theory, through the real job on one local broker and one
 * Flink local cluster:
 *
 * <pre>
 * ConsensusBenchmark [--tasks N] [--p 0.6,0.7,0.8,0.9] [--n 1,3,5] [--parallelism 2]
 *       [--seed 42] [--timeout 10min] [--out DIR]
 * </pre>
 *
 * For each accuracy p a pool of simulated agents of that accuracy (its own capability, equal
 * prices, a few milliseconds of random latency so replies arrive in any order); for each p and n, N
 * labelled arithmetic tasks ({@code What is A * B + C?}, the right answer computed here) with n
 * replicas and the default strict-majority quorum, all cells interleaved in one backlog and one
 * job, published once the job has read every agent (so a seed gives the same answers again). Writes
 * {@code report.md} (see {@link ConsensusAccuracy}) and {@code results.csv} (every result with its
 * answers) and prints one line per cell.
 */
public final class ConsensusBenchmark {
    private static final String NAME = "consensus";

    private ConsensusBenchmark() {}

    record Args(
            int tasks,
            List<Double> ps,
            List<Integer> ns,
            int parallelism,
            long seed,
            Duration timeout,
            Path out) {
        static Args parse(String[] argv) {
            BenchArgs options = BenchArgs.parse(argv, 0, Set.of(), false, null);
            Args args =
                    new Args(
                            Integer.parseInt(options.take("tasks", "1000")),
                            Arrays.stream(options.take("p", "0.6,0.7,0.8,0.9").split(","))
                                    .map(s -> Double.parseDouble(s.strip()))
                                    .toList(),
                            Arrays.stream(options.take("n", "1,3,5").split(","))
                                    .map(s -> Integer.parseInt(s.strip()))
                                    .toList(),
                            Integer.parseInt(options.take("parallelism", "2")),
                            Long.parseLong(options.take("seed", "42")),
                            TimeUtils.parseDuration(options.take("timeout", "10min")),
                            options.path("out"));
            options.done();
            for (double p : args.ps()) {
                if (!(p >= 0 && p <= 1)) {
                    throw new IllegalArgumentException("--p values must be in [0, 1], got " + p);
                }
            }
            for (int n : args.ns()) {
                if (n < 1 || n > 15) {
                    throw new IllegalArgumentException("--n values must be 1..15, got " + n);
                }
            }
            if (args.tasks() < 1) {
                throw new IllegalArgumentException("--tasks must be at least 1");
            }
            return args;
        }
    }

    public static void main(String[] argv) throws Exception {
        Args args;
        try {
            args = Args.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Path out = args.out() != null ? args.out() : ReportWriter.defaultFolder(NAME);
        Files.createDirectories(out);
        long started = System.nanoTime();
        Measured measured = run(args, out);
        double seconds = (System.nanoTime() - started) / 1e9;
        List<ConsensusAccuracy.Row> rows =
                ConsensusAccuracy.aggregate(measured.tasks(), measured.results(), measured.calls());
        Path report = out.resolve("report.md");
        Files.writeString(report, report(args, rows, measured, seconds));
        Files.write(out.resolve("results.csv"), csv(measured));
        System.out.println("report: " + report.toAbsolutePath());
        for (String line : ConsensusAccuracy.headlines(rows)) {
            System.out.println(line);
        }
        System.out.println(
                "results: " + measured.results().size() + ", duplicates: " + measured.duplicates());
        System.exit(0);
    }

    record Measured(
            List<ConsensusAccuracy.Labelled> tasks,
            List<TaskResult> results,
            Map<String, Double> calls,
            long duplicates) {}

    /** The pool of agents of accuracy p: its capability. */
    static String capability(double p) {
        return String.format(Locale.ROOT, "acc%03d", Math.round(p * 100));
    }

    static List<AgentEvent> agents(Args args) {
        int pool = args.ns().stream().mapToInt(Integer::intValue).max().orElse(1);
        List<AgentEvent> agents = new ArrayList<>();
        for (double p : args.ps()) {
            for (int i = 0; i < pool; i++) {
                agents.add(
                        AgentEvent.newBuilder()
                                .setAgentId(capability(p) + "-" + i)
                                .setRuntime("simulated")
                                .setCapabilities(List.of(capability(p)))
                                .setTier(Tier.EDGE)
                                // Equal prices: the cost of a vote is its number of calls.
                                .setCostPer1kInputTokens(0.001)
                                .setCostPer1kOutputTokens(0.002)
                                .setMaxConcurrency(100_000)
                                .setTimeoutMs(60_000)
                                .setParams(
                                        Map.of(
                                                "accuracy",
                                                Double.toString(p),
                                                "seed",
                                                Long.toString(args.seed() + i),
                                                "latencyMs",
                                                "1",
                                                "latencyJitterMs",
                                                "20"))
                                .build());
            }
        }
        return agents;
    }

    /** The labelled set: every cell's tasks interleaved, with their right answers. */
    static List<Task> tasks(Args args, List<ConsensusAccuracy.Labelled> labels) {
        Random random = new Random(args.seed());
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < args.tasks(); i++) {
            for (double p : args.ps()) {
                for (int n : args.ns()) {
                    long a = 2 + random.nextInt(98);
                    long b = 2 + random.nextInt(98);
                    long c = 1 + random.nextInt(999);
                    String id = String.format(Locale.ROOT, "%s-n%d-%06d", capability(p), n, i);
                    tasks.add(
                            Codecs.TASK.fromJson(
                                    String.format(
                                            Locale.ROOT,
                                            "{\"taskId\":\"%s\",\"kind\":\"math\",\"input\":\"What"
                                                    + " is %d * %d + %d?\",\"capabilities\":"
                                                    + "[\"%s\"],\"replicas\":%d,\"tier\":\"EDGE\"}",
                                            id,
                                            a,
                                            b,
                                            c,
                                            capability(p),
                                            n)));
                    labels.add(
                            new ConsensusAccuracy.Labelled(
                                    id,
                                    new ConsensusAccuracy.Cell(p, n),
                                    Long.toString(a * b + c)));
                }
            }
        }
        return tasks;
    }

    private static Measured run(Args args, Path out) throws Exception {
        try (LocalKafkaCluster kafka =
                LocalKafkaCluster.builder().directory(out.resolve("kafka")).heapMb(1024).start()) {
            for (String suffix : List.of(".tasks", ".results", ".metrics", ".dlq")) {
                kafka.createTopic(NAME + suffix, args.parallelism());
            }
            kafka.createTopic(NAME + ".agents", 1, Map.of("cleanup.policy", "compact"));
            kafka.createTopic(
                    NAME + ".calls",
                    args.parallelism(),
                    Map.of("cleanup.policy", "compact,delete"));
            List<ConsensusAccuracy.Labelled> labels = new ArrayList<>();
            List<Task> tasks = tasks(args, labels);
            long expectedCalls = 0;
            for (ConsensusAccuracy.Labelled label : labels) {
                expectedCalls += label.cell().n();
            }
            try (KafkaProducer<byte[], byte[]> producer =
                    KafkaClients.producer(kafka.bootstrapServers())) {
                for (AgentEvent agent : agents(args)) {
                    producer.send(
                                    new ProducerRecord<>(
                                            NAME + ".agents",
                                            bytes(agent.getAgentId()),
                                            Codecs.AGENT_EVENT.encodeAvro(agent)))
                            .get();
                }
                // Not an agent: its dead letter shows that the job has read every agent before.
                producer.send(
                                new ProducerRecord<>(
                                        NAME + ".agents", bytes("end"), bytes("end of agents")))
                        .get();
            }

            Configuration conf = configuration(kafka.bootstrapServers(), out);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironment(args.parallelism(), conf);
            HivestreamJob.build(
                    env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());
            JobClient job = env.executeAsync(NAME);
            try {
                // Tasks published before the registry is read would be routed to whichever agents
                // are known by then: the same seed would not give the same run.
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                while (KafkaClients.readAll(
                                kafka.bootstrapServers(), NAME + ".dlq", Duration.ofSeconds(30))
                        .isEmpty()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the job did not read the agents topic");
                    }
                    Thread.sleep(200);
                }
                try (KafkaProducer<byte[], byte[]> producer =
                        KafkaClients.producer(kafka.bootstrapServers())) {
                    for (Task task : tasks) {
                        producer.send(
                                new ProducerRecord<>(
                                        NAME + ".tasks",
                                        bytes(task.getTaskId()),
                                        Codecs.TASK.encodeAvro(task)));
                    }
                    producer.flush();
                }
                return collect(kafka.bootstrapServers(), labels, expectedCalls, job, args);
            } finally {
                try {
                    job.cancel().get(60, TimeUnit.SECONDS);
                    job.getJobExecutionResult().handle((r, e) -> null).get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // Already over; nothing left to stop.
                }
            }
        }
    }

    private static Configuration configuration(String bootstrap, Path out) {
        Configuration conf = new Configuration();
        conf.set(HivestreamOptions.BOOTSTRAP_SERVERS, bootstrap);
        conf.set(HivestreamOptions.TASKS_TOPIC, NAME + ".tasks");
        conf.set(HivestreamOptions.RESULTS_TOPIC, NAME + ".results");
        conf.set(HivestreamOptions.AGENTS_TOPIC, NAME + ".agents");
        conf.set(HivestreamOptions.METRICS_TOPIC, NAME + ".metrics");
        conf.set(HivestreamOptions.CALLS_TOPIC, NAME + ".calls");
        conf.set(HivestreamOptions.DLQ_TOPIC, NAME + ".dlq");
        conf.set(HivestreamOptions.GROUP_ID, NAME);
        conf.set(HivestreamOptions.TRANSACTIONAL_ID_PREFIX, NAME);
        conf.set(HivestreamOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(5));
        // Tasks may be read before the registry: they wait for their agents rather than fail.
        conf.set(HivestreamOptions.AGENT_WAIT, Duration.ofMinutes(2));
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                out.resolve("checkpoints").toAbsolutePath().toUri().toString());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(512));
        return JobSettings.apply(conf);
    }

    /**
     * Reads results and call metrics until every task has its result and every call its metric (or
     * a short grace after the last result: late replicas' calls are metered after the result).
     */
    private static Measured collect(
            String bootstrap,
            List<ConsensusAccuracy.Labelled> labels,
            long expectedCalls,
            JobClient job,
            Args args)
            throws Exception {
        List<TaskResult> results = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Map<String, Double> calls = new HashMap<>();
        long callCount = 0;
        long duplicates = 0;
        long deadline = System.nanoTime() + args.timeout().toNanos();
        long graceUntil = Long.MAX_VALUE;
        try (KafkaConsumer<byte[], byte[]> consumer =
                KafkaClients.readCommittedConsumer(bootstrap)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(NAME + ".results", NAME + ".metrics")) {
                for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long lastCheck = 0;
            while (true) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    if (record.topic().endsWith(".results")) {
                        TaskResult result = Codecs.TASK_RESULT.decode(record.value());
                        if (seen.add(result.getTaskId())) {
                            results.add(result);
                        } else {
                            duplicates++;
                        }
                    } else {
                        Metric metric = Codecs.METRIC.decode(record.value());
                        if (metric.getKind() == MetricKind.CALL && metric.getCall() != null) {
                            calls.merge(
                                    metric.getTaskId(), metric.getCall().getCostUsd(), Double::sum);
                            callCount++;
                        }
                    }
                }
                if (seen.size() >= labels.size() && graceUntil == Long.MAX_VALUE) {
                    graceUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                }
                if (seen.size() >= labels.size()
                        && (callCount >= expectedCalls || System.nanoTime() > graceUntil)) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    System.err.println(
                            "timed out with " + seen.size() + " of " + labels.size() + " results");
                    break;
                }
                if (System.currentTimeMillis() - lastCheck > 2000) {
                    lastCheck = System.currentTimeMillis();
                    JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
                    if (status.isGloballyTerminalState()) {
                        job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
                        throw new IllegalStateException("the job ended early: " + status);
                    }
                    System.err.printf(
                            Locale.ROOT,
                            "%d of %d results, %d of %d calls%n",
                            seen.size(),
                            labels.size(),
                            callCount,
                            expectedCalls);
                }
            }
        }
        return new Measured(labels, results, calls, duplicates);
    }

    private static String report(
            Args args, List<ConsensusAccuracy.Row> rows, Measured measured, double seconds) {
        StringBuilder md = new StringBuilder();
        md.append("# Consensus accuracy against majority-vote theory\n\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "%d labelled arithmetic tasks per cell (p in %s, n in %s), one job with"
                                + " parallelism %d, exactly-once, 1 s checkpoints; %d results,"
                                + " %d duplicates; %.0f s in all.%n%n",
                        args.tasks(),
                        args.ps(),
                        args.ns(),
                        args.parallelism(),
                        measured.results().size(),
                        measured.duplicates(),
                        seconds));
        md.append(ConsensusAccuracy.table(rows));
        md.append(
                "\nModel: independent simulated agents, each right with probability p; a wrong"
                        + " agent answers the right answer plus one, so all wrong agents agree"
                        + " (the worst case for wrong majorities). Theory: correct = P[X ≥ q],"
                        + " wrong = P[n − X ≥ q], X ~ Binomial(n, p), q = floor(n/2) + 1; with n"
                        + " odd NO_CONSENSUS is 0. ±95% is 1.96·sqrt(q(1 − q)/N) around the"
                        + " theory. Cost (result) is the result's `costUsd`, the answers the"
                        + " vote was decided on; cost (all calls) adds the replicas that"
                        + " answered after an early decision (call metrics), i.e. what was"
                        + " spent.\n");
        return md.toString();
    }

    /** One line per result: task id, status, output, and each answer as agent=output. */
    static List<String> csv(Measured measured) {
        List<String> lines = new ArrayList<>();
        lines.add("taskId,status,output,answers");
        measured.results().stream()
                .sorted(java.util.Comparator.comparing(TaskResult::getTaskId))
                .forEach(
                        r ->
                                lines.add(
                                        r.getTaskId()
                                                + ","
                                                + r.getStatus()
                                                + ","
                                                + r.getOutput()
                                                + ","
                                                + r.getAnswers().stream()
                                                        .map(
                                                                a ->
                                                                        a.getAgentId()
                                                                                + "="
                                                                                + a.getOutput())
                                                        .sorted()
                                                        .collect(
                                                                java.util.stream.Collectors.joining(
                                                                        " "))));
        return lines;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
