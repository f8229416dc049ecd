package io.hivestream.operators.consensus;

import static io.hivestream.operators.testing.TestRecords.ADMITTED_AT;
import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.answered;
import static io.hivestream.operators.testing.TestRecords.failed;
import static io.hivestream.operators.testing.TestRecords.reply;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.Outputs;
import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.ReputationMetric;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallReply;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Queue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConsensusFunctionTest {
    private static final long NOW = 4_500;
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);

    private static final AnalyzedTask SINGLE =
            analyzed(task("t-1", "math", "What is 2 + 2?").build(), 1, 1);
    private static final AnalyzedTask VOTE =
            analyzed(task("t-3", "chat", "Capital of France?").setReplicas(3).build(), 3, 2);

    private KeyedOneInputStreamOperatorTestHarness<String, CallReply, TaskResult> harness;

    @BeforeEach
    void open() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new ConsensusFunction(CLOCK),
                        reply -> reply.getRequest().getTask().getTask().getTaskId(),
                        Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    /** The METRICS side output; the harness has no queue for a tag nothing was written to. */
    private List<Metric> metrics() {
        Queue<StreamRecord<Metric>> metrics = harness.getSideOutput(Outputs.METRICS);
        return metrics == null ? List.of() : metrics.stream().map(StreamRecord::getValue).toList();
    }

    /** The result fields every decision of the given task shares. */
    private static TaskResult.Builder result(AnalyzedTask task, List<AgentAnswer> answers) {
        return TaskResult.newBuilder()
                .setTaskId(task.getTask().getTaskId())
                .setKind(task.getTask().getKind())
                .setStrategy(
                        task.getAnalysis().getReplicas() > 1 ? Strategy.CONSENSUS : Strategy.DIRECT)
                .setTier(Tier.EDGE)
                .setComplexity(0.25)
                .setAnswers(answers)
                .setLatencyMs(NOW - ADMITTED_AT);
    }

    private static Metric callMetric(String agentId, CallOutcome outcome) {
        return Metric.newBuilder()
                .setKind(MetricKind.CALL)
                .setTimestamp(NOW - 10)
                .setTaskId("t-1")
                .setAgentId(agentId)
                .setCall(CallMetric.newBuilder().setOutcome(outcome).build())
                .build();
    }

    private static Metric reputation(String agentId, boolean agreed, double agreement) {
        return Metric.newBuilder()
                .setKind(MetricKind.REPUTATION)
                .setTimestamp(NOW)
                .setTaskId("t-3")
                .setAgentId(agentId)
                .setTenant("default")
                .setReputation(
                        ReputationMetric.newBuilder()
                                .setAgreed(agreed)
                                .setAgreement(agreement)
                                .build())
                .build();
    }

    private static AgentAnswer agreed(AgentAnswer answer, Boolean agreed) {
        return AgentAnswer.newBuilder(answer).setAgreed(agreed).build();
    }

    @Test
    void aSingleAnswerCompletesTheTaskWithItsCostsAndCallMetrics() throws Exception {
        AgentAnswer answer =
                AgentAnswer.newBuilder(answered("a1", "4"))
                        .setTokensIn(12)
                        .setTokensOut(1)
                        .setCostUsd(0.002)
                        .setAttempts(2)
                        .setSimulated(true)
                        .build();
        List<Metric> calls =
                List.of(callMetric("a0", CallOutcome.ERROR), callMetric("a1", CallOutcome.SUCCESS));
        CallReply reply = CallReply.newBuilder(reply(SINGLE, 0, answer)).setCalls(calls).build();

        harness.processElement(reply, 0);

        assertThat(harness.extractOutputValues())
                .containsExactly(
                        result(SINGLE, List.of(answer))
                                .setStatus(TaskStatus.COMPLETED)
                                .setOutput("4")
                                .setAgents(List.of("a1"))
                                .setTokensIn(12)
                                .setTokensOut(1)
                                .setCostUsd(0.002)
                                .setSimulated(true)
                                .build());
        assertThat(metrics()).isEqualTo(calls);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(0);
    }

    @Test
    void aSingleFailureFailsTheTaskWithItsError() throws Exception {
        AgentAnswer answer = failed("a1", "a1: simulated failure of a1 (error rate 1.0)");

        harness.processElement(reply(SINGLE, 0, answer), 0);

        assertThat(harness.extractOutputValues())
                .containsExactly(
                        result(SINGLE, List.of(answer))
                                .setStatus(TaskStatus.FAILED)
                                .setError("a1: simulated failure of a1 (error rate 1.0)")
                                .setAgents(List.of())
                                .build());
        assertThat(harness.numKeyedStateEntries()).isEqualTo(0);
    }

    @Test
    void twoOfThreeAgreeingAnswersCompleteTheVote() throws Exception {
        AgentAnswer paris = answered("a0", "Paris");
        AgentAnswer lyon = answered("a1", "Lyon");
        AgentAnswer alsoParis = answered("a2", "paris.");

        harness.processElement(reply(VOTE, 0, paris), 0);
        harness.processElement(reply(VOTE, 1, lyon), 0);

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

        harness.processElement(reply(VOTE, 2, alsoParis), 0);

        double agreement = 2.0 / 3;
        assertThat(harness.extractOutputValues())
                .containsExactly(
                        result(
                                        VOTE,
                                        List.of(
                                                agreed(paris, true),
                                                agreed(lyon, false),
                                                agreed(alsoParis, true)))
                                .setStatus(TaskStatus.COMPLETED)
                                .setOutput("Paris")
                                .setAgents(List.of("a0", "a2"))
                                .setAgreement(agreement)
                                .build());
        assertThat(metrics())
                .containsExactly(
                        reputation("a0", true, agreement),
                        reputation("a1", false, agreement),
                        reputation("a2", true, agreement));
        assertThat(harness.numKeyedStateEntries()).isEqualTo(0);
    }

    @Test
    void answersAreInReplicaOrderWhateverOrderTheyArrive() throws Exception {
        harness.processElement(reply(VOTE, 2, answered("a2", "x")), 0);
        harness.processElement(reply(VOTE, 0, answered("a0", "x")), 0);
        harness.processElement(reply(VOTE, 1, answered("a1", "y")), 0);

        assertThat(harness.extractOutputValues().get(0).getAnswers())
                .extracting(AgentAnswer::getAgentId)
                .containsExactly("a0", "a1", "a2");
    }

    @Test
    void aRepeatedReplyOfOneReplicaIsCountedOnce() throws Exception {
        harness.processElement(reply(VOTE, 0, answered("a0", "x")), 0);
        harness.processElement(reply(VOTE, 0, answered("a0", "x")), 0);

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    }

    @Test
    void threeDifferentAnswersHaveNoConsensus() throws Exception {
        AgentAnswer four = answered("a0", "4");
        AgentAnswer five = answered("a1", "5");
        AgentAnswer six = answered("a2", "6");

        harness.processElement(reply(VOTE, 0, four), 0);
        harness.processElement(reply(VOTE, 1, five), 0);
        harness.processElement(reply(VOTE, 2, six), 0);

        assertThat(harness.extractOutputValues())
                .containsExactly(
                        result(VOTE, List.of(four, five, six))
                                .setStatus(TaskStatus.NO_CONSENSUS)
                                .setError(
                                        "no answer reached the quorum of 2 (largest agreement: 1"
                                                + " of 3)")
                                .setAgreement(1.0 / 3)
                                .build());
        assertThat(metrics()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isEqualTo(0);
    }

    @Test
    void noConsensusNamesTheFailedReplicas() throws Exception {
        harness.processElement(reply(VOTE, 0, answered("a0", "4")), 0);
        harness.processElement(reply(VOTE, 1, failed("a1", "timed out")), 0);
        harness.processElement(reply(VOTE, 2, answered("a2", "5")), 0);

        TaskResult result = harness.extractOutputValues().get(0);
        assertThat(result.getStatus()).isEqualTo(TaskStatus.NO_CONSENSUS);
        assertThat(result.getError())
                .isEqualTo(
                        "no answer reached the quorum of 2 (largest agreement: 1 of 3); a1: timed"
                                + " out");
    }

    @Test
    void whenEveryReplicaFailsTheTaskFailsWithEveryError() throws Exception {
        AgentAnswer x = failed("a0", "x");
        AgentAnswer y = failed("a1", "y");
        AgentAnswer z = failed("a2", "z");

        harness.processElement(reply(VOTE, 0, x), 0);
        harness.processElement(reply(VOTE, 1, y), 0);
        harness.processElement(reply(VOTE, 2, z), 0);

        assertThat(harness.extractOutputValues())
                .containsExactly(
                        result(VOTE, List.of(x, y, z))
                                .setStatus(TaskStatus.FAILED)
                                .setError("every replica failed: a0: x; a1: y; a2: z")
                                .setAgreement(0.0)
                                .build());
        assertThat(harness.numKeyedStateEntries()).isEqualTo(0);
    }

    @Test
    void aFailedReplicaDoesNotAgreeEvenWhenItsLastAgentAnsweredAnotherReplica() throws Exception {
        // The router shares spare agents between replicas: "s" answered replica 0 as a fallback,
        // then was the last agent of replica 2's chain and failed there.
        AgentAnswer fromSpare = answered("s", "42");
        AgentAnswer fromB = answered("b", "42");
        AgentAnswer spareFailed = failed("s", "c: down; s: down");

        harness.processElement(reply(VOTE, 0, fromSpare), 0);
        harness.processElement(reply(VOTE, 1, fromB), 0);
        harness.processElement(reply(VOTE, 2, spareFailed), 0);

        assertThat(harness.extractOutputValues().get(0).getAnswers())
                .extracting(AgentAnswer::getAgreed)
                .containsExactly(true, true, false);
        assertThat(metrics())
                .containsExactly(
                        reputation("s", true, 2.0 / 3),
                        reputation("b", true, 2.0 / 3),
                        reputation("s", false, 2.0 / 3));
    }
}
