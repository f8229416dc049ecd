package io.hivestream.operators.execute;

import static io.hivestream.operators.execute.ExecuteOperatorTest.drain;
import static io.hivestream.operators.execute.ExecuteOperatorTest.outputs;
import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.request;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.plan.Cancellations;
import io.hivestream.operators.testing.MutableClock;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.CallRequest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A plan's step, cancelled: a call of it that has not started never starts (one waiting for a slot,
 * a retry, a step that arrives after its cancellation), and its reply carries the reason.
 */
@Timeout(60)
class ExecuteCancellationTest {
    private final MutableClock clock = new MutableClock(5_000);

    @AfterEach
    void reset() {
        ExecuteOperatorTest.CALLS.clear();
        ExecuteOperatorTest.PENDING.clear();
        ExecuteOperatorTest.LOG.clear();
    }

    private static final AgentEvent AGENT =
            AgentEvent.newBuilder()
                    .setAgentId("a")
                    .setRuntime("scripted")
                    .setCapabilities(List.of("chat"))
                    .setTimeoutMs(60_000)
                    .setMaxConcurrency(1)
                    .build();

    private static final Task ROOT = task("r", "chat", "the plan's task").build();

    private static CallRequest step(String id) {
        return request(
                analyzed(
                        task("r/" + id, "chat", "do " + id).setRootId("r").setParentId("r").build(),
                        1,
                        1),
                0,
                List.of(AGENT));
    }

    private static CallRequest cancellation(String id) {
        return CallRequest.newBuilder()
                .setTask(
                        analyzed(Cancellations.of("r/" + id, ROOT, "plan r ended FAILED", 0), 1, 1))
                .setReplica(0)
                .setChain(List.of())
                .setCancel("cancelled: plan r ended FAILED")
                .build();
    }

    private ExecuteHarness harness() throws Exception {
        return ExecuteOperatorTest.scripted(ExecuteSettings.builder().build(), clock);
    }

    @Test
    void aStepWaitingForASlotOrArrivingAfterItsCancellationMakesNoCall() throws Exception {
        try (var harness = harness()) {
            harness.open();
            harness.processElement(step("s1"), 0);
            harness.processElement(step("s2"), 0); // waits: the agent takes one call at a time
            harness.processElement(cancellation("s2"), 0);
            harness.processElement(cancellation("s3"), 0);
            harness.processElement(step("s3"), 0);

            ExecuteOperatorTest.PENDING
                    .get("r/s1/0/a#1")
                    .complete(new AgentReply("ok", "m", 3, 1, null, false));
            drain(harness);

            assertThat(ExecuteOperatorTest.LOG).containsExactly("call r/s1/0/a#1");
            assertThat(outputs(harness))
                    .containsExactly(
                            "r/s3=error: cancelled: plan r ended FAILED (cancelled)",
                            "r/s1=ok",
                            "r/s2=error: cancelled: plan r ended FAILED (cancelled)");
            assertThat(((ExecuteOperator) harness.getOperator()).inFlight()).isZero();
        }
    }

    @Test
    void aFailedCallInFlightIsNotTriedAgain() throws Exception {
        try (var harness = harness()) {
            harness.open();
            harness.processElement(step("s1"), 0);
            harness.processElement(cancellation("s1"), 0);
            ExecuteOperatorTest.PENDING
                    .get("r/s1/0/a#1")
                    .completeExceptionally(
                            new AgentCallException(AgentCallException.Kind.UNAVAILABLE, "503"));
            drain(harness);
            // The retry's backoff ends: it would call again, but the step is cancelled.
            harness.setProcessingTime(60_000);
            drain(harness);

            assertThat(ExecuteOperatorTest.LOG).containsExactly("call r/s1/0/a#1");
            assertThat(outputs(harness))
                    .containsExactly("r/s1=error: cancelled: plan r ended FAILED (cancelled)");
            assertThat(((ExecuteOperator) harness.getOperator()).inFlight()).isZero();
        }
    }

    @Test
    void aLaterRunOfTheSameRootIsNotCancelledByAnEarlierRunsCancellation() throws Exception {
        CallRequest rerun = step("s1");
        rerun.getTask().getTask().setCreatedAt(5L);
        try (var harness = harness()) {
            harness.open();
            harness.processElement(cancellation("s1"), 0); // decided at 0
            harness.processElement(rerun, 0); // released at 5, after it

            assertThat(ExecuteOperatorTest.LOG).containsExactly("call r/s1/0/a#1");
        }
    }
}
