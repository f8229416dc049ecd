package io.hivestream.operators.analyse;

import io.hivestream.operators.cache.CachePolicy;
import io.hivestream.operators.decode.DecodeFunction;
import io.hivestream.operators.decode.RawDecoder;
import io.hivestream.schemas.RouterModel;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.codec.Codecs;
import io.hivestream.schemas.internal.AnalyzedTask;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analyse stage of a job that takes new complexity models while it runs. Checked records of the
 * models topic arrive on the broadcast side and are kept, by the analyser slot they fill, in
 * broadcast state (so a restore brings them back); the next task is analysed by the analyser {@link
 * LiveModels} builds from them, and names the model's version in its analysis. Otherwise the same
 * as {@link AnalyseFunction}.
 */
public final class LiveAnalyseFunction
        extends BroadcastProcessFunction<Task, RouterModel, AnalyzedTask> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LiveAnalyseFunction.class);

    /** The models in use, by {@link RouterModel#getAnalyzer()}. */
    public static final MapStateDescriptor<String, RouterModel> MODELS =
            new MapStateDescriptor<>(
                    "router-models", Types.STRING, new AvroTypeInfo<>(RouterModel.class));

    private final LiveModels models;
    private final Clock clock;
    private final CachePolicy cache;
    private transient ComplexityAnalyzer analyzer;
    private transient Map<String, RouterModel> built;
    private transient Counter installed;

    public LiveAnalyseFunction(LiveModels models, Clock clock, CachePolicy cache) {
        this.models = models;
        this.clock = clock;
        this.cache = cache;
    }

    @Override
    public void open(OpenContext openContext) {
        installed = getRuntimeContext().getMetricGroup().counter("modelsInstalled");
    }

    @Override
    public void processElement(Task task, ReadOnlyContext ctx, Collector<AnalyzedTask> out)
            throws Exception {
        AnalyseFunction.emit(
                AnalyseFunction.analyse(current(ctx.getBroadcastState(MODELS)), clock, cache, task),
                out,
                ctx::output);
    }

    @Override
    public void processBroadcastElement(RouterModel model, Context ctx, Collector<AnalyzedTask> out)
            throws Exception {
        ctx.getBroadcastState(MODELS).put(model.getAnalyzer(), model);
    }

    /**
     * The analyser of the records in {@code state}: the one in use while they are the records it
     * was built from (the same objects: a record replaced or restored is a new one).
     */
    private ComplexityAnalyzer current(ReadOnlyBroadcastState<String, RouterModel> state)
            throws Exception {
        if (analyzer != null && unchanged(state)) {
            return analyzer;
        }
        Map<String, RouterModel> records = new HashMap<>();
        for (Map.Entry<String, RouterModel> entry : state.immutableEntries()) {
            records.put(entry.getKey(), entry.getValue());
        }
        ComplexityAnalyzer next = build(records);
        if (analyzer != null && next != analyzer) {
            analyzer.close();
            installed.inc();
        }
        if (next != analyzer) {
            LOG.info("complexity models now in use: {}", versions(records));
        }
        analyzer = next;
        built = records;
        return analyzer;
    }

    /**
     * The analyser of {@code records}. A record the check passed can still fail here: one restored
     * from a checkpoint or savepoint of a build with other features, or a TaskManager that cannot
     * load what the check loaded. Then the records that still pass the check are used, and failing
     * that the analyser in use, or the job's own: a model never fails the job.
     */
    private ComplexityAnalyzer build(Map<String, RouterModel> records) {
        try {
            return models.analyzer(records);
        } catch (RuntimeException e) {
            LOG.error("cannot use the models {}: {}", versions(records), e.getMessage(), e);
        }
        Map<String, RouterModel> usable = new HashMap<>();
        records.forEach(
                (slot, model) -> {
                    try {
                        models.check(model);
                        usable.put(slot, model);
                    } catch (RuntimeException e) {
                        LOG.error(
                                "model {} for {} is left out: {}",
                                model.getVersion(),
                                slot,
                                e.getMessage());
                    }
                });
        try {
            return models.analyzer(usable);
        } catch (RuntimeException e) {
            LOG.error("cannot use the models {} either", versions(usable), e);
        }
        return analyzer != null ? analyzer : models.analyzer(Map.of());
    }

    private boolean unchanged(ReadOnlyBroadcastState<String, RouterModel> state) throws Exception {
        int size = 0;
        for (Map.Entry<String, RouterModel> entry : state.immutableEntries()) {
            if (built.get(entry.getKey()) != entry.getValue()) {
                return false;
            }
            size++;
        }
        return size == built.size();
    }

    private static Map<String, String> versions(Map<String, RouterModel> records) {
        Map<String, String> versions = new HashMap<>();
        records.forEach((slot, model) -> versions.put(slot, model.getVersion()));
        return versions;
    }

    @Override
    public void close() {
        if (analyzer != null) {
            analyzer.close();
        }
    }

    /**
     * Decodes a record of the models topic and checks it with {@code models}: what fails goes to
     * the dead letters with the reason, and the models in use stay.
     */
    public static DecodeFunction.Decoder<RouterModel> checker(LiveModels models) {
        return raw -> {
            RouterModel model = Codecs.ROUTER_MODEL.decode(bytes(raw.getValue()));
            try {
                models.check(model);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "model "
                                + model.getVersion()
                                + " for "
                                + model.getAnalyzer()
                                + " refused, the models in use stay: "
                                + e.getMessage(),
                        e);
            }
            return model;
        };
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            throw new IllegalArgumentException(
                    "a models topic record has no value; publish a model with ./hivestream models"
                            + " publish");
        }
        return RawDecoder.bytes(buffer);
    }
}
