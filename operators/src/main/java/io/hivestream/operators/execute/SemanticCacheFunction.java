package io.hivestream.operators.execute;

import io.hivestream.operators.cache.SemanticCache;
import io.hivestream.operators.consensus.TextEmbedder;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.SemanticEntries;
import io.hivestream.schemas.internal.SemanticEntry;
import io.hivestream.schemas.internal.SemanticFill;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The semantic cache stage, between analysis and routing: a task the semantic cache serves (its
 * {@code semanticClass} set) has its input embedded; when an earlier answer of its class fits
 * ({@link SemanticCache}), the task leaves through {@link #HITS} as a cached reply and no agent is
 * called; else it goes on with its embedding, so that the execute stage can journal its answer as a
 * fill. The fills come back as the broadcast input and are kept in broadcast state, the same in
 * every instance, in every checkpoint. Other tasks pass through untouched.
 */
public final class SemanticCacheFunction
        extends BroadcastProcessFunction<AnalyzedTask, SemanticFill, AnalyzedTask> {
    private static final long serialVersionUID = 1L;

    /** The answers per class. */
    public static final MapStateDescriptor<String, SemanticEntries> ENTRIES =
            new MapStateDescriptor<>(
                    "semantic-cache", Types.STRING, new AvroTypeInfo<>(SemanticEntries.class));

    /** Tasks answered from the cache, as the replies the consensus stage takes. */
    public static final OutputTag<CallReply> HITS =
            new OutputTag<>("semantic-cache-hits", new AvroTypeInfo<>(CallReply.class));

    /** Fills between two sweeps of the classes whose answers all expired. */
    static final int SWEEP_EVERY = 1_000;

    private final TextEmbedder embedder;
    private final SemanticCache cache;
    private final Clock clock;

    private transient Counter hits;
    private transient Counter misses;
    private transient Counter fills;
    private transient int sinceSweep;

    public SemanticCacheFunction(TextEmbedder embedder, SemanticCache cache, Clock clock) {
        this.embedder = embedder;
        this.cache = cache;
        this.clock = clock;
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext context) throws Exception {
        hits = getRuntimeContext().getMetricGroup().counter("semanticCacheHits");
        misses = getRuntimeContext().getMetricGroup().counter("semanticCacheMisses");
        fills = getRuntimeContext().getMetricGroup().counter("semanticCacheFills");
    }

    @Override
    public void processElement(AnalyzedTask task, ReadOnlyContext ctx, Collector<AnalyzedTask> out)
            throws Exception {
        String semanticClass = task.getSemanticClass();
        if (semanticClass == null) {
            out.collect(task);
            return;
        }
        String input = task.getTask().getInput();
        float[] embedding = SemanticCache.unit(embedder.embed(input));
        ReadOnlyBroadcastState<String, SemanticEntries> state = ctx.getBroadcastState(ENTRIES);
        SemanticEntries entries = state.get(semanticClass);
        long now = clock.millis();
        SemanticEntry hit =
                entries == null ? null : cache.lookup(entries.getEntries(), embedding, input, now);
        if (hit != null) {
            hits.inc();
            ctx.output(HITS, SemanticFills.reply(task, hit, now));
            return;
        }
        misses.inc();
        task.setEmbedding(SemanticCache.bytes(embedding));
        out.collect(task);
    }

    @Override
    public void processBroadcastElement(SemanticFill fill, Context ctx, Collector<AnalyzedTask> out)
            throws Exception {
        BroadcastState<String, SemanticEntries> state = ctx.getBroadcastState(ENTRIES);
        long now = clock.millis();
        SemanticEntries entries = state.get(fill.getClassKey());
        List<SemanticEntry> kept =
                cache.add(entries == null ? List.of() : entries.getEntries(), fill.getEntry(), now);
        state.put(fill.getClassKey(), new SemanticEntries(kept));
        fills.inc();
        if (++sinceSweep >= SWEEP_EVERY) {
            sinceSweep = 0;
            sweep(state, now);
        }
    }

    /** Drops the classes none of whose answers may be given any more. */
    private void sweep(BroadcastState<String, SemanticEntries> state, long now) throws Exception {
        List<String> expired = new ArrayList<>();
        for (Map.Entry<String, SemanticEntries> entry : state.entries()) {
            if (!cache.anyLive(entry.getValue().getEntries(), now)) {
                expired.add(entry.getKey());
            }
        }
        for (String key : expired) {
            state.remove(key);
        }
    }
}
