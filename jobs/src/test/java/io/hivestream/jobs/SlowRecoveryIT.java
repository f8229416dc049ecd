package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.connectors.agents.onnx.MiniLmTextEmbedder;
import io.hivestream.connectors.kafka.KafkaIO;
import io.hivestream.connectors.kafka.RecordSerializer;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.codec.Codecs;
import io.hivestream.schemas.codec.WireFormat;
import io.hivestream.schemas.internal.RawRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recovery much slower than usual loses nothing. The job crashes right after a checkpoint
 * completed and before the results sink committed that checkpoint's Kafka transaction, with agent
 * calls in flight; it restarts only after a fixed delay of many checkpoint intervals. The
 * transaction stays open on the broker all that time, and the restored job commits it: with the
 * least transaction timeout the job accepts, every task has exactly one result for read_committed
 * consumers. The broker here aborts timed-out transactions within a second, so that a timeout
 * shorter than the recovery (which the job refuses) shows as lost results.
 */
class SlowRecoveryIT extends FlinkJobCase {
    private static final Duration RESTART_DELAY = Duration.ofSeconds(8);

    static KafkaJobFixture fixture;

    @BeforeAll
    static void startKafka() throws Exception {
        // Timed-out transactions are aborted within a second instead of ten, so a transaction
        // timeout shorter than the recovery would show here as lost results.
        fixture =
                new KafkaJobFixture(
                        Map.of(
                                "transaction.abort.timed.out.transaction.cleanup.interval.ms",
                                "1000"));
        // Agents slow enough that calls are in flight at the crash.
        fixture.register(Agents.simulated("m-slow", List.of("math"), 0.001, "latencyMs", "300"));
    }

    @AfterAll
    static void stopKafka() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /**
     * The results sink with a crash: once armed, the first commit of a checkpoint's transaction
     * throws instead, as a TaskManager dying between the checkpoint's completion and the commit
     * would. The transaction stays pre-committed on the broker and in the checkpoint.
     */
    static final class CrashBeforeCommitSink
            implements Sink<TaskResult>,
                    SupportsCommitter<KafkaCommittable>,
                    SupportsWriterState<TaskResult, KafkaWriterState> {
        private static final long serialVersionUID = 1L;
        static volatile boolean armed;
        static final AtomicBoolean crashed = new AtomicBoolean();
        static final AtomicLong crashedAtNanos = new AtomicLong();
        static final AtomicInteger pendingAtCrash = new AtomicInteger();
        private final KafkaSink<TaskResult> kafka;

        CrashBeforeCommitSink(KafkaSink<TaskResult> kafka) {
            this.kafka = kafka;
        }

        @Override
        public SinkWriter<TaskResult> createWriter(WriterInitContext context) throws IOException {
            return kafka.createWriter(context);
        }

        @Override
        public StatefulSinkWriter<TaskResult, KafkaWriterState> restoreWriter(
                WriterInitContext context, Collection<KafkaWriterState> state) throws IOException {
            return kafka.restoreWriter(context, state);
        }

        @Override
        public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
            return kafka.getWriterStateSerializer();
        }

        @Override
        public Committer<KafkaCommittable> createCommitter(CommitterInitContext context)
                throws IOException {
            Committer<KafkaCommittable> committer = kafka.createCommitter(context);
            return new Committer<>() {
                @Override
                public void commit(Collection<CommitRequest<KafkaCommittable>> requests)
                        throws IOException, InterruptedException {
                    if (armed && !requests.isEmpty() && crashed.compareAndSet(false, true)) {
                        pendingAtCrash.set(requests.size());
                        crashedAtNanos.set(System.nanoTime());
                        throw new IOException(
                                "crashing on purpose before committing "
                                        + requests.size()
                                        + " transaction(s)");
                    }
                    committer.commit(requests);
                }

                @Override
                public void close() throws Exception {
                    committer.close();
                }
            };
        }

