package io.hivestream.operators.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.RoutingExample;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingEvidenceTest {
    private static final long NOW = 7_000;
    private static final Task TASK =
            Task.newBuilder()
                    .setTaskId("t-1")
                    .setTenant("acme")
                    .setKind("math")
                    .setCapabilities(List.of("math"))
                    .setInput("What is 12 * (3 + 4)?")
                    .build();
    private static final RoutingEvidence EVIDENCE = new RoutingEvidence("onnx");

    private static AgentAnswer answer(String agent, Tier tier, Boolean agreed) {
        return AgentAnswer.newBuilder()
                .setAgentId(agent)
                .setTier(tier)
                .setOutput("84")
                .setAgreed(agreed)
                .build();
    }

    private static TaskResult.Builder result(Strategy strategy, Tier tier, AgentAnswer... answers) {
        return TaskResult.newBuilder()
                .setTaskId("t-1")
                .setTenant("acme")
                .setKind("math")
                .setStatus(TaskStatus.COMPLETED)
                .setStrategy(strategy)
                .setTier(tier)
                .setAnswers(List.of(answers));
    }

    private static TaskResult escalated(String cascade, AgentAnswer cloud) {
        return result(Strategy.DIRECT, Tier.EDGE, answer("edge", Tier.EDGE, null), cloud)
                .setMetadata(
                        Map.of(
                                "cascade", cascade,
                                "cascade.confidence", "0.3",
                                "cascade.threshold", "0.5"))
                .build();
    }

    @Test
    void anEscalatedTaskWhoseCloudAnswerStandsIsACloudExample() {
        TaskResult result = escalated("escalated", answer("cloud", Tier.CLOUD, null));

        assertThat(EVIDENCE.of(TASK, Tier.EDGE, 0.25, result, NOW))
                .contains(
                        RoutingExample.newBuilder()
                                .setTaskId("t-1")
                                .setTenant("acme")
                                .setKind("math")
                                .setCapabilities(List.of("math"))
                                .setInput("What is 12 * (3 + 4)?")
                                .setLabel(Tier.CLOUD)
                                .setEvidence("cascade-escalated")
                                .setTier(Tier.EDGE)
                                .setComplexity(0.25)
                                .setAnalyzer("onnx")
                                .setCreatedAt(NOW)
                                .build());
    }

    @Test
    void aCascadeWhoseCloudTierFailedSaysNothing() {
        AgentAnswer failed =
                AgentAnswer.newBuilder(answer("cloud", Tier.CLOUD, null))
                        .setOutput(null)
                        .setError("cloud: 503")
                        .build();

        assertThat(EVIDENCE.of(TASK, Tier.EDGE, 0.25, escalated("cloud-failed", failed), NOW))
                .isEmpty();
    }

    @Test
    void aDirectAnswerThatDidNotEscalateSaysNothing() {
        TaskResult edge =
                result(Strategy.DIRECT, Tier.EDGE, answer("edge", Tier.EDGE, null)).build();
        TaskResult cloud =
                result(Strategy.DIRECT, Tier.CLOUD, answer("cloud", Tier.CLOUD, null)).build();

        assertThat(EVIDENCE.of(TASK, Tier.EDGE, 0.25, edge, NOW)).isEmpty();
        assertThat(EVIDENCE.of(TASK, Tier.CLOUD, 0.75, cloud, NOW)).isEmpty();
    }

    @Test
    void aCloudVoteThatEveryEdgeAgentMatchedIsAnEdgeExample() {
        TaskResult vote =
                result(
                                Strategy.CONSENSUS,
                                Tier.CLOUD,
                                answer("cloud", Tier.CLOUD, true),
                                answer("edge-1", Tier.EDGE, true),
                                answer("edge-2", Tier.EDGE, true))
                        .setAgreement(1.0)
                        .setSimulated(true)
                        .build();

        RoutingExample example = EVIDENCE.of(TASK, Tier.CLOUD, 0.75, vote, NOW).orElseThrow();

        assertThat(example.getLabel()).isEqualTo(Tier.EDGE);
        assertThat(example.getEvidence()).isEqualTo("edge-matched-vote");
        assertThat(example.getTier()).isEqualTo(Tier.CLOUD);
        assertThat(example.getComplexity()).isEqualTo(0.75);
        assertThat(example.getSimulated()).isTrue();
    }

    @Test
    void aCloudVoteWithADissentingOrFailedEdgeAgentSaysNothing() {
        TaskResult dissent =
                result(
                                Strategy.CONSENSUS,
                                Tier.CLOUD,
                                answer("cloud-1", Tier.CLOUD, true),
                                answer("cloud-2", Tier.CLOUD, true),
                                answer("edge-1", Tier.EDGE, true),
                                answer("edge-2", Tier.EDGE, false))
                        .build();
        TaskResult failed =
                result(
                                Strategy.CONSENSUS,
                                Tier.CLOUD,
                                answer("cloud-1", Tier.CLOUD, true),
                                answer("cloud-2", Tier.CLOUD, true),
                                AgentAnswer.newBuilder(answer("edge-1", Tier.EDGE, false))
                                        .setOutput(null)
                                        .setError("edge-1: timed out")
                                        .build())
                        .build();

        assertThat(EVIDENCE.of(TASK, Tier.CLOUD, 0.75, dissent, NOW)).isEmpty();
        assertThat(EVIDENCE.of(TASK, Tier.CLOUD, 0.75, failed, NOW)).isEmpty();
    }

    @Test
    void aVoteTheEdgeAgentsWonWithoutACloudAgentSaysNothing() {
        TaskResult edgeWon =
                result(
                                Strategy.CONSENSUS,
                                Tier.CLOUD,
                                answer("cloud", Tier.CLOUD, false),
                                answer("edge-1", Tier.EDGE, true),
                                answer("edge-2", Tier.EDGE, true))
                        .build();

        assertThat(EVIDENCE.of(TASK, Tier.CLOUD, 0.75, edgeWon, NOW)).isEmpty();
    }

    @Test
    void votesOfOneTierOrOnEdgeTasksOrWithoutConsensusSayNothing() {
        TaskResult cloudOnly =
                result(
                                Strategy.CONSENSUS,
                                Tier.CLOUD,
                                answer("cloud-1", Tier.CLOUD, true),
                                answer("cloud-2", Tier.CLOUD, true))
                        .build();
        TaskResult edgeTask =
                result(
                                Strategy.CONSENSUS,
                                Tier.EDGE,
                                answer("cloud", Tier.CLOUD, true),
                                answer("edge", Tier.EDGE, true))
                        .build();
        TaskResult noConsensus =
                result(
                                Strategy.CONSENSUS,
                                Tier.CLOUD,
                                answer("cloud", Tier.CLOUD, false),
                                answer("edge", Tier.EDGE, false))
                        .setStatus(TaskStatus.NO_CONSENSUS)
                        .build();

        assertThat(EVIDENCE.of(TASK, Tier.CLOUD, 0.75, cloudOnly, NOW)).isEmpty();
        assertThat(EVIDENCE.of(TASK, Tier.EDGE, 0.25, edgeTask, NOW)).isEmpty();
        assertThat(EVIDENCE.of(TASK, Tier.CLOUD, 0.75, noConsensus, NOW)).isEmpty();
    }
}
