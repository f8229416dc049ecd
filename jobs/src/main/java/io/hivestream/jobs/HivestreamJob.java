package io.hivestream.jobs;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.connectors.agents.onnx.MiniLmTextEmbedder;
import io.hivestream.connectors.kafka.KafkaAccessCheck;
import io.hivestream.connectors.kafka.KafkaCallJournal;
import io.hivestream.connectors.kafka.KafkaConnection;
import io.hivestream.connectors.kafka.KafkaIO;
import io.hivestream.connectors.kafka.RecordSerializer;
import io.hivestream.operators.decode.RawDecoder;
import io.hivestream.operators.decode.TenantSource;
import io.hivestream.operators.execute.AgentRuntimeFactory;
import io.hivestream.operators.execute.CallJournal;
import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.RoutingExample;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.codec.Codecs;
import io.hivestream.schemas.codec.WireFormat;
import io.hivestream.schemas.internal.RawRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The production wiring: Kafka sources and sinks from {@link HivestreamOptions}, around {@link
 * Pipeline}. {@link #main} is the entry point of the job jar ({@code flink run}); it takes {@code
 * --config FILE} (Java properties) and {@code --KEY VALUE} pairs.
 */
public final class HivestreamJob {
    public static final String JOB_NAME = "hivestream";

    private HivestreamJob() {}

    public static void main(String[] args) throws Exception {
        Configuration conf = parseArgs(args);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(JobSettings.apply(conf));
        build(env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());
        env.execute(JOB_NAME);
    }

    /** Starts the job without waiting for it; the demo and tests use this. */
    public static JobClient start(StreamExecutionEnvironment env, Configuration conf)
            throws Exception {
        build(env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());
        return env.executeAsync(JOB_NAME);
    }

