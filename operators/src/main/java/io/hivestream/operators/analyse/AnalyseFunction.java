package io.hivestream.operators.analyse;

import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.AnalyzedTask;
import java.time.Clock;
import org.apache.flink.api.common.functions.RichMapFunction;

/** Attaches the analyser's decision and the admission time to each task. */
public final class AnalyseFunction extends RichMapFunction<Task, AnalyzedTask> {
    private static final long serialVersionUID = 1L;

    private final ComplexityAnalyzer analyzer;
    private final Clock clock;

    public AnalyseFunction(ComplexityAnalyzer analyzer, Clock clock) {
        this.analyzer = analyzer;
        this.clock = clock;
    }

    @Override
    public AnalyzedTask map(Task task) {
        return AnalyzedTask.newBuilder()
                .setTask(task)
                .setAnalysis(analyzer.analyse(task))
                .setAdmittedAt(clock.millis())
                .build();
    }
}
