package io.hivestream.operators.execute;

import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.request;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.CallRequest;
import io.hivestream.schemas.internal.Escalating;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-replica call state machine, without Flink. */
class ReplicaCallTest {
    private static final AgentEvent A = agent("a", Tier.EDGE);
    private static final AgentEvent B = agent("b", Tier.EDGE);
    private static final AgentEvent CLOUD = agent("cloud", Tier.CLOUD);
    private static final BreakerWait WAIT =
            new BreakerWait(Duration.ofSeconds(10), Duration.ofSeconds(2));
    private static final RetryPolicy.Decision RETRY = new RetryPolicy.Retry(Duration.ofMillis(70));
    private static final RetryPolicy.Decision FALL_BACK = new RetryPolicy.FallBack("not retryable");

    private static AgentEvent agent(String id, Tier tier) {
        return AgentEvent.newBuilder()
                .setAgentId(id)
                .setRuntime("scripted")
                .setCapabilities(List.of("chat"))
                .setTier(tier)
                .build();
    }

    private static CallRequest request(Long deadline, AgentEvent... chain) {
        return io.hivestream.operators.testing.TestRecords.request(
                analyzed(task("t1", "chat", "x").setDeadline(deadline).build(), 1, 1),
                0,
                List.of(chain));
    }

    private static ReplicaCall call(AgentEvent... chain) {
        return new ReplicaCall("t/t1", request(null, chain));
    }

    @Test
    void aRetryCallsTheSameAgentAgainAfterItsDelayThenTheChainMovesOn() {
        ReplicaCall call = call(A, B);
        assertThat(call.next(0, WAIT)).isEqualTo(new ReplicaCall.Call(A));

        assertThat(call.failed(A, "503", RETRY)).isEqualTo(70);
        assertThat(call.attempt()).isEqualTo(2);
        assertThat(call.attemptOnAgent()).isEqualTo(2);
        assertThat(call.next(0, WAIT)).isEqualTo(new ReplicaCall.Call(A));

        assertThat(call.failed(A, "503 again", FALL_BACK)).isEqualTo(-1);
        assertThat(call.attemptOnAgent()).isEqualTo(1);
        assertThat(call.next(0, WAIT)).isEqualTo(new ReplicaCall.Call(B));
    }

    @Test
    void aTimeoutInAPauseCallsTheSameAgentAgainWithoutUsingAnAttemptAFewTimes() {
        ReplicaCall call = call(A, B);
        call.failed(A, "503", RETRY);
        assertThat(call.attempt()).isEqualTo(2);
        assertThat(call.attemptOnAgent()).isEqualTo(2);

        for (int i = 1; i <= ReplicaCall.PAUSE_RETRIES; i++) {
            assertThat(call.timedOutInPause()).isTrue();
            assertThat(call.attempt()).isEqualTo(2 + i);
            assertThat(call.attemptOnAgent()).isEqualTo(2);
            assertThat(call.next(0, WAIT)).isEqualTo(new ReplicaCall.Call(A));
        }
        // Then a timeout in a pause is a failure like any other.
        assertThat(call.timedOutInPause()).isFalse();
        assertThat(call.attempt()).isEqualTo(2 + ReplicaCall.PAUSE_RETRIES);
        assertThat(call.failed(A, "no answer within 30000 ms", FALL_BACK)).isEqualTo(-1);
        assertThat(call.next(0, WAIT)).isEqualTo(new ReplicaCall.Call(B));
        assertThat(call.timedOutInPause()).isFalse(); // the bound is the replica's
    }

    @Test
    void anExhaustedChainFailsWithEveryAgentsReasonAndItsAttempts() {
        ReplicaCall call = call(A, B);
        call.failed(A, "503", FALL_BACK);
        call.failed(B, "401 invalid key", FALL_BACK);

        assertThat(call.next(0, WAIT))
                .isEqualTo(
                        new ReplicaCall.Fail(
                                AgentAnswer.newBuilder()
                                        .setAgentId("b")
                                        .setTier(Tier.EDGE)
                                        .setError("a: 503; b: 401 invalid key")
                                        .setAttempts(2)
                                        .build()));
    }

    @Test
    void agentsRefusedForTheirBreakerAreTriedAgainUntilTheWaitEnds() {
        ReplicaCall call = call(A, B);
        assertThat(call.refused(A)).isTrue();
        assertThat(call.next(1_000, WAIT)).isEqualTo(new ReplicaCall.Call(B));
        call.failed(B, "503", FALL_BACK);

        // Only a is tried again, every 500 ms (a quarter of the 2 s the breaker stays open).
        assertThat(call.next(1_000, WAIT)).isEqualTo(new ReplicaCall.Wait(500));
        assertThat(call.next(1_500, WAIT)).isEqualTo(new ReplicaCall.Call(A));
        assertThat(call.refused(A)).isFalse();
        assertThat(call.next(1_500, WAIT)).isEqualTo(new ReplicaCall.Wait(500));

        assertThat(call.next(11_000, WAIT)).isEqualTo(new ReplicaCall.Call(A));
        call.refused(A);
        assertThat(call.next(11_000, WAIT))
                .isEqualTo(
                        new ReplicaCall.Fail(
                                AgentAnswer.newBuilder()
                                        .setAgentId("a")
                                        .setTier(Tier.EDGE)
                                        .setError(
                                                "b: 503; a: circuit breaker open; waited 10000 ms"
                                                        + " for it to let a call through, the"
                                                        + " longest hivestream.route.agent-wait"
                                                        + " allows")
                                        .setAttempts(1)
                                        .build()));
    }

    @Test
    void theWaitForABreakerEndsAtTheTasksDeadline() {
        ReplicaCall call = new ReplicaCall("t/t1", request(1_300L, A));
        call.refused(A);

        assertThat(call.next(1_000, WAIT)).isEqualTo(new ReplicaCall.Wait(300));
        call.refused(A);
        assertThat(((ReplicaCall.Fail) call.next(1_300, WAIT)).answer().getError())
                .isEqualTo(
                        "a: circuit breaker open; waited 300 ms for it to let a call through,"
                                + " until the task's deadline");
    }

    @Test
    void onlyAnUnsureEdgeAnswerOfARequestWithAnEscalationChainEscalates() {
        CallRequest cascading =
                CallRequest.newBuilder(request(null, A))
                        .setEscalation(List.of(CLOUD))
                        .setCascadeThreshold(0.7)
                        .build();
        ReplicaCall call = new ReplicaCall("t/t1", cascading);
        AgentAnswer unsure =
                AgentAnswer.newBuilder().setAgentId("a").setOutput("x").setConfidence(0.5).build();
        AgentAnswer sure = AgentAnswer.newBuilder(unsure).setConfidence(0.7).build();
        AgentAnswer silent = AgentAnswer.newBuilder(unsure).setConfidence(null).build();

        assertThat(call.escalates(A, unsure)).isTrue();
        assertThat(call.escalates(A, sure)).isFalse();
        assertThat(call.escalates(A, silent)).isFalse();
        assertThat(call.escalates(CLOUD, unsure)).isFalse();
        assertThat(call(A).escalates(A, unsure)).isFalse();

        ReplicaCall second =
                new ReplicaCall(
                        "t/t1",
                        cascading,
                        Escalating.newBuilder().setEdge(unsure).setCalls(List.of()).build());
        assertThat(second.next(0, WAIT)).isEqualTo(new ReplicaCall.Call(CLOUD));
        assertThat(second.escalates(A, unsure)).isFalse();
    }
}
