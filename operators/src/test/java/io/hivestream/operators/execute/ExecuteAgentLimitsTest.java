package io.hivestream.operators.execute;

import static io.hivestream.operators.execute.ExecuteOperatorTest.drain;
import static io.hivestream.operators.execute.ExecuteOperatorTest.outputs;
import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.request;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import java.time.Duration;
import java.util.List;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The execute stage keeps agents from being overrun: an agent's maxConcurrency caps its calls in
 * flight, and work for an agent whose breaker is open waits for the breaker's probe instead of
 * failing at once.
 */
@Timeout(60)
class ExecuteAgentLimitsTest extends ScriptedExecuteCase {
    private static AgentEvent agent(String id, int maxConcurrency) {
        return AgentEvent.newBuilder()
                .setAgentId(id)
                .setRuntime("scripted")
                .setCapabilities(List.of("chat"))
                .setTimeoutMs(60_000)
                .setMaxConcurrency(maxConcurrency)
                .build();
    }

    private static CallRequest work(String taskId, AgentEvent... chain) {
        return request(analyzed(task(taskId, "chat", "x").build(), 1, 1), 0, List.of(chain));
    }

    private static void answer(KeyedOneInputStreamOperatorTestHarness<?, ?, ?> harness, String call)
            throws Exception {
        ExecuteOperatorTest.LOG.add("answer " + call);
        ExecuteOperatorTest.PENDING
                .get(call)
                .complete(new AgentReply("ok", "m", 3, 1, null, false));
        drain(harness);
    }

    private static void fail(KeyedOneInputStreamOperatorTestHarness<?, ?, ?> harness, String call)
            throws Exception {
        ExecuteOperatorTest.PENDING
                .get(call)
                .completeExceptionally(
                        new AgentCallException(AgentCallException.Kind.UNAVAILABLE, "503"));
        drain(harness);
    }

    @Test
    void callsBeyondAnAgentsMaxConcurrencyWaitForACallToEnd() throws Exception {
        AgentEvent a = agent("a", 2);
        try (var harness = harness(ExecuteSettings.builder().build())) {
            harness.open();
            harness.processElement(work("t1", a), 0);
            harness.processElement(work("t2", a), 0);
            harness.processElement(work("t3", a), 0);
            harness.processElement(work("t4", a), 0);

            assertThat(ExecuteOperatorTest.LOG).containsExactly("call t1/0/a#1", "call t2/0/a#1");
            assertThat(((ExecuteOperator) harness.getOperator()).inFlight()).isEqualTo(4);

            answer(harness, "t2/0/a#1");
            answer(harness, "t1/0/a#1");
            answer(harness, "t3/0/a#1");
            answer(harness, "t4/0/a#1");

            assertThat(ExecuteOperatorTest.LOG)
                    .containsExactly(
                            "call t1/0/a#1",
                            "call t2/0/a#1",
                            "answer t2/0/a#1",
                            "call t3/0/a#1",
                            "answer t1/0/a#1",
                            "call t4/0/a#1",
                            "answer t3/0/a#1",
                            "answer t4/0/a#1");
            assertThat(outputs(harness)).containsExactly("t2=ok", "t1=ok", "t3=ok", "t4=ok");
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    private ExecuteSettings breakerSettings(Duration open, Duration agentWait) {
        return ExecuteSettings.builder()
                .attemptsPerAgent(1)
                .breaker(50f, 2, open)
                .agentWait(agentWait)
                .build();
    }

    /** Two failed calls open the breaker of {@code a} (a window of 2 at 50 %). */
    private void openBreaker(ExecuteHarness harness, AgentEvent a) throws Exception {
        for (String id : List.of("f1", "f2")) {
            harness.processElement(work(id, a), 0);
            fail(harness, id + "/0/a#1");
        }
        assertThat(outputs(harness)).containsExactly("f1=error: a: 503", "f2=error: a: 503");
    }

    @Test
    void workForAnAgentWithAnOpenBreakerWaitsForItsProbeInsteadOfFailing() throws Exception {
        AgentEvent a = agent("a", 16);
        try (var harness =
                harness(breakerSettings(Duration.ofSeconds(2), Duration.ofSeconds(30)))) {
            harness.open();
            openBreaker(harness, a);

            harness.processElement(work("t1", a), 0);
            advance(harness, 1_500);

            assertThat(ExecuteOperatorTest.PENDING).doesNotContainKey("t1/0/a#1");
            assertThat(outputs(harness)).hasSize(2);

            // Open for 2 s: the first try after that (every 500 ms) is the half-open probe.
            advance(harness, 500);
            assertThat(ExecuteOperatorTest.PENDING).doesNotContainKey("t1/0/a#1");
            advance(harness, 500);
            answer(harness, "t1/0/a#1");

            assertThat(outputs(harness))
                    .containsExactly("f1=error: a: 503", "f2=error: a: 503", "t1=ok");
            CallReply reply = harness.extractOutputValues().get(2);
            assertThat(reply.getCalls())
                    .extracting(m -> m.getCall().getOutcome().name())
                    .containsExactly("REJECTED", "SUCCESS");
        }
    }

    @Test
    void aCallWhoseWaitForAnOpenBreakerRunsOutFailsAndSaysWhy() throws Exception {
        AgentEvent a = agent("a", 16);
        try (var harness = harness(breakerSettings(Duration.ofMinutes(1), Duration.ofSeconds(1)))) {
            harness.open();
            openBreaker(harness, a);

            harness.processElement(work("t1", a), 0);
            advance(harness, 999);
            assertThat(outputs(harness)).hasSize(2);

            advance(harness, 1);

            assertThat(outputs(harness))
                    .containsExactly(
                            "f1=error: a: 503",
                            "f2=error: a: 503",
                            "t1=error: a: circuit breaker open; waited 1000 ms for it to let a"
                                    + " call through, the longest hivestream.route.agent-wait"
                                    + " allows");
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void aWaitForAnOpenBreakerEndsAtTheTasksDeadline() throws Exception {
        AgentEvent a = agent("a", 16);
        try (var harness =
                harness(breakerSettings(Duration.ofMinutes(1), Duration.ofSeconds(30)))) {
            harness.open();
            openBreaker(harness, a);
            CallRequest due =
                    request(
                            analyzed(
                                    task("t1", "chat", "x")
                                            .setDeadline(clock.millis() + 400)
                                            .build(),
                                    1,
                                    1),
                            0,
                            List.of(a));

            harness.processElement(due, 0);
            advance(harness, 400);

            assertThat(outputs(harness).get(2))
                    .isEqualTo(
                            "t1=error: the call to a was not started: the task's deadline,"
                                    + " 1970-01-01T00:00:05.400Z, was 0 ms ago, after waiting 400"
                                    + " ms for a circuit breaker to let a call through");
        }
    }
}
