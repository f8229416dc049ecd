package io.hivestream.operators.execute;

import static io.hivestream.operators.execute.ExecuteOperatorTest.CALLS;
import static io.hivestream.operators.execute.ExecuteOperatorTest.LOG;
import static io.hivestream.operators.execute.ExecuteOperatorTest.PENDING;
import static io.hivestream.operators.execute.ExecuteOperatorTest.agent;
import static io.hivestream.operators.execute.ExecuteOperatorTest.drain;
import static io.hivestream.operators.testing.TestRecords.ADMITTED_AT;
import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.request;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.Outputs;
import io.hivestream.operators.consensus.ConsensusFunction;
import io.hivestream.operators.consensus.RoutingEvidence;
import io.hivestream.operators.consensus.TaskResults;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Queue;
import java.util.stream.Collectors;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The execute stage deciding tasks with one replica where their calls end: the result, its call
 * metrics and its labelled example leave on side outputs, and only the replicas of votes go on to
 * the consensus stage, without their metrics.
 */
@Timeout(60)
class ExecuteOperatorDecidesTest {
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(5_000), ZoneOffset.UTC);

    @AfterEach
    void reset() {
        CALLS.clear();
        PENDING.clear();
        LOG.clear();
    }

    private static ExecuteHarness harness() throws Exception {
        return new ExecuteHarness(
                new ExecuteOperatorFactory(
                                new ExecuteOperatorTest.ScriptedRuntimes(),
                                ExecuteSettings.builder()
                                        .backoff(Duration.ofMillis(1), Duration.ofMillis(1))
                                        .build(),
                                ExecuteOperator.ToolPolicy.allowAll(),
                                CLOCK)
                        .decidingAlone(new TaskResults(CLOCK, new RoutingEvidence("rules"))));
    }

    private static void answer(String call, String output, Double confidence) {
        PENDING.get(call).complete(new AgentReply(output, "m", 3, 1, confidence, false));
    }

    private static <T> List<T> side(ExecuteHarness harness, OutputTag<T> tag) {
        Queue<StreamRecord<T>> records = harness.getSideOutput(tag);
        return records == null
                ? List.of()
                : records.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    @Test
    void aTaskWithOneReplicaIsDecidedWhereItsCallEnds() throws Exception {
        try (var harness = harness()) {
            harness.open();
            AnalyzedTask single =
                    analyzed(task("t1", "chat", "hi").setTenant("acme").build(), 1, 1);
            harness.processElement(request(single, 0, List.of(agent("a", Tier.EDGE))), 0);
            answer("t1/0/a#1", "hello", null);
            drain(harness);

            assertThat(harness.extractOutputValues()).isEmpty();
            List<TaskResult> decided = side(harness, ExecuteOperator.DECIDED);
            assertThat(decided).hasSize(1);
            TaskResult result = decided.get(0);
            assertThat(result.getTaskId()).isEqualTo("t1");
            assertThat(result.getTenant()).isEqualTo("acme");
            assertThat(result.getStatus()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(result.getStrategy()).isEqualTo(Strategy.DIRECT);
            assertThat(result.getOutput()).isEqualTo("hello");
            assertThat(result.getAgents()).containsExactly("a");
            assertThat(result.getAgentTier()).isEqualTo(Tier.EDGE);
            assertThat(result.getTokensIn()).isEqualTo(3);
            assertThat(result.getTokensOut()).isEqualTo(1);
            assertThat(result.getLatencyMs()).isEqualTo(5_000 - ADMITTED_AT);
            assertThat(result.getAnswers())
                    .extracting(a -> a.getAgentId() + "=" + a.getOutput())
                    .containsExactly("a=hello");

            List<Metric> metrics = side(harness, Outputs.METRICS);
            assertThat(metrics)
                    .extracting(
                            Metric::getKind,
                            Metric::getTaskId,
                            Metric::getAgentId,
                            m -> m.getCall().getOutcome())
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(
                                    MetricKind.CALL, "t1", "a", CallOutcome.SUCCESS));
            // A direct answer that did not escalate is no evidence of the tier it needed.
            assertThat(side(harness, ConsensusFunction.EXAMPLES)).isEmpty();
        }
    }

    @Test
    void anEscalatedTaskIsDecidedWithItsLabelledExample() throws Exception {
        try (var harness = harness()) {
            harness.open();
            CallRequest cascade =
                    CallRequest.newBuilder(
                                    request(
                                            analyzed(task("t1", "chat", "hard").build(), 1, 1),
                                            0,
                                            List.of(agent("edge", Tier.EDGE))))
                            .setEscalation(List.of(agent("cloud", Tier.CLOUD)))
                            .setCascadeThreshold(0.7)
                            .build();
            harness.processElement(cascade, 0);
            answer("t1/0/edge#1", "maybe", 0.4);
            drain(harness);
            answer("t1/0/cloud#1", "surely", 0.9);
            drain(harness);

            TaskResult result = side(harness, ExecuteOperator.DECIDED).get(0);
            assertThat(result.getOutput()).isEqualTo("surely");
            assertThat(result.getAgents()).containsExactly("cloud");
            assertThat(result.getMetadata())
                    .containsEntry(TaskResults.CASCADE, TaskResults.ESCALATED)
                    .containsEntry(TaskResults.CASCADE_CONFIDENCE, "0.4")
                    .containsEntry(TaskResults.CASCADE_THRESHOLD, "0.7");
            assertThat(side(harness, Outputs.METRICS))
                    .extracting(Metric::getAgentId)
                    .containsExactly("edge", "cloud");
            assertThat(side(harness, ConsensusFunction.EXAMPLES))
                    .extracting(e -> e.getTaskId() + " " + e.getLabel() + " " + e.getEvidence())
                    .containsExactly("t1 CLOUD " + RoutingEvidence.CASCADE_ESCALATED);
        }
    }

    @Test
    void theReplicasOfAVoteGoToTheConsensusStageAndTheirMetricsLeaveHere() throws Exception {
        try (var harness = harness()) {
            harness.open();
            AnalyzedTask vote = analyzed(task("t2", "chat", "pick").build(), 2, 2);
            harness.processElement(request(vote, 0, List.of(agent("a", Tier.EDGE))), 0);
            harness.processElement(request(vote, 1, List.of(agent("b", Tier.EDGE))), 0);
            answer("t2/0/a#1", "x", null);
            answer("t2/1/b#1", "y", null);
            drain(harness);

            assertThat(harness.extractOutputValues())
                    .extracting(
                            r ->
                                    r.getRequest().getReplica()
                                            + "="
                                            + r.getAnswer().getOutput()
                                            + " calls "
                                            + r.getCalls().size())
                    .containsExactlyInAnyOrder("0=x calls 0", "1=y calls 0");
            assertThat(side(harness, ExecuteOperator.DECIDED)).isEmpty();
            assertThat(side(harness, Outputs.METRICS))
                    .extracting(Metric::getAgentId)
                    .containsExactlyInAnyOrder("a", "b");
        }
    }

    @Test
    void aTaskPastItsDeadlineIsDecidedHereTimedOutWithoutACall() throws Exception {
        try (var harness = harness()) {
            harness.open();
            CallRequest late =
                    request(
                            analyzed(task("t4", "chat", "hi").setDeadline(4_000L).build(), 1, 1),
                            0,
                            List.of(agent("a", Tier.EDGE)));
            harness.processElement(late, 0);
            drain(harness);

            assertThat(LOG).isEmpty();
            assertThat(side(harness, ExecuteOperator.DECIDED))
                    .extracting(
                            TaskResult::getTaskId,
                            TaskResult::getStatus,
                            TaskResult::getError,
                            TaskResult::getAgents)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(
                                    "t4",
                                    TaskStatus.TIMED_OUT,
                                    "the call to a was not started: the task's deadline,"
                                            + " 1970-01-01T00:00:04Z, was 1000 ms ago",
                                    List.of()));
            assertThat(harness.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void aTaskWithOneReplicaAndNoAgentFailsHereWithTheRoutersReason() throws Exception {
        try (var harness = harness()) {
            harness.open();
            CallRequest unroutable =
                    CallRequest.newBuilder(
                                    request(
                                            analyzed(task("t3", "chat", "hi").build(), 1, 1),
                                            0,
                                            List.of()))
                            .setRouteError("no agent offers chat")
                            .build();
            harness.processElement(unroutable, 0);

            assertThat(side(harness, ExecuteOperator.DECIDED))
                    .extracting(
                            TaskResult::getTaskId,
                            TaskResult::getStatus,
                            TaskResult::getError,
                            TaskResult::getAgents)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(
                                    "t3", TaskStatus.FAILED, "no agent offers chat", List.of()));
            assertThat(side(harness, Outputs.METRICS)).isEmpty();
            assertThat(harness.extractOutputValues()).isEmpty();
        }
    }
}