    /** Adds the whole job, Kafka in and out, to {@code env}. */
    public static DataStream<TaskResult> build(
            StreamExecutionEnvironment env,
            Configuration conf,
            AgentRuntimeFactory runtimes,
            Clock clock,
            UnaryOperator<DataStream<Task>> afterDecode) {
        KafkaConnection kafka = StageSettings.kafkaConnection(conf);
        boolean bounded = conf.get(HivestreamOptions.BOUNDED);
        String group = conf.get(HivestreamOptions.GROUP_ID);
        checkAccess(kafka, conf);

        String tasksTopic = conf.get(HivestreamOptions.TASKS_TOPIC);
        DataStream<RawRecord> tasks =
                env.fromSource(
                                conf.get(HivestreamOptions.TENANT_SOURCE) == TenantSource.Mode.TOPIC
                                        // The tasks topic (the job's own subtasks) and one per
                                        // tenant, TASKS.TENANT.
                                        ? KafkaIO.rawSource(
                                                kafka,
                                                Pattern.compile(
                                                        Pattern.quote(tasksTopic) + "(\\..+)?"),
                                                group,
                                                conf.get(HivestreamOptions.START_FROM),
                                                bounded)
                                        : KafkaIO.rawSource(
                                                kafka,
                                                tasksTopic,
                                                group,
                                                conf.get(HivestreamOptions.START_FROM),
                                                bounded,
                                                // Only HEADER mode reads a header.
                                                conf.get(HivestreamOptions.TENANT_SOURCE)
                                                                == TenantSource.Mode.HEADER
                                                        ? conf.get(HivestreamOptions.TENANT_HEADER)
                                                        : null),
                                WatermarkStrategy.noWatermarks(),
                                "tasks source")
                        .uid("tasks-source");
        DataStream<RawRecord> tenants =
                conf.get(HivestreamOptions.TENANTS_ENFORCE)
                        ? oneReader(
                                env,
                                kafka,
                                conf.get(HivestreamOptions.TENANTS_TOPIC),
                                group + "-tenants",
                                KafkaIO.StartFrom.EARLIEST,
                                bounded,
                                "tenants")
                        : null;
        // The registry is compacted: every start reads it whole, unless a checkpoint says where it
        // was.
        DataStream<RawRecord> agents =
                oneReader(
                        env,
                        kafka,
                        conf.get(HivestreamOptions.AGENTS_TOPIC),
                        group + "-agents",
                        KafkaIO.StartFrom.EARLIEST,
                        bounded,
                        "agents");

        // Reputations are rebuilt from the whole metrics topic unless a checkpoint says where it
        // was.
        DataStream<RawRecord> metrics =
                env.fromSource(
                                KafkaIO.rawSource(
                                        kafka,
                                        conf.get(HivestreamOptions.METRICS_TOPIC),
                                        group + "-metrics",
                                        KafkaIO.StartFrom.EARLIEST,
                                        bounded),
                                WatermarkStrategy.noWatermarks(),
                                "metrics source")
                        .uid("metrics-source");

        WireFormat format = conf.get(HivestreamOptions.RESULTS_FORMAT);
        DeliveryGuarantee guarantee = conf.get(HivestreamOptions.DELIVERY);
        String prefix = conf.get(HivestreamOptions.TRANSACTIONAL_ID_PREFIX);
        Duration txTimeout = conf.get(HivestreamOptions.TRANSACTION_TIMEOUT);
        checkTransactionTimeout(conf, guarantee, txTimeout);
        KafkaIO.Compression compression = conf.get(HivestreamOptions.KAFKA_COMPRESSION);
        Pipeline.Sinks sinks =
                new Pipeline.Sinks(
                        KafkaIO.sink(
                                kafka,
                                conf.get(HivestreamOptions.RESULTS_TOPIC),
                                Codecs.TASK_RESULT,
                                format,
                                r -> RecordSerializer.utf8(r.getTaskId()),
                                guarantee,
                                prefix + "-results",
                                txTimeout,
                                compression),
                        KafkaIO.<Metric>sink(
                                kafka,
                                conf.get(HivestreamOptions.METRICS_TOPIC),
                                Codecs.METRIC,
                                format,
                                m ->
                                        RecordSerializer.utf8(
                                                m.getAgentId() != null
                                                        ? m.getAgentId()
                                                        : m.getTaskId()),
                                guarantee,
                                prefix + "-metrics",
                                txTimeout,
                                compression),
                        KafkaIO.<DeadLetter>sink(
                                kafka,
                                conf.get(HivestreamOptions.DLQ_TOPIC),
                                Codecs.DEAD_LETTER,
                                format,
                                d -> d.getKey() == null ? null : RawDecoder.bytes(d.getKey()),
                                guarantee,
                                prefix + "-dlq",
                                txTimeout,
                                compression),
                        // Subtasks of plans go back to the tasks topic; the tasks source reads
                        // committed records only, so a subtask runs once the checkpoint that
                        // released it completes.
                        // With the tenant header, so that a job that takes tenants from it
                        // reads its own subtasks.
                        KafkaIO.<Task>sink(
                                kafka,
                                new RecordSerializer<>(
                                        tasksTopic,
                                        Codecs.TASK,
                                        WireFormat.AVRO,
                                        t -> RecordSerializer.utf8(t.getTaskId()),
                                        conf.get(HivestreamOptions.TENANT_HEADER),
                                        t -> RecordSerializer.utf8(t.getTenant())),
                                guarantee,
                                prefix + "-subtasks",
                                txTimeout,
                                compression),
                        callJournal(kafka, conf),
                        conf.get(HivestreamOptions.ROUTE_EXAMPLES)
                                ? KafkaIO.<RoutingExample>sink(
                                        kafka,
                                        conf.get(HivestreamOptions.EXAMPLES_TOPIC),
                                        Codecs.ROUTING_EXAMPLE,
                                        format,
                                        e -> RecordSerializer.utf8(e.getTaskId()),
                                        guarantee,
                                        prefix + "-examples",
                                        txTimeout,
                                        compression)
                                : null);
        return Pipeline.define(
                tasks,
                agents,
                metrics,
                tenants,
                semanticFills(env, kafka, conf, group, bounded),
                models(env, kafka, conf, group, bounded),
                sinks,
                conf,
                runtimes,
                new MiniLmTextEmbedder(),
                clock,
                afterDecode);
    }

