package io.hivestream.operators.analyse;

import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.AnalyzedTask;
import java.time.Clock;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Attaches the analyser's decision and the admission time to each task. Tasks to decompose leave
 * through {@link #PLANS} for the aggregate stage, which plans them; the others go on to routing.
 */
public final class AnalyseFunction extends ProcessFunction<Task, AnalyzedTask> {
    private static final long serialVersionUID = 1L;

    /** Tasks whose strategy is DECOMPOSE. */
    public static final OutputTag<AnalyzedTask> PLANS =
            new OutputTag<>("plans", new AvroTypeInfo<>(AnalyzedTask.class));

    private final ComplexityAnalyzer analyzer;
    private final Clock clock;

    public AnalyseFunction(ComplexityAnalyzer analyzer, Clock clock) {
        this.analyzer = analyzer;
        this.clock = clock;
    }

    @Override
    public void processElement(Task task, Context ctx, Collector<AnalyzedTask> out) {
        AnalyzedTask analyzed = analyse(task);
        if (analyzed.getAnalysis().getStrategy() == Strategy.DECOMPOSE) {
            ctx.output(PLANS, analyzed);
        } else {
            out.collect(analyzed);
        }
    }

    @Override
    public void close() {
        analyzer.close();
    }

    public AnalyzedTask analyse(Task task) {
        return AnalyzedTask.newBuilder()
                .setTask(task)
                .setAnalysis(analyzer.analyse(task))
                .setAdmittedAt(clock.millis())
                .build();
    }
}
