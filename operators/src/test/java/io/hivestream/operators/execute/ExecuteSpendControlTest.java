package io.hivestream.operators.execute;

import static io.hivestream.operators.execute.ExecuteOperatorTest.drain;
import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.admit.CallBudget;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import java.util.List;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the execute stage does before each call: a task's budget caps what its replicas, retries,
 * fallbacks and escalations may cost (a call whose estimated price would cross it is not made), a
 * task past its deadline makes no call, and calls waiting for an agent's slot start in priority
 * order.
 */
@Timeout(60)
class ExecuteSpendControlTest extends ScriptedExecuteCase {
    /** Input of every task: one token by the estimate's count. */
    private static final String INPUT = "abcd";

    /** One input token at 1 USD per 1k and at most 10 output tokens at 2 USD per 1k. */
    private static final double ESTIMATE = 0.001 + 0.020;

    private static AgentEvent agent(String id, Tier tier, double inputPrice, int maxConcurrency) {
        return AgentEvent.newBuilder()
                .setAgentId(id)
                .setRuntime("scripted")
                .setTier(tier)
                .setCapabilities(List.of("chat"))
                .setTimeoutMs(600_000)
                .setMaxConcurrency(maxConcurrency)
                .setMaxTokens(10)
                .setCostPer1kInputTokens(inputPrice)
                .setCostPer1kOutputTokens(2 * inputPrice)
                .build();
    }

    private static AgentEvent agent(String id) {
        return agent(id, Tier.EDGE, 1.0, 100);
    }

    private static CallRequest work(
            String taskId, Double budget, int replica, int replicas, List<AgentEvent> chain) {
        return CallRequest.newBuilder()
                .setTask(
                        analyzed(
                                task(taskId, "chat", INPUT).setBudgetUsd(budget).build(),
                                replicas,
                                1))
                .setReplica(replica)
                .setChain(chain)
                .build();
    }

    private ExecuteHarness harness() throws Exception {
        return harness(ExecuteSettings.builder().build());
    }

    private static void answer(
            KeyedOneInputStreamOperatorTestHarness<?, ?, ?> harness, String call, Double confidence)
            throws Exception {
        // One token in and one out: 0.001 + 0.002 USD at agent a's prices.
        ExecuteOperatorTest.PENDING
                .get(call)
                .complete(new AgentReply("ok", "m", 1, 1, confidence, false));
        drain(harness);
    }

