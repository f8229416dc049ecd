package io.hivestream.operators.execute;

import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.request;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import io.hivestream.schemas.internal.Turn;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The execute operator with scripted agents whose replies the test completes, so that order,
 * concurrency, capacity, retries and restores are observed exactly.
 */
@Timeout(60)
class ExecuteOperatorTest {
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(5_000), ZoneOffset.UTC);

    /**
     * Every call made, in order, and its pending reply; shared with the runtimes the operator
     * creates.
     */
    static final List<AgentCall> CALLS = Collections.synchronizedList(new ArrayList<>());

    static final Map<String, CompletableFuture<AgentReply>> PENDING = new ConcurrentHashMap<>();
    static final List<String> LOG = Collections.synchronizedList(new ArrayList<>());

    /** A runtime whose calls wait for the test to answer them. */
    static final class ScriptedRuntimes implements AgentRuntimeFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public AgentRuntime create(AgentEvent agent) {
            return call -> {
                CALLS.add(call);
                LOG.add("call " + name(call));
                CompletableFuture<AgentReply> reply = new CompletableFuture<>();
                PENDING.put(name(call), reply);
                return reply;
            };
        }
    }

    static String name(AgentCall call) {
        return call.task().getTaskId()
                + "/"
                + call.replica()
                + "/"
                + call.agent().getAgentId()
                + "#"
                + call.attempt();
    }

    @AfterEach
    void reset() {
        CALLS.clear();
        PENDING.clear();
        LOG.clear();
    }

    private static AgentEvent agent(String id) {
        return AgentEvent.newBuilder()
                .setAgentId(id)
                .setRuntime("scripted")
                .setCapabilities(List.of("chat"))
                .setTimeoutMs(60_000)
                .build();
    }

    /** A scripted agent of {@code tier} that offers chat. */
    static AgentEvent agent(String id, Tier tier) {
        return AgentEvent.newBuilder(agent(id)).setTier(tier).build();
    }

    private static CallRequest turn(
            String taskId, String session, String input, AgentEvent... chain) {
        return request(
                analyzed(task(taskId, "chat", input).setSessionId(session).build(), 1, 1),
                0,
                List.of(chain));
    }

    private static ExecuteHarness harness(ExecuteSettings settings) throws Exception {
        return scripted(settings, CLOCK);
    }

    /** The execute stage over the scripted runtimes, keyed as the job keys it. */
    static ExecuteHarness scripted(ExecuteSettings settings, java.time.Clock clock)
            throws Exception {
        return new ExecuteHarness(
                new ExecuteOperatorFactory(
                        new ScriptedRuntimes(),
                        settings,
                        ExecuteOperator.ToolPolicy.allowAll(),
                        clock));
    }

    /**
     * The same, with the journal and the detector of pauses the test gives it, in place of none and
     * the JVM's.
     */
    static ExecuteHarness scripted(
            ExecuteSettings settings,
            java.time.Clock clock,
            CallJournal.Factory journals,
            PauseDetector.Source pauses)
            throws Exception {
        return new ExecuteHarness(
                new ExecuteOperatorFactory(
                        new ScriptedRuntimes(),
                        settings,
                        ExecuteOperator.ToolPolicy.allowAll(),
                        clock,
                        new io.hivestream.operators.route.Router(),
                        journals,
                        pauses));
    }

    private static ExecuteSettings.Builder settings() {
        return ExecuteSettings.builder().backoff(Duration.ofMillis(1), Duration.ofMillis(1));
    }

    /** Runs the mails waiting in the task's mailbox: completions, retries. */
    static void drain(KeyedOneInputStreamOperatorTestHarness<?, ?, ?> harness) throws Exception {
        TaskMailbox mailbox = harness.getTaskMailbox();
        Optional<Mail> mail;
        while ((mail = mailbox.tryTake(TaskMailbox.MIN_PRIORITY)).isPresent()) {
            mail.get().run();
        }
    }

    private static void answer(String call, String output) {
        LOG.add("answer " + call);
        PENDING.get(call).complete(new AgentReply(output, "m", 3, 1, null, false));
    }

    static List<String> outputs(ExecuteHarness harness) {
        return harness.extractOutputValues().stream()
                .map(
                        r ->
                                r.getRequest().getTask().getTask().getTaskId()
                                        + "="
                                        + (r.getAnswer().getError() == null
                                                ? r.getAnswer().getOutput()
                                                : "error: " + r.getAnswer().getError())
                                        + (r.getRequest().getCancel() != null
                                                ? " (cancelled)"
                                                : ""))
                .toList();
    }

    @Test
    void turnsOfOneSessionRunInOrderAndSeeTheMemoryOfEarlierTurns() throws Exception {
        try (var harness = harness(settings().build())) {
            harness.open();
            harness.processElement(turn("t1", "s", "my name is Ada", agent("a")), 0);
            harness.processElement(turn("t2", "s", "what is my name?", agent("a")), 0);

            assertThat(LOG).containsExactly("call t1/0/a#1");
            answer("t1/0/a#1", "hello Ada");
            drain(harness);
            assertThat(LOG).containsExactly("call t1/0/a#1", "answer t1/0/a#1", "call t2/0/a#1");
            assertThat(CALLS.get(0).history()).isEmpty();
            assertThat(CALLS.get(1).history())
                    .containsExactly(
                            Turn.newBuilder()
                                    .setTaskId("t1")
                                    .setInput("my name is Ada")
                                    .setOutput("hello Ada")
                                    .setAgentId("a")
                                    .setAt(5_000)
                                    .build());

            answer("t2/0/a#1", "Ada");
            drain(harness);
            assertThat(outputs(harness)).containsExactly("t1=hello Ada", "t2=Ada");
            assertThat(harness.extractOutputValues())
                    .extracting(r -> r.getAnswer().getTier())
                    .containsExactly(Tier.EDGE, Tier.EDGE);
            // Only the session's memory is left.
            assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        }
    }

    @Test
    void memoryKeepsTheLastTurnsAndTruncatesThem() throws Exception {
        try (var harness = harness(settings().memory(2, 5, Duration.ofHours(1)).build())) {
            harness.open();
            for (int i = 1; i <= 4; i++) {
                harness.processElement(turn("t" + i, "s", "input " + i, agent("a")), 0);
                answer("t" + i + "/0/a#1", "output " + i);
                drain(harness);
            }
            assertThat(CALLS.get(3).history())
                    .extracting(Turn::getTaskId, Turn::getInput, Turn::getOutput)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("t2", "input", "outpu"),
                            org.assertj.core.groups.Tuple.tuple("t3", "input", "outpu"));
        }
    }

    @Test
    void aReplicaArrivingAfterItsSiblingFinishedIsRememberedOnce() throws Exception {
        try (var harness = harness(settings().build())) {
            harness.open();
            var vote = analyzed(task("t1", "chat", "pick one").setSessionId("s").build(), 2, 2);
            harness.processElement(request(vote, 0, List.of(agent("a"))), 0);
            answer("t1/0/a#1", "x");
            drain(harness);
            harness.processElement(request(vote, 1, List.of(agent("b"))), 0);
            answer("t1/1/b#1", "x");
            drain(harness);
            harness.processElement(turn("t2", "s", "next", agent("a")), 0);

            assertThat(CALLS.get(2).history()).extracting(Turn::getTaskId).containsExactly("t1");
        }
    }

    @Test
    void differentSessionsRunConcurrently() throws Exception {
        try (var harness = harness(settings().build())) {
            harness.open();
            harness.processElement(turn("t1", "s1", "x", agent("a")), 0);
            harness.processElement(turn("t2", "s2", "y", agent("a")), 0);
            harness.processElement(turn("t3", null, "z", agent("a")), 0);

            assertThat(LOG).containsExactly("call t1/0/a#1", "call t2/0/a#1", "call t3/0/a#1");
            answer("t3/0/a#1", "3");
            answer("t2/0/a#1", "2");
            answer("t1/0/a#1", "1");
            drain(harness);
            assertThat(outputs(harness)).containsExactly("t3=3", "t2=2", "t1=1");
        }
    }

    @Test
    void aNewRequestBeyondCapacityWaitsForACallToComplete() throws Exception {
        try (var harness = harness(settings().capacity(2).build())) {
            harness.open();
            harness.processElement(turn("t1", "s1", "x", agent("a")), 0);
            harness.processElement(turn("t2", "s2", "y", agent("a")), 0);
            // Runs only while the third request waits in the mailbox for capacity.
            harness.getTaskMailbox()
                    .put(new Mail(() -> answer("t1/0/a#1", "1"), 1000, "answer t1"));

            harness.processElement(turn("t3", "s3", "z", agent("a")), 0);

            assertThat(LOG)
                    .containsExactly(
                            "call t1/0/a#1", "call t2/0/a#1", "answer t1/0/a#1", "call t3/0/a#1");
            assertThat(outputs(harness)).containsExactly("t1=1");
        }
    }

    @Test
    void aRetryableFailureIsRetriedOnTheSameAgentAfterItsRetryAfter() throws Exception {
        try (var harness = harness(settings().build())) {
            harness.open();
            harness.processElement(turn("t1", null, "x", agent("a"), agent("b")), 0);
            PENDING.get("t1/0/a#1")
                    .completeExceptionally(
                            new AgentCallException(
                                    AgentCallException.Kind.RATE_LIMITED,
                                    "429",
                                    Duration.ofMillis(30),
                                    null));
            drain(harness);
            // The retry waits on the processing-time service for the provider's Retry-After.
            harness.setProcessingTime(29);
            drain(harness);
            assertThat(PENDING).doesNotContainKey("t1/0/a#2");

            harness.setProcessingTime(30);
            drain(harness);
            assertThat(PENDING).containsKey("t1/0/a#2");
            answer("t1/0/a#2", "ok");
            drain(harness);

            CallReply reply = harness.extractOutputValues().get(0);
            assertThat(reply.getAnswer().getOutput()).isEqualTo("ok");
            assertThat(reply.getAnswer().getAttempts()).isEqualTo(2);
            assertThat(reply.getCalls())
                    .extracting(
                            m -> m.getAgentId(),
                            m -> m.getCall().getOutcome(),
                            m -> m.getCall().getErrorClass())
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(
                                    "a", CallOutcome.ERROR, "RATE_LIMITED"),
                            org.assertj.core.groups.Tuple.tuple("a", CallOutcome.SUCCESS, null));
        }
    }

    @Test
    void aFailureThatRetryingCannotFixFallsBackAtOnce() throws Exception {
        try (var harness = harness(settings().build())) {
            harness.open();
            harness.processElement(
                    turn("t1", null, "x", agent("a", Tier.EDGE), agent("b", Tier.CLOUD)), 0);
            PENDING.get("t1/0/a#1")
                    .completeExceptionally(
                            new AgentCallException(
                                    AgentCallException.Kind.UNAUTHORIZED, "401 invalid key"));
            drain(harness);
            answer("t1/0/b#2", "from b");
            drain(harness);

            assertThat(LOG).containsExactly("call t1/0/a#1", "call t1/0/b#2", "answer t1/0/b#2");
            assertThat(outputs(harness)).containsExactly("t1=from b");
            // The answer carries the tier of the agent that gave it: the fallback's.
            assertThat(harness.extractOutputValues().get(0).getAnswer().getTier())
                    .isEqualTo(Tier.CLOUD);
        }
    }

    @Test
    void anAgentThatKeepsFailingIsGivenUpAfterItsAttemptsAndTheChainEndsInOneError()
            throws Exception {
        try (var harness = harness(settings().attemptsPerAgent(2).build())) {
            harness.open();
            harness.processElement(turn("t1", null, "x", agent("a", Tier.CLOUD)), 0);
            PENDING.get("t1/0/a#1")
                    .completeExceptionally(
                            new AgentCallException(AgentCallException.Kind.UNAVAILABLE, "503"));
            drain(harness);
            harness.setProcessingTime(1); // the backoff is 1 ms at most
            drain(harness);
            PENDING.get("t1/0/a#2")
                    .completeExceptionally(
                            new AgentCallException(
                                    AgentCallException.Kind.UNAVAILABLE, "503 again"));
            drain(harness);

            assertThat(outputs(harness)).containsExactly("t1=error: a: 503 again");
            assertThat(harness.extractOutputValues().get(0).getAnswer().getAttempts()).isEqualTo(2);
            assertThat(harness.extractOutputValues().get(0).getAnswer().getTier())
                    .isEqualTo(Tier.CLOUD);
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void anOpenCircuitSkipsTheAgent() throws Exception {
        try (var harness =
                harness(
                        settings()
                                .attemptsPerAgent(1)
                                .breaker(50f, 2, Duration.ofMinutes(1))
                                .build())) {
            harness.open();
            for (String id : List.of("t1", "t2")) {
                harness.processElement(turn(id, null, "x", agent("a"), agent("b")), 0);
                PENDING.get(id + "/0/a#1")
                        .completeExceptionally(
                                new AgentCallException(AgentCallException.Kind.UNAVAILABLE, "503"));
                drain(harness);
                answer(id + "/0/b#2", "b");
                drain(harness);
            }
            harness.processElement(turn("t3", null, "x", agent("a"), agent("b")), 0);
            answer("t3/0/b#1", "b");
            drain(harness);

            CallReply third = harness.extractOutputValues().get(2);
            assertThat(third.getAnswer().getOutput()).isEqualTo("b");
            List<Metric> calls = third.getCalls();
            assertThat(calls)
                    .extracting(
                            m -> m.getAgentId(),
                            m -> m.getCall().getOutcome(),
                            m -> m.getCall().getErrorClass())
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(
                                    "a", CallOutcome.REJECTED, "CircuitBreakerOpen"),
                            org.assertj.core.groups.Tuple.tuple("b", CallOutcome.SUCCESS, null));
        }
    }

    @Test
    void callsInFlightAtACheckpointAreIssuedAgainAfterARestoreAndNoOthers() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness(settings().build())) {
            harness.open();
            harness.processElement(turn("done", "s1", "x", agent("a")), 0);
            answer("done/0/a#1", "finished");
            drain(harness);
            harness.processElement(turn("flying", "s2", "y", agent("a")), 0);
            harness.processElement(turn("queued", "s2", "z", agent("a")), 0);
            snapshot = harness.snapshot(1, 1);
        }
        LOG.clear();
        PENDING.clear();
        try (var restored = harness(settings().build())) {
            restored.initializeState(snapshot);
            restored.open();
            assertThat(LOG).containsExactly("call flying/0/a#1");
            answer("flying/0/a#1", "1");
            drain(restored);
            answer("queued/0/a#1", "2");
            drain(restored);
            assertThat(outputs(restored)).containsExactly("flying=1", "queued=2");
        }
    }

    @Test
    void aSessionForgetsItsMemoryAfterTheTtl() throws Exception {
        try (var harness = harness(settings().memory(4, 100, Duration.ofMinutes(10)).build())) {
            harness.open();
            harness.setStateTtlProcessingTime(0);
            harness.processElement(turn("t1", "s", "x", agent("a")), 0);
            answer("t1/0/a#1", "1");
            drain(harness);
            harness.setStateTtlProcessingTime(Duration.ofMinutes(11).toMillis());
            harness.processElement(turn("t2", "s", "y", agent("a")), 0);

            assertThat(CALLS.get(1).history()).isEmpty();
        }
    }
}
