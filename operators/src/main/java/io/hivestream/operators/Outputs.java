package io.hivestream.operators;

import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.Metric;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

/** The side outputs every stage may write to. */
public final class Outputs {
    /** Metric records: one per agent call, per finished task, per reputation change. */
    public static final OutputTag<Metric> METRICS =
            new OutputTag<>("metrics", new AvroTypeInfo<>(Metric.class));

    /** Records that could not be processed, with the reason. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    private Outputs() {}
}
