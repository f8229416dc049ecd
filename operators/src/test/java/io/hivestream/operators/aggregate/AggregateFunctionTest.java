package io.hivestream.operators.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.Outputs;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.TaskMetric;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class AggregateFunctionTest {
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(9_000), ZoneOffset.UTC);

    private static final TaskResult DECIDED =
            TaskResult.newBuilder()
                    .setTaskId("t-1")
                    .setTenant("acme")
                    .setStatus(TaskStatus.COMPLETED)
                    .setOutput("84")
                    .setStrategy(Strategy.CONSENSUS)
                    .setTier(Tier.CLOUD)
                    .setAgents(List.of("a0", "a1"))
                    .setTokensIn(30)
                    .setTokensOut(3)
                    .setCostUsd(0.5)
                    .setLatencyMs(120)
                    .build();

    @Test
    void theResultIsStampedAndItsTaskMetricEmittedWithoutKeepingState() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, TaskResult, TaskResult> harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new AggregateFunction(CLOCK), AggregateFunction::rootOf, Types.STRING)) {
            harness.processElement(DECIDED, 0);

            assertThat(harness.extractOutputValues())
                    .containsExactly(TaskResult.newBuilder(DECIDED).setCompletedAt(9_000).build());
            assertThat(harness.getSideOutput(Outputs.METRICS))
                    .extracting(StreamRecord::getValue)
                    .containsExactly(
                            Metric.newBuilder()
                                    .setKind(MetricKind.TASK)
                                    .setTimestamp(9_000)
                                    .setTaskId("t-1")
                                    .setTenant("acme")
                                    .setTask(
                                            TaskMetric.newBuilder()
                                                    .setStatus(TaskStatus.COMPLETED)
                                                    .setStrategy(Strategy.CONSENSUS)
                                                    .setTier(Tier.CLOUD)
                                                    .setLatencyMs(120)
                                                    .setCostUsd(0.5)
                                                    .setTokensIn(30)
                                                    .setTokensOut(3)
                                                    .setAnswers(0)
                                                    .build())
                                    .build());
            assertThat(harness.numKeyedStateEntries()).isEqualTo(0);
        }
    }

    @Test
    void aResultIsKeyedByItsRootOrItself() {
        assertThat(AggregateFunction.rootOf(DECIDED)).isEqualTo("t-1");
        assertThat(AggregateFunction.rootOf(TaskResult.newBuilder(DECIDED).setRootId("r").build()))
                .isEqualTo("r");
    }
}
