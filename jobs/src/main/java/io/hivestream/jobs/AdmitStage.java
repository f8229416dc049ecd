package io.hivestream.jobs;

import io.hivestream.operators.admit.AdmitFunction;
import io.hivestream.operators.decode.DecodeFunction;
import io.hivestream.operators.decode.RawDecoder;
import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.Tenant;
import io.hivestream.schemas.internal.AdmitSignal;
import io.hivestream.schemas.internal.RawRecord;
import java.time.Clock;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The admit stage's wiring, between decode and analyse: tenant records and the call and task
 * metrics read back meet the tasks, keyed by tenant.
 *
 * <pre>
 * tasks ─ decode ─ admit (keyed by tenant) ─ analyse ...   REJECTED ─ aggregate
 * tenants ─ decode ─┐                 ↑
 * metrics read back ─ calls and tasks ┘
 * </pre>
 *
 * @param admitted the tasks that may start
 * @param rejected the results of tasks that may not, for the aggregate stage
 * @param deadLetters tenant records that did not decode or validate
 */
record AdmitStage(
        DataStream<Task> admitted,
        DataStream<TaskResult> rejected,
        DataStream<DeadLetter> deadLetters) {

    /** Adds the stage; {@code feedback} is the metrics topic, decoded. */
    static AdmitStage define(
            DataStream<Task> tasks,
            DataStream<RawRecord> rawTenants,
            DataStream<Metric> feedback,
            RawDecoder decoder,
            ReadableConfig conf,
            Clock clock) {
        SingleOutputStreamOperator<Tenant> tenants =
                rawTenants
                        .process(
                                new DecodeFunction<>(
                                        "decode-tenants", decoder::decodeTenant, clock),
                                new AvroTypeInfo<>(Tenant.class))
                        .uid("decode-tenants")
                        .name("decode tenants");
        AvroTypeInfo<AdmitSignal> signal = new AvroTypeInfo<>(AdmitSignal.class);
        DataStream<AdmitSignal> signals =
                tenants.map(t -> AdmitSignal.newBuilder().setTenant(t).build(), signal)
                        .uid("tenant-records")
                        .name("tenant records")
                        .union(
                                feedback.filter(AdmitFunction::concernsAdmission)
                                        .uid("tenant-feedback")
                                        .name("tenant feedback")
                                        .map(
                                                m -> AdmitSignal.newBuilder().setMetric(m).build(),
                                                signal)
                                        .uid("tenant-metrics")
                                        .name("tenant metrics"));
        SingleOutputStreamOperator<Task> admitted =
                tasks.keyBy(Task::getTenant, Types.STRING)
                        .connect(signals.keyBy(AdmitFunction::tenantOf, Types.STRING))
                        .process(
                                new AdmitFunction(
                                        clock,
                                        conf.get(HivestreamOptions.TENANTS_MAX_WAIT),
                                        conf.get(HivestreamOptions.TENANTS_MAX_WAITING)),
                                new AvroTypeInfo<>(Task.class))
                        .uid("admit")
                        .name("admit");
        return new AdmitStage(
                admitted,
                admitted.getSideOutput(AdmitFunction.REJECTED),
                tenants.getSideOutput(io.hivestream.operators.Outputs.DEAD_LETTERS));
    }
}
