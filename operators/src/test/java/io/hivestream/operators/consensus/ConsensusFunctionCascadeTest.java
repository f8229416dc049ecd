package io.hivestream.operators.consensus;

import static io.hivestream.operators.testing.TestRecords.ADMITTED_AT;
import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.request;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.Outputs;
import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.RoutingExample;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.Cascade;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** How the consensus stage records a task whose EDGE answer escalated to the CLOUD tier. */
class ConsensusFunctionCascadeTest {
    private static final long NOW = 4_500;
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
    private static final AnalyzedTask TASK =
            analyzed(task("t-1", "classify", "I was charged twice").build(), 1, 1);

    private static final AgentAnswer EDGE =
            AgentAnswer.newBuilder()
                    .setAgentId("edge")
                    .setTier(Tier.EDGE)
                    .setOutput("shipping")
                    .setConfidence(0.35)
                    .setLatencyMs(40)
                    .setTokensIn(6)
                    .setTokensOut(1)
                    .setCostUsd(0.00001)
                    .setSimulated(true)
                    .build();
    private static final AgentAnswer CLOUD =
            AgentAnswer.newBuilder()
                    .setAgentId("cloud")
                    .setTier(Tier.CLOUD)
                    .setOutput("billing")
                    .setLatencyMs(400)
                    .setTokensIn(9)
                    .setTokensOut(2)
                    .setCostUsd(0.002)
                    .build();
    private static final AgentAnswer CLOUD_FAILED =
            AgentAnswer.newBuilder()
                    .setAgentId("cloud")
                    .setTier(Tier.CLOUD)
                    .setError("cloud: 503")
                    .setAttempts(3)
                    .build();

    private static Metric call(String agentId, CallOutcome outcome) {
        return Metric.newBuilder()
                .setKind(MetricKind.CALL)
                .setTimestamp(NOW - 10)
                .setTaskId("t-1")
                .setAgentId(agentId)
                .setCall(CallMetric.newBuilder().setOutcome(outcome).build())
                .build();
    }

    private static List<TaskResult> results(CallReply reply, List<Metric> metricsOut)
            throws Exception {
        try (KeyedBroadcastOperatorTestHarness<String, CallReply, Metric, TaskResult> harness =
                ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                        new ConsensusFunction(CLOCK),
                        r -> r.getRequest().getTask().getTask().getTaskId(),
                        Types.STRING,
                        ConsensusFunction.REPUTATIONS)) {
            harness.processElement(reply, 1);
            // The harness has no queue for a side output nothing was written to.
            var metrics = harness.getSideOutput(Outputs.METRICS);
            if (metrics != null) {
                metrics.stream().map(StreamRecord::getValue).forEach(metricsOut::add);
            }
            return harness.extractOutputValues();
        }
    }

    private static TaskResult.Builder result() {
        return TaskResult.newBuilder()
                .setTaskId("t-1")
                .setKind("classify")
                .setStatus(TaskStatus.COMPLETED)
                .setStrategy(Strategy.DIRECT)
                .setTier(Tier.EDGE)
                .setComplexity(0.25)
                .setLatencyMs(NOW - ADMITTED_AT);
    }

    @Test
    void anEscalatedTaskHasTheCloudAnswerBothAnswersTheirSumsAndTheMarker() throws Exception {
        List<Metric> calls =
                List.of(call("edge", CallOutcome.SUCCESS), call("cloud", CallOutcome.SUCCESS));
        CallReply reply =
                CallReply.newBuilder()
                        .setRequest(request(TASK, 0, List.of()))
                        .setAnswer(CLOUD)
                        .setCalls(calls)
                        .setCascade(
                                Cascade.newBuilder()
                                        .setEdge(EDGE)
                                        .setThreshold(0.5)
                                        .setCloud(CLOUD)
                                        .build())
                        .build();
        List<Metric> metrics = new java.util.ArrayList<>();

        assertThat(results(reply, metrics))
                .containsExactly(
                        result().setOutput("billing")
                                .setAgents(List.of("cloud"))
                                .setAgentTier(Tier.CLOUD)
                                .setAnswers(List.of(EDGE, CLOUD))
                                .setTokensIn(15)
                                .setTokensOut(3)
                                .setCostUsd(0.00001 + 0.002)
                                .setSimulated(true)
                                .setMetadata(
                                        Map.of(
                                                "cascade", "escalated",
                                                "cascade.confidence", "0.35",
                                                "cascade.threshold", "0.5"))
                                .build());
        assertThat(metrics).isEqualTo(calls);
    }

    @Test
    void whenTheCloudTierFailedTheEdgeAnswerStandsAndTheFailureIsListed() throws Exception {
        CallReply reply =
                CallReply.newBuilder()
                        .setRequest(request(TASK, 0, List.of()))
                        .setAnswer(EDGE)
                        .setCalls(List.of())
                        .setCascade(
                                Cascade.newBuilder()
                                        .setEdge(EDGE)
                                        .setThreshold(0.5)
                                        .setCloud(CLOUD_FAILED)
                                        .build())
                        .build();

        assertThat(results(reply, new java.util.ArrayList<>()))
                .containsExactly(
                        result().setOutput("shipping")
                                .setAgents(List.of("edge"))
                                .setAgentTier(Tier.EDGE)
                                .setAnswers(List.of(EDGE, CLOUD_FAILED))
                                .setTokensIn(6)
                                .setTokensOut(1)
                                .setCostUsd(0.00001)
                                .setSimulated(true)
                                .setMetadata(
                                        Map.of(
                                                "cascade", "cloud-failed",
                                                "cascade.confidence", "0.35",
                                                "cascade.threshold", "0.5"))
                                .build());
    }

    @Test
    void withEvidenceOnAnEscalatedTaskWritesACloudExampleWithItsInput() throws Exception {
        CallReply reply =
                CallReply.newBuilder()
                        .setRequest(request(TASK, 0, List.of()))
                        .setAnswer(CLOUD)
                        .setCascade(
                                Cascade.newBuilder()
                                        .setEdge(EDGE)
                                        .setThreshold(0.5)
                                        .setCloud(CLOUD)
                                        .build())
                        .build();
        try (KeyedBroadcastOperatorTestHarness<String, CallReply, Metric, TaskResult> harness =
                ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                        new ConsensusFunction(
                                CLOCK,
                                new BagOfWordsEmbedder(),
                                Duration.ofMinutes(1),
                                Duration.ofMinutes(1),
                                new RoutingEvidence("rules")),
                        r -> r.getRequest().getTask().getTask().getTaskId(),
                        Types.STRING,
                        ConsensusFunction.REPUTATIONS)) {
            harness.processElement(reply, 1);

            assertThat(harness.getSideOutput(ConsensusFunction.EXAMPLES))
                    .extracting(StreamRecord::getValue)
                    .containsExactly(
                            RoutingExample.newBuilder()
                                    .setTaskId("t-1")
                                    .setKind("classify")
                                    .setInput("I was charged twice")
                                    .setLabel(Tier.CLOUD)
                                    .setEvidence("cascade-escalated")
                                    .setTier(Tier.EDGE)
                                    .setComplexity(0.25)
                                    .setAnalyzer("rules")
                                    .setSimulated(true)
                                    .setCreatedAt(NOW)
                                    .build());
        }
    }
}