    /**
     * The call journal read back for the semantic cache stage, from its end when the job starts
     * without a checkpoint; null when {@link HivestreamOptions#CACHE_SEMANTIC} is off.
     */
    static DataStream<RawRecord> semanticFills(
            StreamExecutionEnvironment env,
            KafkaConnection kafka,
            Configuration conf,
            String group,
            boolean bounded) {
        if (!conf.get(HivestreamOptions.CACHE_SEMANTIC)) {
            return null;
        }
        String calls = conf.get(HivestreamOptions.CALLS_TOPIC);
        if (calls.isBlank()) {
            throw new IllegalArgumentException(
                    HivestreamOptions.CACHE_SEMANTIC.key()
                            + " needs the call journal, which teaches it its answers: set "
                            + HivestreamOptions.CALLS_TOPIC.key()
                            + " (default hivestream.calls) or turn the semantic cache off");
        }
        return oneReader(
                env, kafka, calls, group + "-cache", KafkaIO.StartFrom.LATEST, bounded, "calls");
    }

    /**
     * The models topic, read whole at a start without a checkpoint (it is compacted: the latest
     * model of each slot); null when {@link HivestreamOptions#LIVE_MODELS} is off.
     */
    static DataStream<RawRecord> models(
            StreamExecutionEnvironment env,
            KafkaConnection kafka,
            Configuration conf,
            String group,
            boolean bounded) {
        if (!conf.get(HivestreamOptions.LIVE_MODELS)) {
            return null;
        }
        return oneReader(
                env,
                kafka,
                conf.get(HivestreamOptions.MODELS_TOPIC),
                group + "-models",
                KafkaIO.StartFrom.EARLIEST,
                bounded,
                "models");
    }

    /**
     * A source of one reader (the registries and side topics: small, read in order), named {@code
     * NAME source} with uid {@code NAME-source}.
     */
    private static DataStream<RawRecord> oneReader(
            StreamExecutionEnvironment env,
            KafkaConnection kafka,
            String topic,
            String group,
            KafkaIO.StartFrom start,
            boolean bounded,
            String name) {
        return env.fromSource(
                        KafkaIO.rawSource(kafka, topic, group, start, bounded),
                        WatermarkStrategy.noWatermarks(),
                        name + " source")
                .uid(name + "-source")
                .setParallelism(1);
    }

    /** The call journal on {@link HivestreamOptions#CALLS_TOPIC}, or none when it is empty. */
    static CallJournal.Factory callJournal(KafkaConnection kafka, Configuration conf) {
        String topic = conf.get(HivestreamOptions.CALLS_TOPIC);
        return topic.isBlank() ? CallJournal.NONE : KafkaCallJournal.factory(kafka, topic);
    }

    /**
     * Fails the start with a sentence naming the problem where the job's Kafka credentials or ACLs
     * do not let it see its topics and consumer groups; see {@link KafkaAccessCheck}.
     */
    static void checkAccess(KafkaConnection kafka, Configuration conf) {
        List<JobAcls.Resource> resources = JobAcls.resources(conf);
        KafkaAccessCheck.check(
                kafka,
                JobAcls.literalNames(resources, ResourceType.TOPIC),
                JobAcls.literalNames(resources, ResourceType.GROUP),
                conf.get(HivestreamOptions.KAFKA_ACCESS_CHECK_TIMEOUT));
    }

    /**
     * Checkpoint intervals of the least transaction timeout that cover a transaction's own
     * interval, a slow checkpoint and restoring the state.
     */
    static final int MIN_TIMEOUT_IN_CHECKPOINT_INTERVALS = 5;

