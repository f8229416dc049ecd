package io.hivestream.operators.execute;

import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.request;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A provider's rate limit, on a clock the test moves: an agent's calls over any 60 seconds stay
 * within its {@code rateLimitRpm} and {@code rateLimitTpm}; a call beyond waits for room instead of
 * being sent to a 429.
 */
@Timeout(60)
class ExecuteRateLimitTest extends ScriptedExecuteCase {
    private static AgentEvent.Builder agent() {
        return AgentEvent.newBuilder()
                .setAgentId("a")
                .setRuntime("scripted")
                .setCapabilities(List.of("chat"))
                .setTimeoutMs(600_000)
                .setMaxConcurrency(100);
    }

    private static CallRequest work(String taskId, AgentEvent agent) {
        return request(analyzed(task(taskId, "chat", "x").build(), 1, 1), 0, List.of(agent));
    }

    private ExecuteHarness harness() throws Exception {
        return harness(ExecuteSettings.builder().build());
    }

    @Test
    void callsBeyondTheRequestsPerMinuteWaitForTheMinuteToMoveOn() throws Exception {
        AgentEvent limited = agent().setRateLimitRpm(2).build();
        try (var harness = harness()) {
            harness.open();
            harness.processElement(work("t1", limited), 0);
            advance(harness, 10_000);
            harness.processElement(work("t2", limited), 0);
            harness.processElement(work("t3", limited), 0);
            assertThat(ExecuteOperatorTest.LOG).containsExactly("call t1/0/a#1", "call t2/0/a#1");

            // One minute after t1 started, its request leaves the window: t3 goes.
            advance(harness, 49_999);
            assertThat(ExecuteOperatorTest.LOG).hasSize(2);
            advance(harness, 1);
            assertThat(ExecuteOperatorTest.LOG)
                    .containsExactly("call t1/0/a#1", "call t2/0/a#1", "call t3/0/a#1");
        }
    }

    @Test
    void callsBeyondTheTokensPerMinuteWaitToo() throws Exception {
        // Each call counts its prompt (1 token) and the most it may return (1,000).
        AgentEvent limited = agent().setRateLimitTpm(1_500).setMaxTokens(1_000).build();
        try (var harness = harness()) {
            harness.open();
            harness.processElement(work("t1", limited), 0);
            harness.processElement(work("t2", limited), 0);
            assertThat(ExecuteOperatorTest.LOG).containsExactly("call t1/0/a#1");

            advance(harness, 60_000);
            assertThat(ExecuteOperatorTest.LOG).containsExactly("call t1/0/a#1", "call t2/0/a#1");
        }
    }

    @Test
    void aCallWaitingForRoomEndsAtItsTasksDeadline() throws Exception {
        AgentEvent limited = agent().setRateLimitRpm(1).build();
        try (var harness = harness()) {
            harness.open();
            harness.processElement(work("t1", limited), 0);
            CallRequest due = work("t2", limited);
            due.getTask().getTask().setDeadline(clock.millis() + 10_000);
            harness.processElement(due, 0);

            advance(harness, 10_000);
            assertThat(ExecuteOperatorTest.LOG).containsExactly("call t1/0/a#1");
            CallReply timedOut = harness.extractOutputValues().get(0);
            assertThat(timedOut.getRefused()).isEqualTo(io.hivestream.schemas.TaskStatus.TIMED_OUT);
            assertThat(timedOut.getAnswer().getError())
                    .isEqualTo(
                            "the call to a was not started: the task's deadline,"
                                    + " 1970-01-01T00:00:15Z, was 0 ms ago");
        }
    }

    @Test
    void anAgentWithoutLimitsIsNeverHeldBack() throws Exception {
        AgentEvent free = agent().build();
        try (var harness = harness()) {
            harness.open();
            for (int i = 1; i <= 5; i++) {
                harness.processElement(work("t" + i, free), 0);
            }
            assertThat(ExecuteOperatorTest.LOG).hasSize(5);
        }
    }
}
