package io.hivestream.operators.consensus;

import static io.hivestream.operators.testing.TestRecords.ADMITTED_AT;
import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.answered;
import static io.hivestream.operators.testing.TestRecords.failed;
import static io.hivestream.operators.testing.TestRecords.reply;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import io.hivestream.operators.Outputs;
import io.hivestream.operators.testing.Harnesses;
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
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Queue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
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

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RETENTION = Duration.ofMinutes(5);

    private KeyedBroadcastOperatorTestHarness<String, CallReply, Metric, TaskResult> harness;

    @BeforeEach
    void open() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                        new ConsensusFunction(CLOCK, new BagOfWordsEmbedder(), TIMEOUT, RETENTION),
                        reply -> reply.getRequest().getTask().getTask().getTaskId(),
                        Types.STRING,
                        ConsensusFunction.REPUTATIONS);
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
                .setVote(task.getAnalysis().getReplicas() > 1 ? "exact" : null)
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

    private static AgentAnswer edge(AgentAnswer answer) {
        return AgentAnswer.newBuilder(answer).setTier(Tier.EDGE).build();
    }

    private static AgentAnswer agreed(AgentAnswer answer, Boolean agreed) {
        return AgentAnswer.newBuilder(answer).setAgreed(agreed).build();
    }

    private static AgentAnswer dissent(AgentAnswer answer, Boolean agreed, String reason) {
        return AgentAnswer.newBuilder(answer).setAgreed(agreed).setReason(reason).build();
    }

    @Test
    void aSingleAnswerCompletesTheTaskWithItsCostsAndCallMetrics() throws Exception {
        // An EDGE task that fell back to a CLOUD agent: the result names both tiers.
        AgentAnswer answer =
                AgentAnswer.newBuilder(answered("a1", "4"))
                        .setTier(Tier.CLOUD)
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
                                .setAgentTier(Tier.CLOUD)
                                .setTokensIn(12)
                                .setTokensOut(1)
                                .setCostUsd(0.002)
                                .setSimulated(true)
                                .build());
        assertThat(metrics()).isEqualTo(calls);
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
    }

    @Test
    void aSingleFailureFailsTheTaskWithItsError() throws Exception {
        // No agent answered: the result has no agent tier, though the failure names its agent's.
        AgentAnswer answer =
                AgentAnswer.newBuilder(failed("a1", "a1: simulated failure of a1 (error rate 1.0)"))
                        .setTier(Tier.EDGE)
                        .build();

        harness.processElement(reply(SINGLE, 0, answer), 0);

        assertThat(harness.extractOutputValues())
                .containsExactly(
                        result(SINGLE, List.of(answer))
                                .setStatus(TaskStatus.FAILED)
                                .setError("a1: simulated failure of a1 (error rate 1.0)")
                                .setAgents(List.of())
                                .build());
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
    }

    @Test
    void aReplicaStoppedBeforeItsCallGivesItsTaskTheStatusOfWhyItStopped() throws Exception {
        AgentAnswer over = failed("a1", "the call to a1 was not started: over budget");
        CallReply refused =
                CallReply.newBuilder(reply(SINGLE, 0, over))
                        .setRefused(TaskStatus.REJECTED)
                        .build();

        harness.processElement(refused, 0);

        assertThat(harness.extractOutputValues())
                .containsExactly(
                        result(SINGLE, List.of(over))
                                .setAgents(List.of())
                                .setStatus(TaskStatus.REJECTED)
                                .setError("the call to a1 was not started: over budget")
                                .build());
    }

    @Test
    void aVoteWhoseReplicasAllStoppedBeforeACallTakesTheirStatus() throws Exception {
        AgentAnswer late = edge(failed("a0", "the call to a0 was not started: deadline"));
        AgentAnswer over = edge(failed("a1", "the call to a1 was not started: budget"));
        harness.processElement(stopped(reply(VOTE, 0, late), TaskStatus.TIMED_OUT), 0);
        harness.processElement(stopped(reply(VOTE, 1, over), TaskStatus.REJECTED), 0);
        harness.processElement(stopped(reply(VOTE, 2, over), TaskStatus.REJECTED), 0);

        assertThat(harness.extractOutputValues())
                .extracting(TaskResult::getStatus, TaskResult::getError)
                .containsExactly(
                        tuple(
                                TaskStatus.TIMED_OUT,
                                "a0: the call to a0 was not started: deadline; a1: the call to a1"
                                        + " was not started: budget; a1: the call to a1 was not"
                                        + " started: budget"));
    }

    @Test
    void aVoteWithAReplicaThatFailedFailsThoughTheOthersStoppedBeforeACall() throws Exception {
        AgentAnswer late = edge(failed("a0", "the call to a0 was not started: deadline"));
        harness.processElement(stopped(reply(VOTE, 0, late), TaskStatus.TIMED_OUT), 0);
        harness.processElement(reply(VOTE, 1, edge(failed("a1", "HTTP 500"))), 0);
        harness.processElement(stopped(reply(VOTE, 2, late), TaskStatus.TIMED_OUT), 0);

        assertThat(harness.extractOutputValues())
                .extracting(TaskResult::getStatus, TaskResult::getError)
                .containsExactly(
                        tuple(
                                TaskStatus.FAILED,
                                "every replica failed: a0: the call to a0 was not started:"
                                        + " deadline; a1: HTTP 500; a0: the call to a0 was not"
                                        + " started: deadline"));
    }

    private static CallReply stopped(CallReply reply, TaskStatus status) {
        return CallReply.newBuilder(reply).setRefused(status).build();
    }

    @Test
    void twoOfThreeAgreeingAnswersCompleteTheVote() throws Exception {
        AgentAnswer paris = edge(answered("a0", "Paris"));
        AgentAnswer lyon = edge(answered("a1", "Lyon"));
        AgentAnswer alsoParis = edge(answered("a2", "paris."));

        harness.processElement(reply(VOTE, 0, paris), 0);
        harness.processElement(reply(VOTE, 1, lyon), 0);

        assertThat(harness.extractOutputValues()).isEmpty();
        // The replies so far and the deadline, with its timer.
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(2);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        harness.processElement(reply(VOTE, 2, alsoParis), 0);

        double agreement = 2.0 / 3;
        assertThat(harness.extractOutputValues())
                .containsExactly(
                        result(
                                        VOTE,
                                        List.of(
                                                agreed(paris, true),
                                                dissent(
                                                        lyon,
                                                        false,
                                                        "'Lyon' differs from the winner 'Paris'"),
                                                agreed(alsoParis, true)))
                                .setStatus(TaskStatus.COMPLETED)
                                .setOutput("Paris")
                                .setAgents(List.of("a0", "a2"))
                                .setAgentTier(Tier.EDGE)
                                .setAgreement(agreement)
                                .build());
        assertThat(metrics())
                .containsExactly(
                        reputation("a0", true, agreement),
                        reputation("a1", false, agreement),
                        reputation("a2", true, agreement));
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
    }

    @Test
    void aDecidedVoteHasTheTierOfTheFirstAgreeingAnswer() throws Exception {
        // The first replica dissents: the tier is that of the second, the first that agrees.
        AgentAnswer lyon = edge(answered("a0", "Lyon"));
        AgentAnswer paris =
                AgentAnswer.newBuilder(answered("a1", "Paris")).setTier(Tier.CLOUD).build();
        AgentAnswer alsoParis = edge(answered("a2", "paris."));

        harness.processElement(reply(VOTE, 0, lyon), 0);
        harness.processElement(reply(VOTE, 1, paris), 0);
        harness.processElement(reply(VOTE, 2, alsoParis), 0);

        assertThat(harness.extractOutputValues())
                .extracting(
                        TaskResult::getStatus,
                        TaskResult::getAgents,
                        TaskResult::getTier,
                        TaskResult::getAgentTier)
                .containsExactly(
                        tuple(TaskStatus.COMPLETED, List.of("a1", "a2"), Tier.EDGE, Tier.CLOUD));
    }

    @Test
    void anAnswerWithoutATierLeavesTheResultWithoutOne() throws Exception {
        // Answers recorded before answers carried their agent's tier.
        harness.processElement(reply(SINGLE, 0, answered("a1", "4")), 0);

        assertThat(harness.extractOutputValues())
                .extracting(TaskResult::getStatus, TaskResult::getAgentTier)
                .containsExactly(tuple(TaskStatus.COMPLETED, null));
    }

    @Test
    void answersAreInReplicaOrderWhateverOrderTheyArrive() throws Exception {
        harness.processElement(reply(VOTE, 2, answered("a2", "x")), 0);
        harness.processElement(reply(VOTE, 0, answered("a0", "y")), 0);
        harness.processElement(reply(VOTE, 1, answered("a1", "z")), 0);

        assertThat(harness.extractOutputValues().get(0).getAnswers())
                .extracting(AgentAnswer::getAgentId)
                .containsExactly("a0", "a1", "a2");
    }

    @Test
    void aRepeatedReplyOfOneReplicaIsCountedOnce() throws Exception {
        harness.processElement(reply(VOTE, 0, answered("a0", "x")), 0);
        harness.processElement(reply(VOTE, 0, answered("a0", "x")), 0);

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(2);
    }

    @Test
    void threeDifferentAnswersHaveNoConsensus() throws Exception {
        AgentAnswer four = edge(answered("a0", "4"));
        AgentAnswer five = edge(answered("a1", "5"));
        AgentAnswer six = edge(answered("a2", "6"));

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
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
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
                        result(
                                        VOTE,
                                        List.of(
                                                dissent(x, null, "failed: x"),
                                                dissent(y, null, "failed: y"),
                                                dissent(z, null, "failed: z")))
                                .setStatus(TaskStatus.FAILED)
                                .setError("every replica failed: a0: x; a1: y; a2: z")
                                .setAgreement(0.0)
                                .build());
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
    }

    @Test
    void aFailedReplicaDoesNotAgreeEvenWhenItsLastAgentAnsweredAnotherReplica() throws Exception {
        // The router shares spare agents between replicas: "s" answered replica 0 as a fallback,
        // then was the last agent of replica 2's chain and failed there, after the decision.
        AgentAnswer fromSpare = answered("s", "42");
        AgentAnswer fromB = answered("b", "42");
        AgentAnswer spareFailed = failed("s", "c: down; s: down");

        harness.processElement(reply(VOTE, 0, fromSpare), 0);
        harness.processElement(reply(VOTE, 1, fromB), 0);
        harness.processElement(reply(VOTE, 2, spareFailed), 0);

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.extractOutputValues().get(0).getAnswers())
                .extracting(AgentAnswer::getAgreed)
                .containsExactly(true, true);
        assertThat(metrics())
                .containsExactly(
                        reputation("s", true, 2.0 / 3),
                        reputation("b", true, 2.0 / 3),
                        reputation("s", false, 2.0 / 3));
    }

    @Test
    void aQuorumClosesTheWindowEarlyAndALateReplyOnlyCountsForReputation() throws Exception {
        AgentAnswer paris = answered("a0", "Paris");
        AgentAnswer alsoParis = answered("a1", "PARIS");

        harness.processElement(reply(VOTE, 0, paris), 0);
        harness.processElement(reply(VOTE, 1, alsoParis), 0);

        double agreement = 2.0 / 3;
        assertThat(harness.extractOutputValues())
                .containsExactly(
                        result(VOTE, List.of(agreed(paris, true), agreed(alsoParis, true)))
                                .setStatus(TaskStatus.COMPLETED)
                                .setOutput("Paris")
                                .setAgents(List.of("a0", "a1"))
                                .setAgreement(agreement)
                                .build());
        // Only the decided marker and its clean-up timer are left.
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        harness.processElement(reply(VOTE, 2, answered("a2", "Lyon")), 0);

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(metrics())
                .containsExactly(
                        reputation("a0", true, agreement),
                        reputation("a1", true, agreement),
                        reputation("a2", false, agreement));
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
    }

    @Test
    void aRepeatedLateReplyIsIgnored() throws Exception {
        harness.processElement(reply(VOTE, 0, answered("a0", "x")), 0);
        harness.processElement(reply(VOTE, 1, answered("a1", "x")), 0);
        harness.processElement(reply(VOTE, 1, answered("a1", "x")), 0);

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(metrics()).hasSize(2);
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(1);
    }

    @Test
    void aReplyAfterTheRetentionIsDroppedAndNeverGivesASecondResult() throws Exception {
        harness.processElement(reply(VOTE, 0, answered("a0", "x")), 0);
        harness.processElement(reply(VOTE, 1, answered("a1", "x")), 0);
        assertThat(harness.extractOutputValues()).hasSize(1);

        harness.setProcessingTime(NOW + RETENTION.toMillis());

        // The winner is forgotten, which replicas answered is not, until the limit.
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        // The third replica, however late: no new window, no result, no reputation.
        harness.setProcessingTime(NOW + 10 * RETENTION.toMillis());
        harness.processElement(reply(VOTE, 2, answered("a2", "y")), 0);
        harness.setProcessingTime(NOW + 10 * RETENTION.toMillis() + TIMEOUT.toMillis());

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(metrics())
                .containsExactly(reputation("a0", true, 2.0 / 3), reputation("a1", true, 2.0 / 3));
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
    }

    @Test
    void aReplicaThatNeverAnswersLeavesNothingAfterTheLimit() throws Exception {
        harness.processElement(reply(VOTE, 0, answered("a0", "x")), 0);
        harness.processElement(reply(VOTE, 1, answered("a1", "x")), 0);

        harness.setProcessingTime(NOW + RETENTION.toMillis());
        harness.setProcessingTime(NOW + ConsensusFunction.DECIDED_LIMIT.toMillis() - 1);
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(1);

        harness.setProcessingTime(NOW + ConsensusFunction.DECIDED_LIMIT.toMillis());

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
    }

    @Test
    void aFiveReplicaVoteKeepsDroppingLateRepliesUntilTheLastOne() throws Exception {
        AnalyzedTask five =
                analyzed(task("t-5", "chat", "Capital of France?").setReplicas(5).build(), 5, 3);
        for (int replica = 0; replica < 3; replica++) {
            harness.processElement(reply(five, replica, answered("a" + replica, "Paris")), 0);
        }
        harness.setProcessingTime(NOW + RETENTION.toMillis());
        harness.processElement(reply(five, 3, answered("a3", "Lyon")), 0);

        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(1);

        harness.processElement(reply(five, 4, answered("a4", "Paris")), 0);

        assertThat(harness.extractOutputValues())
                .extracting(TaskResult::getTaskId, TaskResult::getStatus, TaskResult::getOutput)
                .containsExactly(tuple("t-5", TaskStatus.COMPLETED, "Paris"));
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
    }

    @Test
    void theDeadlineClosesTheWindowWithTheAnswersSoFar() throws Exception {
        AgentAnswer four = answered("a0", "4");
        AgentAnswer five = answered("a1", "5");
        harness.processElement(reply(VOTE, 0, four), 0);
        harness.processElement(reply(VOTE, 1, five), 0);

        harness.setProcessingTime(NOW + TIMEOUT.toMillis() - 1);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.setProcessingTime(NOW + TIMEOUT.toMillis());

        assertThat(harness.extractOutputValues())
                .containsExactly(
                        result(VOTE, List.of(four, five))
                                .setStatus(TaskStatus.NO_CONSENSUS)
                                .setError(
                                        "no answer reached the quorum of 2 (largest agreement: 1"
                                                + " of 3); 2 of 3 replicas answered before the"
                                                + " deadline")
                                .setAgreement(1.0 / 3)
                                .build());
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        // The last replica comes too late to change anything; no reputation without a winner.
        harness.processElement(reply(VOTE, 2, answered("a2", "4")), 0);

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(metrics()).isEmpty();
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
    }

    @Test
    void aDeadlineWithOnlyFailuresFailsTheTask() throws Exception {
        harness.processElement(reply(VOTE, 0, failed("a0", "down")), 0);

        harness.setProcessingTime(NOW + TIMEOUT.toMillis());

        TaskResult result = harness.extractOutputValues().get(0);
        assertThat(result.getStatus()).isEqualTo(TaskStatus.FAILED);
        assertThat(result.getError())
                .isEqualTo(
                        "every replica failed: a0: down; 1 of 3 replicas answered before the"
                                + " deadline");
    }

    @Test
    void theTaskMetadataChoosesTheVote() throws Exception {
        AnalyzedTask numeric =
                analyzed(
                        task("t-n", "math", "What is 12 * 7?")
                                .setReplicas(3)
                                .setMetadata(java.util.Map.of("vote", "numeric"))
                                .build(),
                        3,
                        2);
        harness.processElement(reply(numeric, 0, answered("a0", "84.0")), 0);
        harness.processElement(reply(numeric, 1, answered("a1", "85")), 0);
        harness.processElement(reply(numeric, 2, answered("a2", "84")), 0);

        TaskResult result = harness.extractOutputValues().get(0);
        assertThat(result.getVote()).isEqualTo("numeric");
        assertThat(result.getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(result.getOutput()).isEqualTo("84");
        assertThat(result.getAgents()).containsExactly("a0", "a2");
        assertThat(result.getAnswers())
                .extracting(AgentAnswer::getReason)
                .containsExactly(null, "85 is 1 from the median 84 (tolerance 0)", null);
    }

    @Test
    void reputationsReadBackWeighTheAgentsOfAWeightedVote() throws Exception {
        AnalyzedTask weighted =
                analyzed(
                        task("t-w", "chat", "Which?")
                                .setReplicas(4)
                                .setMetadata(java.util.Map.of("vote", "weighted"))
                                .build(),
                        4,
                        3);
        for (int i = 0; i < 10; i++) {
            for (String agent : List.of("a0", "a1", "a2", "a3")) {
                harness.processBroadcastElement(
                        reputationMetric(agent, agent.equals("a0") || agent.equals("a1")), 0);
            }
        }

        harness.processElement(reply(weighted, 0, answered("a0", "x")), 0);
        harness.processElement(reply(weighted, 1, answered("a1", "x")), 0);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processElement(reply(weighted, 2, answered("a2", "y")), 0);

        // Two trusted agents of four outweigh the others, though they are no count quorum of 3.
        TaskResult result = harness.extractOutputValues().get(0);
        assertThat(result.getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(result.getOutput()).isEqualTo("x");
        assertThat(result.getAgents()).containsExactly("a0", "a1");
        assertThat(result.getAgreement()).isEqualTo(0.5);
        assertThat(result.getVote()).isEqualTo("weighted");
        assertThat(harness.getBroadcastState(ConsensusFunction.REPUTATIONS).get("a0").getScore())
                .isCloseTo(1 - 0.5 * Math.pow(0.9, 10), within(1e-12));
    }

    private static Metric reputationMetric(String agentId, boolean agreed) {
        return Metric.newBuilder()
                .setKind(MetricKind.REPUTATION)
                .setTimestamp(NOW)
                .setTaskId("earlier")
                .setAgentId(agentId)
                .setReputation(
                        ReputationMetric.newBuilder().setAgreed(agreed).setAgreement(0.5).build())
                .build();
    }
}