    /**
     * A transaction that outlives its timeout is aborted by the broker, and the results it held
     * would be lost if the job recovers after that: a checkpoint's transaction is committed only
     * after the checkpoint completes, and after a failure by the restored job. So the timeout must
     * cover the transaction's checkpoint interval and checkpoint, the time to notice a lost
     * TaskManager (the heartbeat timeout), the delay before the restart, and the restore.
     */
    static void checkTransactionTimeout(
            org.apache.flink.configuration.ReadableConfig conf,
            DeliveryGuarantee guarantee,
            Duration txTimeout) {
        if (guarantee != DeliveryGuarantee.EXACTLY_ONCE) {
            return;
        }
        Duration interval = checkpointInterval(conf);
        Duration heartbeat = conf.get(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT);
        Duration restart = longestRestartDelay(conf);
        Duration least = leastTransactionTimeout(conf);
        if (txTimeout.compareTo(least) < 0) {
            throw new IllegalArgumentException(
                    HivestreamOptions.TRANSACTION_TIMEOUT.key()
                            + " is "
                            + txTimeout.toSeconds()
                            + " s; with checkpoints every "
                            + interval.toMillis() / 1000.0
                            + " s, a heartbeat timeout of "
                            + heartbeat.toMillis() / 1000.0
                            + " s and restarts delayed up to "
                            + restart.toMillis() / 1000.0
                            + " s it must be at least "
                            + least.toMillis() / 1000.0
                            + " s ("
                            + MIN_TIMEOUT_IN_CHECKPOINT_INTERVALS
                            + " checkpoint intervals + heartbeat timeout + restart delay; and below the broker's"
                            + " transaction.max.timeout.ms), or a slow recovery could abort committed results");
        }
    }

    /**
     * {@value #MIN_TIMEOUT_IN_CHECKPOINT_INTERVALS} checkpoint intervals, plus the heartbeat
     * timeout, plus the longest restart delay.
     */
    static Duration leastTransactionTimeout(org.apache.flink.configuration.ReadableConfig conf) {
        return checkpointInterval(conf)
                .multipliedBy(MIN_TIMEOUT_IN_CHECKPOINT_INTERVALS)
                .plus(conf.get(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT))
                .plus(longestRestartDelay(conf));
    }

    private static Duration checkpointInterval(org.apache.flink.configuration.ReadableConfig conf) {
        return conf.getOptional(
                        org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTING_INTERVAL)
                .orElse(JobSettings.DEFAULT_CHECKPOINT_INTERVAL);
    }

    /**
     * The longest delay before a restart that the job's restart strategy allows. Without one the
     * job gets Flink's default with checkpointing, exponential delay.
     */
    static Duration longestRestartDelay(org.apache.flink.configuration.ReadableConfig conf) {
        String strategy =
                conf.getOptional(RestartStrategyOptions.RESTART_STRATEGY)
                        .orElse("exponential-delay")
                        .toLowerCase(java.util.Locale.ROOT);
        return switch (strategy) {
            case "none", "off", "disable" -> Duration.ZERO;
            case "fixed-delay", "fixeddelay" ->
                    conf.get(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY);
            case "failure-rate", "failurerate" ->
                    conf.get(RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_DELAY);
            case "exponential-delay", "exponentialdelay" -> {
                // The backoff grows up to the maximum; the jitter may add that fraction of it.
                Duration max =
                        conf.get(
                                RestartStrategyOptions
                                        .RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF);
                double jitter =
                        conf.get(
                                RestartStrategyOptions
                                        .RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR);
                yield Duration.ofMillis((long) Math.ceil(max.toMillis() * (1 + jitter)));
            }
            default ->
                    throw new IllegalArgumentException(
                            "unknown "
                                    + RestartStrategyOptions.RESTART_STRATEGY.key()
                                    + " '"
                                    + strategy
                                    + "'");
        };
    }

    /** {@code --config FILE} loads Java properties; {@code --KEY VALUE} pairs override them. */
    public static Configuration parseArgs(String[] args) throws IOException {
        Properties properties = new Properties();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException(
                        "expected --KEY VALUE pairs, got '" + args[i] + "'");
            }
            String key = args[i].substring(2);
            if (key.equals("config")) {
                try (InputStream in = Files.newInputStream(Path.of(args[i + 1]))) {
                    Properties file = new Properties();
                    file.load(in);
                    file.forEach(properties::putIfAbsent);
                }
            } else {
                properties.setProperty(key, args[i + 1]);
            }
        }
        Configuration conf = new Configuration();
        properties.forEach((k, v) -> conf.setString(k.toString(), v.toString()));
        return conf;
    }
}
