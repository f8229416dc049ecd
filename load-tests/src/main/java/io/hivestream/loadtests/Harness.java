package io.hivestream.loadtests;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.kafka.KafkaConnection;
import io.hivestream.connectors.kafka.LocalKafkaCluster;
import io.hivestream.jobs.HivestreamJob;
import io.hivestream.jobs.HivestreamOptions;
import io.hivestream.jobs.JobAcls;
import io.hivestream.jobs.JobSettings;
import io.hivestream.operators.plan.RolePrompts;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Tenant;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.codec.Codecs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.HdrHistogram.Histogram;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.state.rocksdb.RocksDBNativeMetricOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Runs jobs against one local broker, one after the other, each on its own Flink local cluster in
 * this JVM with its own topics, consumer group and transactional ids. A run publishes a backlog of
 * tasks, starts the job, measures how fast the results of that backlog become visible, then
 * optionally publishes at a fixed share of that throughput to measure latency, and cancels the job.
 * The harness owns the broker; each run's checkpoints go under the output folder.
 */
public final class Harness implements AutoCloseable {
    /**
     * How one job run is set up.
     *
     * @param agents the agents registered for the run; null for simulated agents of {@code
     *     agentLatencyMs} for every kind of the mix ({@link #agents(TaskMix, long)})
     */
    public record Spec(
            String name,
            boolean pipeline,
            DeliveryGuarantee delivery,
            long agentLatencyMs,
            TaskMix mix,
            long tasks,
            double rateShare,
            Duration fixedRatePhase,
            Map<String, String> options,
            List<AgentEvent> agents) {

        /** A run with simulated agents. */
        public Spec(
                String name,
                boolean pipeline,
                DeliveryGuarantee delivery,
                long agentLatencyMs,
                TaskMix mix,
                long tasks,
                double rateShare,
                Duration fixedRatePhase,
                Map<String, String> options) {
            this(
                    name,
                    pipeline,
                    delivery,
                    agentLatencyMs,
                    mix,
                    tasks,
                    rateShare,
                    fixedRatePhase,
                    options,
                    null);
        }

        List<AgentEvent> registered() {
            return agents != null ? agents : Harness.agents(mix, agentLatencyMs);
        }
    }

    /**
     * What a run measured, with the series the charts draw.
     *
     * @param statuses how many results of each status the run's reader read, by the status's name
     */
    public record Outcome(
            Figures.Run figures,
            long startMillis,
            List<LatencyBook.Point> timeline,
            List<ResourceSampler.Sample> samples,
            Histogram endToEnd,
            Histogram overhead,
            Map<String, Long> statuses,
            String warning) {}

    /** The SCRAM user a run's job uses on a secured broker, allowed exactly the job's ACLs. */
    static final String JOB_USER = "bench-job";

    private static final String JOB_PASSWORD = "bench-job-secret";

    private final LocalKafkaCluster kafka;
    private final Path directory;
    private final int parallelism;
    private final Duration checkpointInterval;
    private final Duration timeout;

    public Harness(Path directory, int parallelism, Duration checkpointInterval, Duration timeout)
            throws IOException {
        this(directory, parallelism, checkpointInterval, timeout, false);
    }

    /**
     * A harness whose broker is secured or not: a secured one takes SASL_SSL with SCRAM-SHA-512
     * only and authorizes with ACLs, and each run's job is {@value #JOB_USER}, allowed exactly its
     * own topics, group and transactional ids.
     */
    public Harness(
            Path directory,
            int parallelism,
            Duration checkpointInterval,
            Duration timeout,
            boolean secured)
            throws IOException {
        this.directory = directory;
        this.parallelism = parallelism;
        this.checkpointInterval = checkpointInterval;
        this.timeout = timeout;
        LocalKafkaCluster.Builder broker =
                LocalKafkaCluster.builder()
                        .directory(directory.resolve("kafka"))
                        .heapMb(1024)
                        // The broker is part of what is measured: full JIT, not the quick-start C1.
                        .jvmOption("-XX:TieredStopAtLevel=4");
        this.kafka = (secured ? broker.secured() : broker).start();
        if (secured) {
            kafka.upsertUser(JOB_USER, JOB_PASSWORD);
        }
    }

    /** How a run's job reaches a secured broker: as {@value #JOB_USER}. */
    KafkaConnection jobConnection() {
        return kafka.connection(JOB_USER, JOB_PASSWORD);
    }

    /** How the harness's own clients reach the broker (on a secured one, as its super user). */
    public KafkaConnection connection() {
        return kafka.connection();
    }

    public long brokerPid() {
        return kafka.pid(0);
    }

