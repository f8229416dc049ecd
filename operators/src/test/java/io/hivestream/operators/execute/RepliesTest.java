package io.hivestream.operators.execute;

import static io.hivestream.operators.testing.TestRecords.agent;
import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.answered;
import static io.hivestream.operators.testing.TestRecords.failed;
import static io.hivestream.operators.testing.TestRecords.request;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import io.hivestream.schemas.internal.Cascade;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepliesTest {
    private static final AnalyzedTask TASK = analyzed(task("t-1", "chat", "hi").build(), 1, 1);
    private static final AgentEvent EDGE = agent("edge-1", List.of("chat")).build();
    private static final AgentEvent CLOUD =
            agent("cloud-1", List.of("chat")).setTier(Tier.CLOUD).build();
    private static final CallRequest REQUEST =
            CallRequest.newBuilder(request(TASK, 2, List.of(EDGE)))
                    .setEscalation(List.of(CLOUD))
                    .setCascadeThreshold(0.6)
                    .build();
    private static final Metric METRIC =
            Metric.newBuilder().setKind(MetricKind.CALL).setTimestamp(9).setTaskId("t-1").build();

    @Test
    void aReplyCarriesItsRequestWithoutTheChainsItsAnswerAndACopyOfItsCalls() {
        List<Metric> calls = new ArrayList<>(List.of(METRIC));
        CallReply reply = Replies.of(REQUEST, answered("edge-1", "hello"), calls);
        calls.clear();

        assertThat(reply.getRequest())
                .isEqualTo(
                        CallRequest.newBuilder(REQUEST)
                                .setChain(List.of())
                                .setEscalation(List.of())
                                .build());
        assertThat(reply.getRequest().getTask()).isSameAs(REQUEST.getTask());
        assertThat(reply.getAnswer()).isEqualTo(answered("edge-1", "hello"));
        assertThat(reply.getCalls()).containsExactly(METRIC);
        assertThat(reply.getCascade()).isNull();
    }

    @Test
    void aRequestWithoutChainsIsSentOnAsItIs() {
        CallRequest bare = request(TASK, 0, List.of());
        assertThat(Replies.slim(bare)).isSameAs(bare);
    }

    @Test
    void aRouteErrorIsAnsweredByNoAgentWithItsReason() {
        CallRequest unroutable =
                CallRequest.newBuilder(request(TASK, 0, List.of()))
                        .setRouteError("no agent offers capability chat")
                        .build();
        CallReply reply = Replies.routeError(unroutable);

        assertThat(reply.getAnswer())
                .isEqualTo(
                        AgentAnswer.newBuilder()
                                .setAgentId("-")
                                .setError("no agent offers capability chat")
                                .setAttempts(0)
                                .build());
        assertThat(reply.getCalls()).isEmpty();
    }

    @Test
    void aCancelledReplicaNamesItsCancellationAndKeepsTheCallsItMade() {
        CallReply reply = Replies.cancelled(REQUEST, "plan p-1 failed", List.of(METRIC));

        assertThat(reply.getRequest().getCancel()).isEqualTo("plan p-1 failed");
        assertThat(reply.getRequest().getChain()).isEmpty();
        assertThat(reply.getAnswer().getAgentId()).isEqualTo("-");
        assertThat(reply.getAnswer().getError()).isEqualTo("plan p-1 failed");
        assertThat(reply.getAnswer().getAttempts()).isZero();
        assertThat(reply.getCalls()).containsExactly(METRIC);
        assertThat(REQUEST.getCancel()).isNull();
    }

    @Test
    void anEscalatedReplicaAnswersWithTheCloudUnlessEveryCloudAgentFailed() {
        AgentAnswer edge = answered("edge-1", "maybe");
        AgentAnswer cloud = answered("cloud-1", "surely");
        AgentAnswer cloudFailed = failed("cloud-1", "HTTP 503");

        CallReply escalated = Replies.cascaded(REQUEST, edge, cloud, List.of(METRIC));
        assertThat(escalated.getAnswer()).isEqualTo(cloud);
        assertThat(escalated.getCascade())
                .isEqualTo(
                        Cascade.newBuilder()
                                .setEdge(edge)
                                .setThreshold(0.6)
                                .setCloud(cloud)
                                .build());
        assertThat(escalated.getCalls()).containsExactly(METRIC);

        CallReply fellBack = Replies.cascaded(REQUEST, edge, cloudFailed, List.of());
        assertThat(fellBack.getAnswer()).isEqualTo(edge);
        assertThat(fellBack.getCascade().getCloud()).isEqualTo(cloudFailed);
    }

    @Test
    void anAgentsReplyBecomesItsAnswerAtItsPrice() {
        AgentAnswer answer =
                Replies.answer(
                        CLOUD, new AgentReply("hello", "m-1", 12, 3, 0.8, true), 40, 0.25, 2);

        assertThat(answer)
                .isEqualTo(
                        AgentAnswer.newBuilder()
                                .setAgentId("cloud-1")
                                .setTier(Tier.CLOUD)
                                .setModel("m-1")
                                .setOutput("hello")
                                .setConfidence(0.8)
                                .setLatencyMs(40)
                                .setTokensIn(12)
                                .setTokensOut(3)
                                .setCostUsd(0.25)
                                .setAttempts(2)
                                .setSimulated(true)
                                .build());
    }
}
