package io.hivestream.operators.execute;

import static io.hivestream.operators.execute.ExecuteOperatorTest.drain;
import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import io.hivestream.schemas.internal.Cascade;
import io.hivestream.schemas.internal.Turn;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cascade in the execute stage, with scripted agents whose replies the test completes: which
 * answers escalate, what the reply records, what a failing CLOUD tier leaves, and what a restore in
 * the escalation phase calls again.
 */
@Timeout(60)
class ExecuteOperatorCascadeTest {
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(5_000), ZoneOffset.UTC);

    static final List<AgentCall> CALLS = Collections.synchronizedList(new ArrayList<>());
    static final List<String> LOG = Collections.synchronizedList(new ArrayList<>());
    static final Map<String, CompletableFuture<AgentReply>> PENDING = new ConcurrentHashMap<>();

    /** Runtimes whose calls wait for the test to answer them. */
    static final class ScriptedRuntimes implements AgentRuntimeFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public AgentRuntime create(AgentEvent agent) {
            return call -> {
                String name =
                        call.task().getTaskId()
                                + "/"
                                + call.agent().getAgentId()
                                + "#"
                                + call.attempt();
                CALLS.add(call);
                LOG.add("call " + name);
                CompletableFuture<AgentReply> reply = new CompletableFuture<>();
                PENDING.put(name, reply);
                return reply;
            };
        }
    }

    @AfterEach
    void reset() {
        CALLS.clear();
        LOG.clear();
        PENDING.clear();
    }

    private static AgentEvent agent(String id, Tier tier) {
        return AgentEvent.newBuilder()
                .setAgentId(id)
                .setRuntime("scripted")
                .setCapabilities(List.of("chat"))
                .setTier(tier)
                .setCostPer1kInputTokens(tier == Tier.CLOUD ? 1.0 : 0.0)
                .setTimeoutMs(60_000)
                .build();
    }

    private static final AgentEvent EDGE = agent("edge", Tier.EDGE);
    private static final AgentEvent CLOUD_1 = agent("cloud-1", Tier.CLOUD);
    private static final AgentEvent CLOUD_2 = agent("cloud-2", Tier.CLOUD);

    /** A one-replica task whose chain is {@code chain} and escalation chain {@code escalation}. */
    private static CallRequest request(
            String taskId, String session, List<AgentEvent> chain, List<AgentEvent> escalation) {
        return CallRequest.newBuilder()
                .setTask(
                        analyzed(
                                task(taskId, "chat", "input of " + taskId)
                                        .setSessionId(session)
                                        .build(),
                                1,
                                1))
                .setReplica(0)
                .setChain(chain)
                .setEscalation(escalation)
                .setCascadeThreshold(escalation.isEmpty() ? 0.0 : 0.5)
                .build();
    }

    private static ExecuteHarness harness(ExecuteSettings settings) throws Exception {
        return new ExecuteHarness(
                new ExecuteOperatorFactory(
                        new ScriptedRuntimes(),
                        settings,
                        ExecuteOperator.ToolPolicy.allowAll(),
                        CLOCK));
    }

    private static ExecuteSettings settings() {
        return ExecuteSettings.builder()
                .backoff(Duration.ofMillis(1), Duration.ofMillis(1))
                .attemptsPerAgent(1)
                .build();
    }

    /** Answers a pending call with 1000 tokens in and 10 out. */
    private static void answer(String call, String output, Double confidence) {
        PENDING.get(call).complete(new AgentReply(output, "m", 1000, 10, confidence, false));
    }

    private static void fail(String call, String why) {
        PENDING.get(call)
                .completeExceptionally(
                        new AgentCallException(AgentCallException.Kind.UNAUTHORIZED, why));
    }

    /** The answer {@link #answer} gives, as the execute stage records it. */
    private static AgentAnswer answered(String agentId, String output, Double confidence) {
        return AgentAnswer.newBuilder()
                .setAgentId(agentId)
                .setModel("m")
                .setOutput(output)
                .setConfidence(confidence)
                .setTokensIn(1000)
                .setTokensOut(10)
                .setCostUsd(agentId.startsWith("cloud") ? 1.0 : 0.0)
                .setTier(agentId.startsWith("cloud") ? Tier.CLOUD : Tier.EDGE)
                .build();
    }

    @Test
    void anEdgeAnswerUnderTheThresholdEscalatesAndTheReplyKeepsBothAnswers() throws Exception {
        try (var harness = harness(settings())) {
            harness.open();
            harness.processElement(request("t1", "s", List.of(EDGE), List.of(CLOUD_1, CLOUD_2)), 0);
            answer("t1/edge#1", "maybe billing", 0.3);
            drain(harness);
            answer("t1/cloud-1#1", "shipping", 0.95);
            drain(harness);

            assertThat(LOG).containsExactly("call t1/edge#1", "call t1/cloud-1#1");
            CallReply reply = harness.extractOutputValues().get(0);
            assertThat(reply.getAnswer()).isEqualTo(answered("cloud-1", "shipping", 0.95));
            assertThat(reply.getCascade())
                    .isEqualTo(
                            Cascade.newBuilder()
                                    .setEdge(answered("edge", "maybe billing", 0.3))
                                    .setThreshold(0.5)
                                    .setCloud(answered("cloud-1", "shipping", 0.95))
                                    .build());
            assertThat(reply.getCalls())
                    .extracting(
                            m -> m.getAgentId(),
                            m -> m.getCall().getAttempt(),
                            m -> m.getCall().getOutcome(),
                            m -> m.getCall().getTokensIn(),
                            m -> m.getCall().getCostUsd())
                    .containsExactly(
                            tuple("edge", 1, CallOutcome.SUCCESS, 1000L, 0.0),
                            tuple("cloud-1", 1, CallOutcome.SUCCESS, 1000L, 1.0));

            // The session remembers the answer that stands; nothing else is left.
            harness.processElement(request("t2", "s", List.of(EDGE), List.of()), 0);
            assertThat(CALLS.get(2).history())
                    .containsExactly(
                            Turn.newBuilder()
                                    .setTaskId("t1")
                                    .setInput("input of t1")
                                    .setOutput("shipping")
                                    .setAgentId("cloud-1")
                                    .setAt(5_000)
                                    .build());
            answer("t2/edge#1", "done", null);
            drain(harness);
            assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        }
    }

    @Test
    void answersAtTheThresholdWithoutConfidenceFromTheCloudOrWithoutEscalationStand()
            throws Exception {
        try (var harness = harness(settings())) {
            harness.open();
            harness.processElement(
                    request("at", null, List.of(EDGE), List.of(CLOUD_1, CLOUD_2)), 0);
            harness.processElement(
                    request("none", null, List.of(EDGE), List.of(CLOUD_1, CLOUD_2)), 0);
            harness.processElement(
                    request("cloud", null, List.of(CLOUD_2, EDGE), List.of(CLOUD_1)), 0);
            harness.processElement(request("off", null, List.of(EDGE), List.of()), 0);
            answer("at/edge#1", "a", 0.5);
            answer("none/edge#1", "b", null);
            answer("cloud/cloud-2#1", "c", 0.1);
            answer("off/edge#1", "d", 0.1);
            drain(harness);

            assertThat(LOG)
                    .containsExactly(
                            "call at/edge#1",
                            "call none/edge#1",
                            "call cloud/cloud-2#1",
                            "call off/edge#1");
            assertThat(harness.extractOutputValues())
                    .extracting(r -> r.getAnswer().getOutput(), CallReply::getCascade)
                    .containsExactly(
                            tuple("a", null), tuple("b", null), tuple("c", null), tuple("d", null));
            // Tasks without a session leave no state behind.
            assertThat(harness.numKeyedStateEntries()).isEqualTo(0);
        }
    }

    @Test
    void aFallbackEdgeAgentEscalatesWithTheCallsOfItsWholeChain() throws Exception {
        AgentEvent edge2 = agent("edge-2", Tier.EDGE);
        try (var harness = harness(settings())) {
            harness.open();
            harness.processElement(request("t1", null, List.of(EDGE, edge2), List.of(CLOUD_1)), 0);
            fail("t1/edge#1", "401 edge");
            drain(harness);
            answer("t1/edge-2#2", "unsure", 0.2);
            drain(harness);
            answer("t1/cloud-1#1", "sure", null);
            drain(harness);

            CallReply reply = harness.extractOutputValues().get(0);
            assertThat(reply.getAnswer().getOutput()).isEqualTo("sure");
            assertThat(reply.getCascade().getEdge())
                    .isEqualTo(
                            AgentAnswer.newBuilder(answered("edge-2", "unsure", 0.2))
                                    .setAttempts(2)
                                    .build());
            assertThat(reply.getCalls())
                    .extracting(
                            m -> m.getAgentId(),
                            m -> m.getCall().getAttempt(),
                            m -> m.getCall().getOutcome())
                    .containsExactly(
                            tuple("edge", 1, CallOutcome.ERROR),
                            tuple("edge-2", 2, CallOutcome.SUCCESS),
                            tuple("cloud-1", 1, CallOutcome.SUCCESS));
        }
    }

    @Test
    void whenEveryCloudAgentFailsTheEdgeAnswerStandsWithTheCloudFailureRecorded() throws Exception {
        try (var harness = harness(settings())) {
            harness.open();
            harness.processElement(
                    request("t1", null, List.of(EDGE), List.of(CLOUD_1, CLOUD_2)), 0);
            answer("t1/edge#1", "maybe", 0.1);
            drain(harness);
            fail("t1/cloud-1#1", "401 one");
            drain(harness);
            fail("t1/cloud-2#2", "401 two");
            drain(harness);

            CallReply reply = harness.extractOutputValues().get(0);
            assertThat(reply.getAnswer()).isEqualTo(answered("edge", "maybe", 0.1));
            assertThat(reply.getCascade())
                    .isEqualTo(
                            Cascade.newBuilder()
                                    .setEdge(answered("edge", "maybe", 0.1))
                                    .setThreshold(0.5)
                                    .setCloud(
                                            AgentAnswer.newBuilder()
                                                    .setAgentId("cloud-2")
                                                    .setTier(Tier.CLOUD)
                                                    .setError("cloud-1: 401 one; cloud-2: 401 two")
                                                    .setAttempts(2)
                                                    .build())
                                    .build());
            assertThat(reply.getCalls())
                    .extracting(
                            m -> m.getAgentId(),
                            m -> m.getCall().getAttempt(),
                            m -> m.getCall().getOutcome(),
                            m -> m.getCall().getErrorClass())
                    .containsExactly(
                            tuple("edge", 1, CallOutcome.SUCCESS, null),
                            tuple("cloud-1", 1, CallOutcome.ERROR, "UNAUTHORIZED"),
                            tuple("cloud-2", 2, CallOutcome.ERROR, "UNAUTHORIZED"));
            // The task had no session: it leaves no state behind, not even memory.
            assertThat(harness.numKeyedStateEntries()).isEqualTo(0);
        }
    }

    @Test
    void aRestoreInTheEscalationPhaseCallsOnlyTheCloudAgentAgain() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness(settings())) {
            harness.open();
            harness.processElement(
                    request("t1", null, List.of(EDGE), List.of(CLOUD_1, CLOUD_2)), 0);
            answer("t1/edge#1", "maybe", 0.2);
            drain(harness);
            assertThat(PENDING).containsOnlyKeys("t1/edge#1", "t1/cloud-1#1");
            snapshot = harness.snapshot(1, 1);
        }
        LOG.clear();
        PENDING.clear();
        try (var restored = harness(settings())) {
            restored.initializeState(snapshot);
            restored.open();
            assertThat(LOG).containsExactly("call t1/cloud-1#1");
            answer("t1/cloud-1#1", "sure", 0.9);
            drain(restored);

            CallReply reply = restored.extractOutputValues().get(0);
            assertThat(reply.getAnswer()).isEqualTo(answered("cloud-1", "sure", 0.9));
            assertThat(reply.getCascade().getEdge()).isEqualTo(answered("edge", "maybe", 0.2));
            assertThat(reply.getCalls())
                    .extracting(m -> m.getAgentId(), m -> m.getCall().getOutcome())
                    .containsExactly(
                            tuple("edge", CallOutcome.SUCCESS),
                            tuple("cloud-1", CallOutcome.SUCCESS));
            assertThat(restored.numKeyedStateEntries()).isEqualTo(0);
        }
    }
}