    /** Simulated agents for every kind of a mix: as many per kind as its largest vote needs. */
    public static List<AgentEvent> agents(TaskMix mix, long latencyMs) {
        List<AgentEvent> agents = new ArrayList<>();
        for (String kind : new TreeMap<>(mix.kinds()).keySet()) {
            for (int i = 0; i < mix.agentsPerKind(); i++) {
                agents.add(
                        AgentEvent.newBuilder()
                                .setAgentId("sim-" + kind + "-" + i)
                                .setRuntime("simulated")
                                .setCapabilities(List.of(kind))
                                .setTier(Tier.EDGE)
                                .setCostPer1kInputTokens(0.0001 * (i + 1))
                                .setCostPer1kOutputTokens(0.0002 * (i + 1))
                                .setMaxConcurrency(100_000)
                                .setTimeoutMs(60_000)
                                .setParams(Map.of("latencyMs", Long.toString(latencyMs)))
                                .build());
            }
        }
        if (mix.planShare() > 0) {
            // A planner and a synthesizer for the plans; their steps go to the agents above.
            for (String capability : List.of(RolePrompts.PLAN, RolePrompts.SYNTHESIZE)) {
                agents.add(
                        AgentEvent.newBuilder()
                                .setAgentId("sim-" + capability)
                                .setRuntime("simulated")
                                .setCapabilities(List.of(capability))
                                .setTier(Tier.EDGE)
                                .setCostPer1kInputTokens(0.0001)
                                .setCostPer1kOutputTokens(0.0002)
                                .setMaxConcurrency(100_000)
                                .setTimeoutMs(60_000)
                                .setParams(Map.of("latencyMs", Long.toString(latencyMs)))
                                .build());
            }
        }
        return agents;
    }

    /**
     * The record of the mix's tenant with every limit set but none reached, so that the admit stage
     * checks them all for every task.
     */
    public static Tenant benchTenant() {
        return Tenant.newBuilder()
                .setTenant("default")
                .setBudgetUsdPerDay(1_000_000.0)
                .setBudgetUsdPerMonth(10_000_000.0)
                .setTokensPerDay(1_000_000_000_000L)
                .setTasksPerSecond(10_000_000.0)
                .setBurst(10_000_000)
                .setMaxInFlight(1_000_000_000)
                .setMaxUsdPerTask(1.0)
                .build();
    }