        @Override
        public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
            return kafka.getCommittableSerializer();
        }
    }

    /** A test-only step: counts completed checkpoints and notes when the job was restored. */
    static final class Watch extends RichMapFunction<Task, Task> implements CheckpointListener {
        private static final long serialVersionUID = 1L;
        static final AtomicLong completedCheckpoints = new AtomicLong();
        static final AtomicLong restoredAtNanos = new AtomicLong();

        @Override
        public void open(OpenContext context) {
            if (getRuntimeContext().getTaskInfo().getAttemptNumber() > 0) {
                restoredAtNanos.compareAndSet(0, System.nanoTime());
            }
        }

        @Override
        public Task map(Task task) {
            return task;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            completedCheckpoints.incrementAndGet();
        }
    }

    @Test
    void aRecoveryManyCheckpointIntervalsLongCommitsThePendingTransaction(@TempDir Path checkpoints)
            throws Exception {
        Configuration conf = jobConf(checkpoints);
        // The least timeout the job accepts with these settings: 5 x 0.5 s + 50 s + 8 s.
        Duration txTimeout = HivestreamJob.leastTransactionTimeout(conf);
        assertThat(txTimeout).isEqualTo(Duration.ofMillis(60_500));
        HivestreamJob.checkTransactionTimeout(conf, DeliveryGuarantee.EXACTLY_ONCE, txTimeout);

        Map<String, List<TaskResult>> results = crashAndRecoverSlowly("accepted", conf, txTimeout);

        assertThat(results.keySet()).isEqualTo(taskIds("accepted", 0, 3 * BATCH));
        assertThat(results.values()).allMatch(r -> r.size() == 1);
        for (int i = 0; i < 3 * BATCH; i++) {
            TaskResult result = results.get("accepted-" + i).get(0);
            assertThat(result.getStatus()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(result.getOutput()).isEqualTo(Integer.toString(3 * i));
        }
    }

    /**
     * Why the timeout is checked: with a timeout shorter than the recovery (which the job refuses),
     * the broker aborts the pending transaction while the job is down, and the results it held are
     * lost although their checkpoint completed.
     */
    @Test
    void aTransactionTimeoutShorterThanTheRecoveryLosesCommittedResults(@TempDir Path checkpoints)
            throws Exception {
        Configuration conf = jobConf(checkpoints);
        Duration txTimeout = Duration.ofSeconds(3);
        assertThatThrownBy(
                        () ->
                                HivestreamJob.checkTransactionTimeout(
                                        conf, DeliveryGuarantee.EXACTLY_ONCE, txTimeout))
                .isInstanceOf(IllegalArgumentException.class);

        Map<String, List<TaskResult>> results = crashAndRecoverSlowly("refused", conf, txTimeout);

        Set<String> lost = new java.util.HashSet<>(taskIds("refused", 0, 3 * BATCH));
        lost.removeAll(results.keySet());
        assertThat(lost).isNotEmpty();
        // Only tasks of the batch around the crash are lost; nothing is duplicated.
        assertThat(taskIds("refused", BATCH, BATCH)).containsAll(lost);
        assertThat(results.values()).allMatch(r -> r.size() == 1);
    }

    private static Configuration jobConf(Path checkpoints) {
        Configuration conf = fixture.jobConf(checkpoints, false, true);
        // Checkpoints every 500 ms (the fixture's); restarts after 8 s, sixteen intervals.
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, RESTART_DELAY);
        return conf;
    }

    private static final int BATCH = 100;

    /**
     * Runs the job on topics of its own: a first batch of tasks is committed; the crash is armed
     * and a second batch published; the first commit after that crashes the job, which restarts
     * after the restart delay; a third batch is published once it is restored. Returns the results
     * by task id once the third batch has its results and four more checkpoints completed.
     */
    private static Map<String, List<TaskResult>> crashAndRecoverSlowly(
            String name, Configuration conf, Duration txTimeout) throws Exception {
        CrashBeforeCommitSink.armed = false;
        CrashBeforeCommitSink.crashed.set(false);
        CrashBeforeCommitSink.pendingAtCrash.set(0);
        Watch.restoredAtNanos.set(0);
        String tasks = name + ".tasks";
        String results = name + ".results";
        fixture.kafka.createTopic(tasks, 2);
        fixture.kafka.createTopic(results, 2);

        publish(tasks, name, 0, BATCH);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        build(env, conf, name, txTimeout);
        JobClient job = env.executeAsync("slow-recovery-it-" + name);
        try {
            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> results(results).keySet().containsAll(taskIds(name, 0, BATCH)));
            CrashBeforeCommitSink.armed = true;
            publish(tasks, name, BATCH, BATCH);
            await().pollInterval(Duration.ofMillis(200))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> Watch.restoredAtNanos.get() > 0);
            assertThat(CrashBeforeCommitSink.crashed).isTrue();
            assertThat(CrashBeforeCommitSink.pendingAtCrash.get()).isPositive();
            // The job was down for at least the restart delay, sixteen checkpoint intervals.
            assertThat(
                            Duration.ofNanos(
                                    Watch.restoredAtNanos.get()
                                            - CrashBeforeCommitSink.crashedAtNanos.get()))
                    .isGreaterThanOrEqualTo(RESTART_DELAY);
            publish(tasks, name, 2 * BATCH, BATCH);
            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofMinutes(3))
                    .until(
                            () ->
                                    results(results)
                                            .keySet()
                                            .containsAll(taskIds(name, 2 * BATCH, BATCH)));
            // Four more checkpoints: anything replayed or recommitted is visible by now.
            long seen = Watch.completedCheckpoints.get();
            await().pollInterval(Duration.ofMillis(200))
                    .atMost(Duration.ofMinutes(1))
                    .until(() -> Watch.completedCheckpoints.get() >= seen + 4);
        } finally {
            stop(job);
        }
        return results(results);
    }

    private static Set<String> taskIds(String name, int from, int count) {
        return IntStream.range(from, from + count)
                .mapToObj(i -> name + "-" + i)
                .collect(Collectors.toSet());
    }

    private static Map<String, List<TaskResult>> results(String topic) {
        return fixture.read(topic).stream()
                .map(r -> Codecs.TASK_RESULT.decode(r.value()))
                .collect(Collectors.groupingBy(TaskResult::getTaskId));
    }

    /** The job as {@link HivestreamJob#build} wires it, with the crashing results sink. */
    private static void build(
            StreamExecutionEnvironment env, Configuration conf, String name, Duration tx) {
        String bootstrap = fixture.kafka.bootstrapServers();
        DataStream<RawRecord> tasks =
                env.fromSource(
                                KafkaIO.rawSource(
                                        bootstrap,
                                        name + ".tasks",
                                        name,
                                        KafkaIO.StartFrom.COMMITTED,
                                        false),
                                WatermarkStrategy.noWatermarks(),
                                "tasks source")
                        .uid("tasks-source");
        DataStream<RawRecord> agents =
                env.fromSource(
                                KafkaIO.rawSource(
                                        bootstrap,
                                        KafkaJobFixture.AGENTS,
                                        name + "-agents",
                                        KafkaIO.StartFrom.EARLIEST,
                                        false),
                                WatermarkStrategy.noWatermarks(),
                                "agents source")
                        .uid("agents-source")
                        .setParallelism(1);
        DataStream<RawRecord> metrics =
                env.fromSource(
                                KafkaIO.rawSource(
                                        bootstrap,
                                        KafkaJobFixture.METRICS,
                                        name + "-metrics",
                                        KafkaIO.StartFrom.EARLIEST,
                                        false),
                                WatermarkStrategy.noWatermarks(),
                                "metrics source")
                        .uid("metrics-source");
        DeliveryGuarantee once = DeliveryGuarantee.EXACTLY_ONCE;
        Pipeline.Sinks sinks =
                new Pipeline.Sinks(
                        new CrashBeforeCommitSink(
                                KafkaIO.sink(
                                        bootstrap,
                                        name + ".results",
                                        Codecs.TASK_RESULT,
                                        WireFormat.AVRO,
                                        r -> RecordSerializer.utf8(r.getTaskId()),
                                        once,
                                        name + "-results",
                                        tx)),
                        KafkaIO.sink(
                                bootstrap,
                                KafkaJobFixture.METRICS,
                                Codecs.METRIC,
                                WireFormat.AVRO,
                                m ->
                                        RecordSerializer.utf8(
                                                m.getAgentId() != null
                                                        ? m.getAgentId()
                                                        : m.getTaskId()),
                                once,
                                name + "-metrics",
                                tx),
                        KafkaIO.sink(
                                bootstrap,
                                KafkaJobFixture.DLQ,
                                Codecs.DEAD_LETTER,
                                WireFormat.AVRO,
                                d -> null,
                                once,
                                name + "-dlq",
                                tx),
                        KafkaIO.sink(
                                bootstrap,
                                name + ".tasks",
                                Codecs.TASK,
                                WireFormat.AVRO,
                                t -> RecordSerializer.utf8(t.getTaskId()),
                                once,
                                name + "-subtasks",
                                tx));
        Pipeline.define(
                tasks,
                agents,
                metrics,
                sinks,
                conf,
                new AgentRuntimes(),
                new MiniLmTextEmbedder(),
                Clock.systemUTC(),
                decoded ->
                        decoded.map(new Watch(), new AvroTypeInfo<>(Task.class))
                                .uid("watch")
                                .name("watch"));
    }

    private static void publish(String topic, String name, int from, int count) throws Exception {
        for (int i = from; i < from + count; i++) {
            fixture.sendJson(
                    topic,
                    name + "-" + i,
                    "{\"taskId\":\""
                            + name
                            + "-"
                            + i
                            + "\",\"kind\":\"math\",\"input\":\""
                            + i
                            + " * 3\"}");
        }
    }
}
