package io.hivestream.operators.aggregate;

import io.hivestream.operators.Outputs;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.TaskMetric;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import java.time.Clock;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by root task id. Turns a task's outcome into its result: stamps the completion time and
 * emits the task metric. A plain task (its own root) holds no state here.
 */
public final class AggregateFunction extends KeyedProcessFunction<String, TaskResult, TaskResult> {
    private static final long serialVersionUID = 1L;

    private final Clock clock;
    private transient Counter results;
    private transient Counter noConsensus;
    private transient Histogram agreement;

    public AggregateFunction(Clock clock) {
        this.clock = clock;
    }

    /** The key of the aggregate stage: the root of the task's plan, or the task itself. */
    public static String rootOf(TaskResult result) {
        return result.getRootId() != null ? result.getRootId() : result.getTaskId();
    }

    @Override
    public void open(OpenContext openContext) {
        results = getRuntimeContext().getMetricGroup().counter("results");
        noConsensus = getRuntimeContext().getMetricGroup().counter("noConsensus");
        agreement =
                getRuntimeContext()
                        .getMetricGroup()
                        .histogram("consensusAgreement", new DescriptiveStatisticsHistogram(1000));
    }

    @Override
    public void processElement(TaskResult outcome, Context ctx, Collector<TaskResult> out) {
        long now = clock.millis();
        TaskResult result = TaskResult.newBuilder(outcome).setCompletedAt(now).build();
        ctx.output(
                Outputs.METRICS,
                Metric.newBuilder()
                        .setKind(MetricKind.TASK)
                        .setTimestamp(now)
                        .setTaskId(result.getTaskId())
                        .setTenant(result.getTenant())
                        .setTask(
                                TaskMetric.newBuilder()
                                        .setStatus(result.getStatus())
                                        .setStrategy(result.getStrategy())
                                        .setTier(result.getTier())
                                        .setLatencyMs(result.getLatencyMs())
                                        .setCostUsd(result.getCostUsd())
                                        .setTokensIn(result.getTokensIn())
                                        .setTokensOut(result.getTokensOut())
                                        .setAnswers(result.getAnswers().size())
                                        .build())
                        .build());
        results.inc();
        if (result.getAgreement() != null) {
            agreement.update(Math.round(100 * result.getAgreement()));
        }
        if (result.getStatus() == TaskStatus.NO_CONSENSUS) {
            noConsensus.inc();
        }
        out.collect(result);
    }
}