    private void registerTenant(String topic) throws Exception {
        kafka.createTopic(topic, 1, Map.of("cleanup.policy", "compact"));
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.connection())) {
            Tenant tenant = benchTenant();
            producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    tenant.getTenant().getBytes(StandardCharsets.UTF_8),
                                    Codecs.TENANT.encodeAvro(tenant)))
                    .get();
        }
    }

    /** The job settings of a run: its own topics, group and transactional ids. */
    Configuration configuration(Spec spec) {
        Configuration conf = new Configuration();
        conf.set(HivestreamOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        if (kafka.isSecured()) {
            kafka.clientProperties(JOB_USER, JOB_PASSWORD)
                    .forEach(
                            (key, value) ->
                                    conf.setString(
                                            HivestreamOptions.KAFKA_PROPERTIES_PREFIX + key,
                                            value));
        }
        conf.set(HivestreamOptions.TASKS_TOPIC, spec.name() + ".tasks");
        conf.set(HivestreamOptions.RESULTS_TOPIC, spec.name() + ".results");
        conf.set(HivestreamOptions.AGENTS_TOPIC, spec.name() + ".agents");
        conf.set(HivestreamOptions.METRICS_TOPIC, spec.name() + ".metrics");
        conf.set(HivestreamOptions.DLQ_TOPIC, spec.name() + ".dlq");
        conf.set(HivestreamOptions.TENANTS_TOPIC, spec.name() + ".tenants");
        conf.set(HivestreamOptions.CALLS_TOPIC, spec.name() + ".calls");
        conf.set(HivestreamOptions.GROUP_ID, spec.name());
        conf.set(HivestreamOptions.TRANSACTIONAL_ID_PREFIX, spec.name());
        conf.set(HivestreamOptions.DELIVERY, spec.delivery());
        conf.set(HivestreamOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(5));
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints(spec).toUri().toString());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(512));
        conf.set(RocksDBNativeMetricOptions.MONITOR_TOTAL_SST_FILES_SIZE, true);
        conf.set(RocksDBNativeMetricOptions.ESTIMATE_LIVE_DATA_SIZE, true);
        conf.setString(BenchMetrics.FACTORY_KEY, BenchMetrics.Factory.class.getName());
        spec.options().forEach(conf::setString);
        return JobSettings.apply(conf);
    }

    private Path checkpoints(Spec spec) {
        return directory.resolve("checkpoints").resolve(spec.name()).toAbsolutePath();
    }

    /** Runs one job as {@code spec} says; {@code profile} brackets the backlog phase. */
    public Outcome run(Spec spec, Profiler profile) throws Exception {
        for (String suffix : List.of(".tasks", ".results", ".metrics", ".dlq")) {
            kafka.createTopic(spec.name() + suffix, parallelism);
        }
        kafka.createTopic(
                spec.name() + ".calls", parallelism, Map.of("cleanup.policy", "compact,delete"));
        kafka.createTopic(spec.name() + ".agents", 1, Map.of("cleanup.policy", "compact"));
        if (kafka.isSecured()) {
            kafka.createAcls(JobAcls.of("User:" + JOB_USER, configuration(spec)));
        }
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.connection())) {
            for (AgentEvent agent : spec.registered()) {
                producer.send(
                                new ProducerRecord<>(
                                        spec.name() + ".agents",
                                        agent.getAgentId().getBytes(StandardCharsets.UTF_8),
                                        Codecs.AGENT_EVENT.encodeAvro(agent)))
                        .get();
            }
        }

        if ("true".equals(spec.options().get(HivestreamOptions.TENANTS_ENFORCE.key()))) {
            registerTenant(spec.name() + ".tenants");
        }

        MixGenerator tasks = new MixGenerator(spec.mix(), spec.name());
        LatencyBook backlog = new LatencyBook(0, Math.toIntExact(spec.tasks()));
        try (LoadGenerator generator =
                        new LoadGenerator(kafka.connection(), spec.name() + ".tasks");
                ResultReader reader =
                        new ResultReader(kafka.connection(), spec.name() + ".results");
                ResourceSampler sampler = new ResourceSampler(brokerPid())) {
            generator.publish(tasks, spec.tasks(), 0, backlog);
            reader.add(backlog);

            Configuration conf = configuration(spec);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
            if (spec.pipeline()) {
                HivestreamJob.build(
                        env,
                        conf,
                        new AgentRuntimes(),
                        Clock.systemUTC(),
                        UnaryOperator.identity());
            } else {
                PassthroughJob.build(env, conf);
            }
            profile.start();
            long startMillis = System.currentTimeMillis();
            JobClient job = env.executeAsync(spec.name());
            try {
                await(backlog, job, reader);
                profile.stop();
                double throughput = backlog.steadyThroughput();
                if (!(throughput > 0) && !backlog.timeline().isEmpty()) {
                    // A small backlog may become visible in one commit: no 10%-90% window. Its
                    // whole-run rate still sets the pace of the fixed-rate phase.
                    long end = backlog.timeline().get(backlog.timeline().size() - 1).millis();
                    throughput = spec.tasks() * 1000.0 / Math.max(1, end - startMillis);
                }
                List<ResourceSampler.Sample> drained = sampler.samples();
                double[] cpu = cpuPer1000(backlog.timeline(), drained, spec.tasks());

                Figures.Latency latency = null;
                Histogram endToEnd = backlog.endToEnd();
                Histogram overhead = backlog.overhead();
                if (!spec.fixedRatePhase().isZero() && throughput > 0) {
                    double rate = Math.max(1, spec.rateShare() * throughput);
                    long count = Math.max(1, (long) (rate * spec.fixedRatePhase().toSeconds()));
                    LatencyBook steady = new LatencyBook(tasks.nextIndex(), Math.toIntExact(count));
                    reader.add(steady);
                    generator.publish(tasks, count, rate, steady);
                    await(steady, job, reader);
                    endToEnd = steady.endToEnd();
                    overhead = steady.overhead();
                    latency =
                            new Figures.Latency(
                                    rate,
                                    count,
                                    endToEnd.getValueAtPercentile(50),
                                    endToEnd.getValueAtPercentile(99),
                                    overhead.getValueAtPercentile(50),
                                    overhead.getValueAtPercentile(99),
                                    overhead.getValueAtPercentile(99.9),
                                    overhead.getMaxValue(),
                                    steady.split(),
                                    steady.parts());
                }
                List<ResourceSampler.Sample> samples = sampler.samples();
                ResourceSampler.Sample last = sampler.sample();
                Figures.Checkpoints checkpoints = checkpoints(samples, last, spec);
                List<LatencyBook.Point> timeline = new ArrayList<>(backlog.timeline());
                Figures.Run figures =
                        new Figures.Run(
                                spec.name(),
                                spec.pipeline() ? "pipeline" : "passthrough",
                                spec.delivery().name(),
                                spec.pipeline() ? spec.agentLatencyMs() : -1,
                                spec.tasks(),
                                throughput,
                                cpu[0],
                                cpu[1],
                                backlog.duplicates(),
                                latency,
                                checkpoints);
                String warning = null;
                if (spec.delivery() == DeliveryGuarantee.EXACTLY_ONCE) {
                    String unmeasured =
                            LatencyBook.unmeasuredDrain(timeline, spec.tasks(), checkpointInterval);
                    if (unmeasured != null) {
                        warning = "`" + spec.name() + "`: " + unmeasured;
                        System.out.println("warning: " + warning);
                    }
                }
                return new Outcome(
                        figures,
                        startMillis,
                        timeline,
                        samples,
                        endToEnd,
                        overhead,
                        reader.statuses(),
                        warning);
            } finally {
                profile.stop();
                cancel(job);
            }
        }
    }

    private void await(LatencyBook book, JobClient job, ResultReader reader) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!book.complete()) {
            reader.check();
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
                throw new IllegalStateException("the job ended early: " + status);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "only "
                                + book.distinct()
                                + " of "
                                + book.capacity()
                                + " results within "
                                + timeout);
            }
            Thread.sleep(100);
        }
    }

    private static void cancel(JobClient job) {
        try {
            job.cancel().get(60, TimeUnit.SECONDS);
            job.getJobExecutionResult().handle((r, e) -> null).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Already over; nothing left to stop.
        }
    }

    /** CPU-seconds of this JVM and of the broker per 1,000 tasks, between 10% and 90% drained. */
    static double[] cpuPer1000(
            List<LatencyBook.Point> timeline, List<ResourceSampler.Sample> samples, long tasks) {
        LatencyBook.Point[] window = LatencyBook.steadyWindow(timeline, tasks);
        if (window == null || samples.isEmpty()) {
            return new double[] {Double.NaN, Double.NaN};
        }
        ResourceSampler.Sample a = ResourceSampler.at(samples, window[0].millis());
        ResourceSampler.Sample b = ResourceSampler.at(samples, window[1].millis());
        double thousands = (window[1].distinct() - window[0].distinct()) / 1000.0;
        return new double[] {
            (b.jvmCpuNanos() - a.jvmCpuNanos()) / 1e9 / thousands,
            (b.brokerCpuNanos() - a.brokerCpuNanos()) / 1e9 / thousands
        };
    }

    private Figures.Checkpoints checkpoints(
            List<ResourceSampler.Sample> samples, ResourceSampler.Sample last, Spec spec)
            throws IOException {
        List<ResourceSampler.Sample> all = new ArrayList<>(samples);
        all.add(last);
        long completed = -1;
        long lastMillis = -1;
        long maxMillis = -1;
        long lastBytes = -1;
        long fullBytes = -1;
        long stateBytes = -1;
        long liveBytes = -1;
        for (ResourceSampler.Sample sample : all) {
            if (sample.checkpoints() >= 0) {
                completed = sample.checkpoints();
                lastMillis = sample.checkpointMillis();
                lastBytes = sample.checkpointBytes();
                fullBytes = sample.checkpointFullBytes();
                maxMillis = Math.max(maxMillis, sample.checkpointMillis());
            }
            if (sample.sstBytes() >= 0) {
                stateBytes = sample.sstBytes();
                liveBytes = sample.liveDataBytes();
            }
        }
        return new Figures.Checkpoints(
                completed,
                lastMillis,
                maxMillis,
                lastBytes,
                fullBytes,
                stateBytes,
                liveBytes,
                size(checkpoints(spec)));
    }

    /**
     * The bytes of the files under {@code dir}. Flink may still be removing a finished job's
     * checkpoints: a file or folder that goes while it is walked counts for nothing.
     */
    static long size(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long[] total = {0};
        Files.walkFileTree(
                dir,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                        if (attributes.isRegularFile()) {
                            total[0] += attributes.size();
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e)
                            throws IOException {
                        return gone(e);
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path folder, IOException e)
                            throws IOException {
                        return e == null ? FileVisitResult.CONTINUE : gone(e);
                    }

                    private FileVisitResult gone(IOException e) throws IOException {
                        if (e instanceof NoSuchFileException) {
                            return FileVisitResult.CONTINUE;
                        }
                        throw e;
                    }
                });
        return total[0];
    }

    /** Brackets the phase of a run worth profiling. */
    public interface Profiler {
        Profiler NONE =
                new Profiler() {
                    @Override
                    public void start() {}

                    @Override
                    public void stop() {}
                };

        void start() throws Exception;

        void stop() throws Exception;
    }

    @Override
    public void close() {
        kafka.close();
    }
}