    private static CallReply replyOf(ExecuteHarness harness, String taskId, int replica) {
        return harness.extractOutputValues().stream()
                .filter(
                        r ->
                                r.getRequest().getTask().getTask().getTaskId().equals(taskId)
                                        && r.getRequest().getReplica() == replica)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void theEstimateIsTheInputAtItsPricePlusMaxTokensAtTheOutputPrice() {
        assertThat(CallBudget.estimate(agent("a"), INPUT)).isEqualTo(ESTIMATE);
    }

    @Test
    void aCallThatReachesTheBudgetStartsAndOneThatWouldCrossItIsNotMade() throws Exception {
        try (var harness = harness()) {
            harness.open();
            harness.processElement(work("exact", ESTIMATE, 0, 1, List.of(agent("a"))), 0);
            harness.processElement(work("short", 0.020999, 0, 1, List.of(agent("a"))), 0);

            assertThat(ExecuteOperatorTest.LOG).containsExactly("call exact/0/a#1");
            CallReply refused = replyOf(harness, "short", 0);
            assertThat(refused.getRefused()).isEqualTo(TaskStatus.REJECTED);
            assertThat(refused.getCalls()).isEmpty();
            assertThat(refused.getAnswer().getError())
                    .isEqualTo(
                            "the call to a was not started: its estimated price of 0.021 USD"
                                    + " would bring the task's spend from 0 USD over its budget"
                                    + " of 0.020999 USD");
        }
    }

    @Test
    void replicasDrawFromOneBudgetWithTheCallsInFlightReserved() throws Exception {
        try (var harness = harness()) {
            harness.open();
            for (int replica = 0; replica < 3; replica++) {
                harness.processElement(
                        work("vote", 2 * ESTIMATE, replica, 3, List.of(agent("a"))), 0);
            }
            assertThat(ExecuteOperatorTest.LOG)
                    .containsExactly("call vote/0/a#1", "call vote/1/a#1");
            CallReply third = replyOf(harness, "vote", 2);
            assertThat(third.getRefused()).isEqualTo(TaskStatus.REJECTED);
            assertThat(third.getAnswer().getError())
                    .isEqualTo(
                            "the call to a was not started: its estimated price of 0.021 USD"
                                    + " would bring the task's spend from 0.042 USD (calls in"
                                    + " flight included) over its budget of 0.042 USD");

            answer(harness, "vote/0/a#1", null);
            answer(harness, "vote/1/a#1", null);
            assertThat(replyOf(harness, "vote", 0).getRefused()).isNull();
            assertThat(replyOf(harness, "vote", 0).getAnswer().getCostUsd()).isEqualTo(0.003);
        }
    }

    @Test
    void aRestoreNeitherForgetsNorCountsTwiceWhatATaskSpent() throws Exception {
        // One slot: the replicas call one after the other. Each call costs 0.003 and is estimated
        // at 0.021; the budget fits two calls' cost and one estimate, not three costs and one.
        AgentEvent single = agent("a", Tier.EDGE, 1.0, 1);
        double budget = 0.025;
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        try (var harness = harness()) {
            harness.open();
            for (int replica = 0; replica < 3; replica++) {
                harness.processElement(work("t", budget, replica, 3, List.of(single)), 0);
            }
            answer(harness, "t/0/a#1", null);
            assertThat(ExecuteOperatorTest.LOG).containsExactly("call t/0/a#1", "call t/1/a#1");
            // Replica 1's call is in flight at the checkpoint: only replica 0's cost is booked.
            snapshot = harness.snapshot(1, 1);
        }
        ExecuteOperatorTest.LOG.clear();
        ExecuteOperatorTest.PENDING.clear();
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            // Made again: 0.003 booked and its own 0.021 reserved fit in 0.025.
            assertThat(ExecuteOperatorTest.LOG).containsExactly("call t/1/a#1");
            answer(restored, "t/1/a#1", null);

            assertThat(ExecuteOperatorTest.LOG).containsExactly("call t/1/a#1");
            assertThat(replyOf(restored, "t", 2).getAnswer().getError())
                    .isEqualTo(
                            "the call to a was not started: its estimated price of 0.021 USD"
                                    + " would bring the task's spend from 0.006 USD over its"
                                    + " budget of 0.025 USD");
        }
    }

    @Test
    void aCheaperFallbackIsCalledWhenThePrimaryWouldCrossTheBudget() throws Exception {
        AgentEvent dear = agent("dear", Tier.EDGE, 10.0, 100);
        try (var harness = harness()) {
            harness.open();
            harness.processElement(work("t", 0.05, 0, 1, List.of(dear, agent("a"))), 0);
            assertThat(ExecuteOperatorTest.LOG).containsExactly("call t/0/a#1");
            answer(harness, "t/0/a#1", null);
            CallReply reply = replyOf(harness, "t", 0);
            assertThat(reply.getRefused()).isNull();
            assertThat(reply.getAnswer().getOutput()).isEqualTo("ok");
        }
    }

