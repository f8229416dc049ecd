package io.hivestream.operators.analyse;

import io.hivestream.operators.cache.CachePolicy;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.codec.RecordDefaults;
import io.hivestream.schemas.internal.AnalyzedTask;
import java.time.Clock;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Attaches the analyser's decision, the admission time and, for a task the response cache serves,
 * its cache key ({@link CachePolicy}) to each task. Tasks to decompose leave through {@link #PLANS}
 * for the aggregate stage, which plans them; the others go on to routing.
 */
public final class AnalyseFunction extends ProcessFunction<Task, AnalyzedTask> {
    private static final long serialVersionUID = 1L;

    /** Tasks whose strategy is DECOMPOSE. */
    public static final OutputTag<AnalyzedTask> PLANS =
            new OutputTag<>("plans", new AvroTypeInfo<>(AnalyzedTask.class));

    /** New analysed tasks with their schema's defaults: one is made for every task. */
    private static final RecordDefaults<AnalyzedTask> ANALYZED =
            RecordDefaults.of(AnalyzedTask::new);

    private final ComplexityAnalyzer analyzer;
    private final Clock clock;
    private final CachePolicy cache;

    /** Without a cache default: only tasks that ask for the cache in their metadata use it. */
    public AnalyseFunction(ComplexityAnalyzer analyzer, Clock clock) {
        this(analyzer, clock, CachePolicy.off());
    }

    /**
     * @param cache which tasks the response cache serves: those get their cache key
     */
    public AnalyseFunction(ComplexityAnalyzer analyzer, Clock clock, CachePolicy cache) {
        this.analyzer = analyzer;
        this.clock = clock;
        this.cache = cache;
    }

    @Override
    public void processElement(Task task, Context ctx, Collector<AnalyzedTask> out) {
        emit(analyse(task), out, ctx::output);
    }

    @Override
    public void close() {
        analyzer.close();
    }

    public AnalyzedTask analyse(Task task) {
        return analyse(analyzer, clock, cache, task);
    }

    /** The task with {@code analyzer}'s decision, admitted now, with its cache key if any. */
    static AnalyzedTask analyse(
            ComplexityAnalyzer analyzer, Clock clock, CachePolicy cache, Task task) {
        AnalyzedTask analyzed = ANALYZED.make();
        analyzed.setTask(task);
        analyzed.setAnalysis(analyzer.analyse(task));
        analyzed.setAdmittedAt(clock.millis());
        analyzed.setCacheKey(cache.key(analyzed));
        analyzed.setSemanticClass(cache.semanticClass(analyzed));
        return analyzed;
    }

    /** Sends a task to be decomposed to {@link #PLANS}, any other to {@code out}. */
    static void emit(
            AnalyzedTask analyzed,
            Collector<AnalyzedTask> out,
            java.util.function.BiConsumer<OutputTag<AnalyzedTask>, AnalyzedTask> side) {
        if (analyzed.getAnalysis().getStrategy() == Strategy.DECOMPOSE) {
            side.accept(PLANS, analyzed);
        } else {
            out.collect(analyzed);
        }
    }
}
