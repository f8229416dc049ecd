package io.hivestream.loadtests;

import io.hivestream.connectors.kafka.KafkaIO;
import io.hivestream.connectors.kafka.RecordSerializer;
import io.hivestream.jobs.HivestreamOptions;
import io.hivestream.operators.decode.DecodeFunction;
import io.hivestream.operators.decode.RawDecoder;
import io.hivestream.operators.decode.TaskValidator;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.codec.Codecs;
import io.hivestream.schemas.internal.RawRecord;
import java.time.Clock;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The ceiling the pipeline is measured against: the same tasks topic, source, decoder, result
 * encoding and sink as the Hivestream job, and nothing in between. Each task becomes a {@code
 * COMPLETED} result that echoes its input, written with the same delivery guarantee. Records that
 * do not decode are dropped (the benchmark publishes none).
 */
public final class PassthroughJob {
    private PassthroughJob() {}

    /** Adds the passthrough job to {@code env}, configured with the job's own options. */
    public static DataStream<TaskResult> build(StreamExecutionEnvironment env, Configuration conf) {
        String bootstrap = conf.get(HivestreamOptions.BOOTSTRAP_SERVERS);
        DataStream<RawRecord> raw =
                env.fromSource(
                                KafkaIO.rawSource(
                                        bootstrap,
                                        conf.get(HivestreamOptions.TASKS_TOPIC),
                                        conf.get(HivestreamOptions.GROUP_ID),
                                        conf.get(HivestreamOptions.START_FROM),
                                        conf.get(HivestreamOptions.BOUNDED)),
                                WatermarkStrategy.noWatermarks(),
                                "tasks source")
                        .uid("tasks-source");
        RawDecoder decoder =
                new RawDecoder(
                        new TaskValidator(
                                conf.get(HivestreamOptions.MAX_INPUT_CHARS),
                                conf.get(HivestreamOptions.MAX_REPLICAS)));
        DataStream<TaskResult> results =
                raw.process(
                                new DecodeFunction<>(
                                        "decode-tasks", decoder::decodeTask, Clock.systemUTC()),
                                new AvroTypeInfo<>(Task.class))
                        .uid("decode-tasks")
                        .name("decode tasks")
                        .map(new Echo(), new AvroTypeInfo<>(TaskResult.class))
                        .uid("echo")
                        .name("echo");
        results.sinkTo(
                        KafkaIO.sink(
                                bootstrap,
                                conf.get(HivestreamOptions.RESULTS_TOPIC),
                                Codecs.TASK_RESULT,
                                conf.get(HivestreamOptions.RESULTS_FORMAT),
                                r -> RecordSerializer.utf8(r.getTaskId()),
                                conf.get(HivestreamOptions.DELIVERY),
                                conf.get(HivestreamOptions.TRANSACTIONAL_ID_PREFIX) + "-results",
                                conf.get(HivestreamOptions.TRANSACTION_TIMEOUT)))
                .uid("results-sink")
                .name("results sink");
        return results;
    }

    /** A task's result without any agent: its input echoed. */
    static final class Echo implements MapFunction<Task, TaskResult> {
        private static final long serialVersionUID = 1L;

        @Override
        public TaskResult map(Task task) {
            return TaskResult.newBuilder()
                    .setTaskId(task.getTaskId())
                    .setTenant(task.getTenant())
                    .setSessionId(task.getSessionId())
                    .setKind(task.getKind())
                    .setStatus(TaskStatus.COMPLETED)
                    .setOutput(task.getInput())
                    .setStrategy(Strategy.DIRECT)
                    .setCompletedAt(System.currentTimeMillis())
                    .build();
        }
    }
}
