package io.hivestream.operators.decode;

import io.hivestream.operators.Outputs;
import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.codec.FastCoders;
import io.hivestream.schemas.internal.RawRecord;
import java.time.Clock;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes raw records with a given decoder; anything that fails goes to the dead-letter side output
 * with the original bytes, where it came from and why. Never throws on bad input.
 */
public final class DecodeFunction<T> extends ProcessFunction<RawRecord, T> {
    private static final long serialVersionUID = 1L;

    /** The decoding step; throws with a clear message on bad input. */
    @FunctionalInterface
    public interface Decoder<T> extends java.io.Serializable {
        T decode(RawRecord raw) throws Exception;
    }

    private final String stage;
    private final Decoder<T> decoder;
    private final Clock clock;
    private transient Counter decoded;
    private transient Counter rejected;

    public DecodeFunction(String stage, Decoder<T> decoder, Clock clock) {
        this.stage = stage;
        this.decoder = decoder;
        this.clock = clock;
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext openContext) {
        FastCoders.enable();
        decoded = getRuntimeContext().getMetricGroup().counter("decoded");
        rejected = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<T> out) {
        T value;
        try {
            value = decoder.decode(raw);
        } catch (Exception e) {
            ctx.output(Outputs.DEAD_LETTERS, deadLetter(raw, stage, e, clock.millis()));
            rejected.inc();
            return;
        }
        decoded.inc();
        out.collect(value);
    }

    public static DeadLetter deadLetter(RawRecord raw, String stage, Exception e, long now) {
        String reason = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        return DeadLetter.newBuilder()
                .setTopic(raw.getTopic())
                .setPartition(raw.getPartition())
                .setOffset(raw.getOffset())
                .setTimestamp(raw.getTimestamp())
                .setKey(raw.getKey())
                .setValue(raw.getValue())
                .setStage(stage)
                .setReason(reason)
                .setErrorClass(e.getClass().getName())
                .setFailedAt(now)
                .build();
    }
}