    @Test
    void anEscalationIsCheckedAgainstWhatTheEdgeCallActuallyCost() throws Exception {
        AgentEvent cloud = agent("cloud", Tier.CLOUD, 1.0, 100);
        try (var harness = harness()) {
            harness.open();
            // The EDGE call costs 0.003; the CLOUD call's estimate of 0.021 fits in 0.024 exactly.
            harness.processElement(escalating("fits", 0.024, cloud), 0);
            // In 0.0239 it does not: the EDGE answer stands.
            harness.processElement(escalating("over", 0.0239, cloud), 0);
            answer(harness, "fits/0/a#1", 0.1);
            answer(harness, "over/0/a#1", 0.1);

            assertThat(ExecuteOperatorTest.LOG)
                    .containsExactly("call fits/0/a#1", "call over/0/a#1", "call fits/0/cloud#1");
            CallReply over = replyOf(harness, "over", 0);
            assertThat(over.getRefused()).isNull();
            assertThat(over.getAnswer().getAgentId()).isEqualTo("a");
            assertThat(over.getCascade().getCloud().getError())
                    .isEqualTo(
                            "the call to cloud was not started: its estimated price of 0.021 USD"
                                    + " would bring the task's spend from 0.003 USD over its"
                                    + " budget of 0.0239 USD");
        }
    }

    private static CallRequest escalating(String taskId, double budget, AgentEvent cloud) {
        return CallRequest.newBuilder(work(taskId, budget, 0, 1, List.of(agent("a"))))
                .setEscalation(List.of(cloud))
                .setCascadeThreshold(0.5)
                .build();
    }

    @Test
    void aTaskPastItsDeadlineMakesNoCall() throws Exception {
        AgentEvent single = agent("a", Tier.EDGE, 1.0, 1);
        try (var harness = harness()) {
            harness.open();
            harness.processElement(work("first", null, 0, 1, List.of(single)), 0);
            CallRequest late = work("late", null, 0, 1, List.of(single));
            late.getTask().getTask().setDeadline(6_000L);
            harness.processElement(late, 0);
            CallRequest gone = work("gone", null, 0, 1, List.of(agent("b")));
            gone.getTask().getTask().setDeadline(4_000L);
            harness.processElement(gone, 0);

            // "late" waits for the agent's one slot while its deadline passes.
            clock.advance(2_000);
            answer(harness, "first/0/a#1", null);

            assertThat(ExecuteOperatorTest.LOG).containsExactly("call first/0/a#1");
            CallReply timedOut = replyOf(harness, "late", 0);
            assertThat(timedOut.getRefused()).isEqualTo(TaskStatus.TIMED_OUT);
            assertThat(timedOut.getAnswer().getError())
                    .isEqualTo(
                            "the call to a was not started: the task's deadline,"
                                    + " 1970-01-01T00:00:06Z, was 1000 ms ago");
            assertThat(replyOf(harness, "gone", 0).getRefused()).isEqualTo(TaskStatus.TIMED_OUT);
            assertThat(replyOf(harness, "gone", 0).getAnswer().getError())
                    .isEqualTo(
                            "the call to b was not started: the task's deadline,"
                                    + " 1970-01-01T00:00:04Z, was 1000 ms ago");
        }
    }

    @Test
    void callsWaitingForASlotStartByPriorityThenDeadline() throws Exception {
        AgentEvent single = agent("a", Tier.EDGE, 1.0, 1);
        try (var harness = harness()) {
            harness.open();
            harness.processElement(work("first", null, 0, 1, List.of(single)), 0);
            CallRequest low = work("low", null, 0, 1, List.of(single));
            CallRequest high = work("high", null, 0, 1, List.of(single));
            high.getTask().getTask().setPriority(5);
            CallRequest urgent = work("urgent", null, 0, 1, List.of(single));
            urgent.getTask().getTask().setPriority(5);
            urgent.getTask().getTask().setDeadline(600_000L);
            harness.processElement(low, 0);
            harness.processElement(high, 0);
            harness.processElement(urgent, 0);

            answer(harness, "first/0/a#1", null);
            answer(harness, "urgent/0/a#1", null);
            answer(harness, "high/0/a#1", null);

            assertThat(ExecuteOperatorTest.LOG)
                    .containsExactly(
                            "call first/0/a#1",
                            "call urgent/0/a#1",
                            "call high/0/a#1",
                            "call low/0/a#1");
        }
    }
}
