package io.hivestream.operators.route;

import static io.hivestream.operators.testing.TestRecords.agent;
import static io.hivestream.operators.testing.TestRecords.analysis;
import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.request;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.operators.Outputs;
import io.hivestream.operators.plan.Cancellations;
import io.hivestream.operators.plan.RolePrompts;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.AgentEventType;
import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.codec.Codecs;
import io.hivestream.schemas.internal.AgentView;
import io.hivestream.schemas.internal.Analysis;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Queue;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RouteFunctionTest {
    private static final long NOW = 10_000;
    private static final Duration AGENT_WAIT = Duration.ofSeconds(30);
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);

    private static final AnalyzedTask CHAT = analyzed(task("t-1", "chat", "Hi").build(), 1, 1);
    private static final AgentEvent ALICE = agent("alice", List.of("chat")).build();

    private KeyedBroadcastOperatorTestHarness<
                    String, AnalyzedTask, AgentView, Either<CallRequest, AgentView>>
            harness;

    private static final Duration RETENTION = Duration.ofHours(1);
    private static final String TASKS_TOPIC = "hivestream.tasks";

    private void open(boolean boundedInput) throws Exception {
        harness = opened(new RouteFunction(new Router(), AGENT_WAIT, CLOCK, boundedInput), null);
        harness.setProcessingTime(NOW);
    }

    /** A route stage that remembers the task ids it received for {@code retention}. */
    private static RouteFunction remembering(Duration retention) {
        return new RouteFunction(
                new Router(),
                Escalation.off(),
                AGENT_WAIT,
                CLOCK,
                false,
                0,
                retention,
                TASKS_TOPIC);
    }

    private void open(Duration retention) throws Exception {
        harness = opened(remembering(retention), null);
        harness.setProcessingTime(NOW);
        harness.setStateTtlProcessingTime(NOW);
    }

    /** A route stage restored from {@code snapshot}, as a job restores from a savepoint. */
    private void restore(Duration retention, OperatorSubtaskState snapshot) throws Exception {
        restore(remembering(retention), snapshot);
    }

    /** {@code stage}, restored from {@code snapshot} when given. */
    private void restore(RouteFunction stage, OperatorSubtaskState snapshot) throws Exception {
        harness = opened(stage, snapshot);
        harness.setProcessingTime(NOW);
        harness.setStateTtlProcessingTime(NOW);
    }

    /**
     * A harness of {@code stage} keyed as the job keys it, restored from {@code snapshot} when
     * given, and opened.
     */
    static KeyedBroadcastOperatorTestHarness<
                    String, AnalyzedTask, AgentView, Either<CallRequest, AgentView>>
            opened(RouteFunction stage, OperatorSubtaskState snapshot) throws Exception {
        KeyedBroadcastOperatorTestHarness<
                        String, AnalyzedTask, AgentView, Either<CallRequest, AgentView>>
                harness =
                        new KeyedBroadcastOperatorTestHarness<>(
                                new CoBroadcastWithKeyedOperator<>(
                                        stage, List.of(RouteFunction.AGENTS)),
                                SessionKeys::of,
                                Types.STRING,
                                1,
                                1,
                                0);
        harness.setup(RouteFunction.OUTPUT.createSerializer(new SerializerConfigImpl()));
        if (snapshot != null) {
            harness.initializeState(snapshot);
        }
        harness.open();
        return harness;
    }

    private List<DeadLetter> deadLetters() {
        Queue<StreamRecord<DeadLetter>> out = harness.getSideOutput(Outputs.DEAD_LETTERS);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }

    /** The dead letter of a task whose id the route stage had already received. */
    private static DeadLetter repeated(AnalyzedTask task) {
        String taskId = task.getTask().getTaskId();
        return DeadLetter.newBuilder()
                .setTopic(TASKS_TOPIC)
                .setPartition(-1)
                .setOffset(-1)
                .setTimestamp(NOW)
                .setKey(ByteBuffer.wrap(taskId.getBytes(StandardCharsets.UTF_8)))
                .setValue(ByteBuffer.wrap(Codecs.TASK.encodeAvro(task.getTask())))
                .setStage("route")
                .setReason(
                        "task id "
                                + taskId
                                + " was already received within"
                                + " hivestream.results.dedupe-retention (1 h); publish it under a"
                                + " new id to run it again")
                .setFailedAt(NOW)
                .build();
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    /** Pending tasks: the only keyed state of the function. */
    private int keyedStateEntries() {
        return ((HeapKeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend())
                .numKeyValueStateEntries();
    }

    /** The agent as the registry stores it: a registration stamped with the clock. */
    private static AgentEvent registered(AgentEvent agent) {
        return AgentEvent.newBuilder(agent)
                .setType(AgentEventType.REGISTER)
                .setTimestamp(NOW)
                .build();
    }

    /** The view the statistics operator publishes of a registered agent nothing is known about. */
    private static AgentView view(AgentEvent agent) {
        return Router.unobserved(registered(agent));
    }

    /** The view of an agent that has missed its heartbeats, or is back when healthy. */
    private static AgentView view(AgentEvent agent, boolean healthy) {
        AgentView view = view(agent);
        view.getStats().setHealthy(healthy);
        return view;
    }

    private static CallRequest unroutable(AnalyzedTask task, String problem) {
        AnalyzedTask single =
                AnalyzedTask.newBuilder(task)
                        .setAnalysis(
                                Analysis.newBuilder(task.getAnalysis())
                                        .setReplicas(1)
                                        .setQuorum(1)
                                        .build())
                        .build();
        return CallRequest.newBuilder(request(single, 0, List.of())).setRouteError(problem).build();
    }

    private static final AnalyzedTask ROOT = root();

    private static AnalyzedTask root() {
        AnalyzedTask root =
                analyzed(
                        task("r-1", "chat", "Plan it").setStrategy(Strategy.DECOMPOSE).build(),
                        1,
                        1);
        root.getAnalysis().setStrategy(Strategy.DECOMPOSE);
        return root;
    }

    private List<AnalyzedTask> plans() {
        Queue<StreamRecord<AnalyzedTask>> out = harness.getSideOutput(RouteFunction.PLANS);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void aTaskToDecomposeGoesToTheAggregateStageWithTheCapabilitiesOnOffer() throws Exception {
        open(false);
        harness.processBroadcastElement(view(ALICE), 1);
        harness.processBroadcastElement(view(agent("bob", List.of("plan", "math")).build()), 1);
        harness.processBroadcastElement(
                view(agent("carol", List.of("fly")).setTenants(List.of("other")).build()), 1);

        harness.processElement(ROOT, 2);
        // The first start: the registry counts as read a moment after its first agent arrived.
        assertThat(plans()).isEmpty();
        harness.setProcessingTime(NOW + RouteFunction.PLAN_SETTLE_MS);

        assertThat(requests(harness)).isEmpty();
        assertThat(plans()).hasSize(1);
        assertThat(plans().get(0).getTask().getMetadata())
                .containsEntry(RolePrompts.CATALOG, "chat,math,plan");
        assertThat(keyedStateEntries()).isEqualTo(0);
    }

    @Test
    void beforeAnyAgentIsKnownATaskToDecomposeWaitsForTheRegistryToBeRead() throws Exception {
        open(false);
        harness.processElement(ROOT, 1);

        assertThat(plans()).isEmpty();
        assertThat(keyedStateEntries()).isEqualTo(1);

        harness.processBroadcastElement(view(ALICE), 2);
        harness.processBroadcastElement(view(agent("bob", List.of("plan")).build()), 2);
        assertThat(plans()).isEmpty();
        harness.setProcessingTime(NOW + RouteFunction.PLAN_SETTLE_MS);

        assertThat(plans())
                .extracting(t -> t.getTask().getMetadata().get(RolePrompts.CATALOG))
                .containsExactly("chat,plan");
        assertThat(keyedStateEntries()).isEqualTo(0);
    }

    @Test
    void aStepsCancellationIsPassedOnUnroutedUnderTheStepsKey() throws Exception {
        open(false);
        Task cancellation =
                Cancellations.of("r-1/facts", ROOT.getTask(), "plan r-1 ended FAILED", 0);

        assertThat(SessionKeys.of(cancellation)).isEqualTo("t/r-1/facts");
        harness.processElement(analyzed(cancellation, 1, 1), 1);

        assertThat(requests(harness))
                .extracting(CallRequest::getCancel, r -> r.getChain().size())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("cancelled: plan r-1 ended FAILED", 0));
    }

    @Test
    void aTaskIsRoutedAtOnceWhenItsAgentIsRegistered() throws Exception {
        open(false);
        harness.processBroadcastElement(view(ALICE), 1);

        harness.processElement(CHAT, 2);

        assertThat(requests(harness)).containsExactly(request(CHAT, 0, List.of(registered(ALICE))));
        assertThat(keyedStateEntries()).isEqualTo(0);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
    }

    @Test
    void aWaitingTaskIsRoutedWhenItsAgentRegistersAndItsStateIsCleared() throws Exception {
        open(false);
        harness.processElement(CHAT, 1);

        assertThat(requests(harness)).isEmpty();
        assertThat(keyedStateEntries()).isEqualTo(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        harness.processBroadcastElement(view(ALICE), 2);

        assertThat(requests(harness)).containsExactly(request(CHAT, 0, List.of(registered(ALICE))));
        assertThat(keyedStateEntries()).isEqualTo(0);
    }

    @Test
    void everyViewIsPassedOnBeforeTheRequestsItLetsGo() throws Exception {
        open(false);
        AgentEvent bob = agent("bob", List.of("math")).build();
        harness.processElement(CHAT, 1);
        harness.processBroadcastElement(view(bob), 2); // lets nothing go
        harness.processBroadcastElement(view(ALICE), 3);

        assertThat(harness.extractOutputValues())
                .containsExactly(
                        Either.Right(view(bob)),
                        Either.Right(view(ALICE)),
                        Either.Left(request(CHAT, 0, List.of(registered(ALICE)))));
    }

    @Test
    void theWaitTimerOfARoutedTaskEmitsNothingMore() throws Exception {
        open(false);
        harness.processElement(CHAT, 1);
        harness.processBroadcastElement(view(ALICE), 2);

        harness.setProcessingTime(NOW + AGENT_WAIT.toMillis());

        assertThat(requests(harness)).containsExactly(request(CHAT, 0, List.of(registered(ALICE))));
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
        assertThat(keyedStateEntries()).isEqualTo(0);
    }

    @Test
    void anAgentWithoutTheCapabilityLeavesTheTaskWaiting() throws Exception {
        open(false);
        harness.processElement(CHAT, 1);

        harness.processBroadcastElement(view(agent("bob", List.of("math")).build()), 2);

        assertThat(requests(harness)).isEmpty();
        assertThat(keyedStateEntries()).isEqualTo(1);
    }

    @Test
    void aConsensusTaskWaitsForEnoughAgentsThenSendsOneRequestPerReplica() throws Exception {
        open(false);
        AnalyzedTask vote =
                analyzed(
                        task("t-2", "math", "1 + 1").build(),
                        analysis(Tier.EDGE, 3, 2, List.of("math")));
        AgentEvent a = agent("a", List.of("math")).build();
        AgentEvent b = agent("b", List.of("math")).build();
        AgentEvent c = agent("c", List.of("math")).build();
        harness.processElement(vote, 1);
        harness.processBroadcastElement(view(a), 2);
        harness.processBroadcastElement(view(b), 3);

        assertThat(requests(harness)).isEmpty();

        harness.processBroadcastElement(view(c), 4);

        assertThat(requests(harness))
                .containsExactly(
                        request(vote, 0, List.of(registered(a))),
                        request(vote, 1, List.of(registered(b))),
                        request(vote, 2, List.of(registered(c))));
        assertThat(keyedStateEntries()).isEqualTo(0);
    }

    @Test
    void aRetiredAgentIsNoLongerChosen() throws Exception {
        open(false);
        harness.processBroadcastElement(view(ALICE), 1);
        harness.processBroadcastElement(
                Router.unobserved(agent("alice", List.of()).setType(AgentEventType.RETIRE).build()),
                2);

        harness.processElement(CHAT, 3);

        assertThat(requests(harness)).isEmpty();
        assertThat(keyedStateEntries()).isEqualTo(1);
    }

    @Test
    void aTaskWithoutAnAgentFailsWhenTheWaitEnds() throws Exception {
        open(false);
        harness.processElement(CHAT, 1);

        harness.setProcessingTime(NOW + AGENT_WAIT.toMillis() - 1);
        assertThat(requests(harness)).isEmpty();

        harness.setProcessingTime(NOW + AGENT_WAIT.toMillis());
        assertThat(requests(harness))
                .containsExactly(
                        unroutable(
                                CHAT,
                                "needs an agent with capabilities [chat] for tenant 'default'; 0"
                                        + " registered"));
        assertThat(keyedStateEntries()).isEqualTo(0);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
    }

    @Test
    void anUnroutableConsensusTaskBecomesOneRequestForOneReplica() throws Exception {
        open(false);
        AnalyzedTask vote =
                analyzed(
                        task("t-2", "math", "1 + 1").build(),
                        analysis(Tier.EDGE, 3, 2, List.of("math")));
        harness.processBroadcastElement(view(agent("a", List.of("math")).build()), 1);
        harness.processElement(vote, 2);

        harness.setProcessingTime(NOW + AGENT_WAIT.toMillis());

        CallRequest failed = requests(harness).get(0);
        assertThat(requests(harness))
                .containsExactly(
                        unroutable(
                                vote,
                                "needs 3 distinct agents with capabilities [math] for tenant"
                                        + " 'default'; 1 registered"));
        assertThat(failed.getTask().getAnalysis().getReplicas()).isEqualTo(1);
        assertThat(failed.getTask().getAnalysis().getQuorum()).isEqualTo(1);
        assertThat(keyedStateEntries()).isEqualTo(0);
    }

    @Test
    void anUnboundedRunSetsNoEventTimeTimer() throws Exception {
        open(false);

        harness.processElement(CHAT, 1);

        assertThat(harness.numEventTimeTimers()).isEqualTo(0);
    }

    @Test
    void theEndOfABoundedInputFailsTheTasksStillWaiting() throws Exception {
        open(true);
        harness.processElement(CHAT, 1);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        // A bounded run ends both inputs, tasks and agents, with the final watermark.
        harness.processBroadcastWatermark(Long.MAX_VALUE);
        harness.processWatermark(Long.MAX_VALUE);

        assertThat(requests(harness))
                .containsExactly(
                        unroutable(
                                CHAT,
                                "needs an agent with capabilities [chat] for tenant 'default'; 0"
                                        + " registered"));
        assertThat(keyedStateEntries()).isEqualTo(0);
        assertThat(harness.numEventTimeTimers()).isEqualTo(0);
    }

    @Test
    void agentWaitMustBePositive() {
        assertThatThrownBy(() -> new RouteFunction(new Router(), Duration.ZERO, CLOCK, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("agentWait must be positive: PT0S");
    }

    @Test
    void anAgentOutOfTheRotationIsNotChosenAndATaskWaitingForItIsRoutedWhenItIsBack()
            throws Exception {
        open(false);
        AgentEvent pricey = agent("bob", List.of("chat")).setCostPer1kInputTokens(0.01).build();
        harness.processBroadcastElement(view(ALICE), 1);
        harness.processBroadcastElement(view(pricey), 2);
        harness.processBroadcastElement(view(ALICE, false), 3);

        harness.processElement(CHAT, 4);

        assertThat(requests(harness))
                .containsExactly(request(CHAT, 0, List.of(registered(pricey))));

        AnalyzedTask onlyAlice =
                analyzed(
                        task("t-9", "chat", "Hi").build(),
                        analysis(Tier.EDGE, 2, 2, List.of("chat")));
        harness.processElement(onlyAlice, 5);
        assertThat(requests(harness)).hasSize(1);
        assertThat(keyedStateEntries()).isEqualTo(1);

        harness.processBroadcastElement(view(ALICE, true), 6);

        assertThat(requests(harness))
                .containsExactly(
                        request(CHAT, 0, List.of(registered(pricey))),
                        request(onlyAlice, 0, List.of(registered(ALICE))),
                        request(onlyAlice, 1, List.of(registered(pricey))));
        assertThat(keyedStateEntries()).isEqualTo(0);
    }

    @Test
    void aTaskWithAnInvalidPreferenceFailsAtOnce() throws Exception {
        open(false);
        harness.processBroadcastElement(view(ALICE), 1);
        AnalyzedTask odd =
                analyzed(
                        task("t-3", "chat", "Hi")
                                .setMetadata(java.util.Map.of("preference", "cheap"))
                                .build(),
                        1,
                        1);

        harness.processElement(odd, 2);

        assertThat(requests(harness))
                .containsExactly(
                        unroutable(
                                odd,
                                "metadata preference: 'cheap' is not quality, balanced, cost or a"
                                        + " number in [0, 1]"));
        assertThat(keyedStateEntries()).isEqualTo(0);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
    }

    private static AnalyzedTask turn(String taskId, String capability) {
        return analyzed(
                task(taskId, capability, "turn " + taskId).setSessionId("s-1").build(),
                analysis(Tier.EDGE, 1, 1, List.of(capability)));
    }

    /** A route stage that orders numbered turns, restored from {@code snapshot} when given. */
    private void numbering(OperatorSubtaskState snapshot) throws Exception {
        restore(
                remembering(RETENTION)
                        .withTurns(new TurnOrder(Duration.ofSeconds(10)), Duration.ofHours(24)),
                snapshot);
    }

    private static AnalyzedTask numbered(String taskId, long turn) {
        AnalyzedTask task = turn(taskId, "chat");
        task.getTask().setTurn(turn);
        return task;
    }

    @Test
    void aNumberedTurnWaitsThroughARestoreForTheTurnBeforeIt() throws Exception {
        numbering(null);
        harness.processBroadcastElement(view(ALICE), 1);
        AnalyzedTask second = numbered("t-2", 2);
        harness.processElement(second, 2);
        assertThat(requests(harness)).isEmpty();
        OperatorSubtaskState held = harness.snapshot(1, 3);
        harness.close();

        numbering(held);
        AnalyzedTask first = numbered("t-1", 1);
        harness.processElement(first, 4);

        assertThat(requests(harness))
                .containsExactly(
                        request(first, 0, List.of(registered(ALICE))),
                        request(second, 0, List.of(registered(ALICE))));
    }

    @Test
    void aNumberedTurnToDecomposeGoesToThePlannerInItsPlace() throws Exception {
        numbering(null);
        harness.processBroadcastElement(view(ALICE), 1);
        AnalyzedTask plan =
                analyzed(
                        task("t-2", "chat", "Research it. Then write it up.")
                                .setSessionId("s-1")
                                .setTurn(2L)
                                .build(),
                        analysis(Tier.CLOUD, 1, 1, List.of("chat")));
        plan.getAnalysis().setStrategy(Strategy.DECOMPOSE);
        harness.processElement(plan, 2);
        // Held for turn 1: not even waiting for the registry, which counts as read by now.
        harness.setProcessingTime(NOW + RouteFunction.PLAN_SETTLE_MS);
        assertThat(plans()).isEmpty();

        AnalyzedTask first = numbered("t-1", 1);
        harness.processElement(first, 3);

        assertThat(requests(harness))
                .containsExactly(request(first, 0, List.of(registered(ALICE))));
        // Released after turn 1, it goes to the planner at the next timer.
        harness.setProcessingTime(NOW + RouteFunction.PLAN_SETTLE_MS + 1);
        assertThat(plans()).extracting(p -> p.getTask().getTaskId()).containsExactly("t-2");
    }

    @Test
    void aNumberedTurnGoesOnWithoutAMissingOneWhenItsWaitEnds() throws Exception {
        numbering(null);
        harness.processBroadcastElement(view(ALICE), 1);
        harness.processElement(numbered("t-1", 1), 2);
        harness.processElement(numbered("t-3", 3), 3);
        assertThat(requests(harness)).hasSize(1);

        harness.setProcessingTime(NOW + 10_000);

        List<CallRequest> out = requests(harness);
        assertThat(out).hasSize(2);
        assertThat(out.get(1).getTask().getTask().getTaskId()).isEqualTo("t-3");
        assertThat(out.get(1).getTask().getTask().getMetadata())
                .containsEntry(
                        TurnOrder.GAP,
                        "turn 2 of this session did not arrive within 10.0 s; answered without"
                                + " them");
        assertThat(out.get(1).getChain()).containsExactly(registered(ALICE));
    }

    @Test
    void aLaterTurnOfASessionWaitsBehindAnEarlierTurnThatWaitsForAnAgent() throws Exception {
        open(false);
        harness.processBroadcastElement(view(ALICE), 1);
        AnalyzedTask first = turn("t-1", "math");
        AnalyzedTask second = turn("t-2", "chat");

        harness.processElement(first, 2);
        harness.processElement(second, 3);

        assertThat(requests(harness)).isEmpty();
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        AgentEvent bob = agent("bob", List.of("math")).build();
        harness.processBroadcastElement(view(bob), 4);

        assertThat(requests(harness))
                .containsExactly(
                        request(first, 0, List.of(registered(bob))),
                        request(second, 0, List.of(registered(ALICE))));
        assertThat(keyedStateEntries()).isEqualTo(0);
    }

    @Test
    void whenAnEarlierTurnFailsAfterItsWaitTheTurnsBehindItGoOnInOrder() throws Exception {
        open(false);
        harness.processBroadcastElement(view(ALICE), 1);
        AnalyzedTask first = turn("t-1", "math");
        AnalyzedTask second = turn("t-2", "chat");
        harness.processElement(first, 2);
        harness.processElement(second, 3);

        harness.setProcessingTime(NOW + AGENT_WAIT.toMillis());

        assertThat(requests(harness))
                .containsExactly(
                        unroutable(
                                first,
                                "needs an agent with capabilities [math] for tenant 'default'; 0"
                                        + " registered"),
                        request(second, 0, List.of(registered(ALICE))));
        assertThat(keyedStateEntries()).isEqualTo(0);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
    }

    @Test
    void turnsOfDifferentSessionsDoNotWaitForEachOther() throws Exception {
        open(false);
        harness.processBroadcastElement(view(ALICE), 1);
        AnalyzedTask waiting = turn("t-1", "math");
        AnalyzedTask other = analyzed(task("t-2", "chat", "Hi").setSessionId("s-2").build(), 1, 1);

        harness.processElement(waiting, 2);
        harness.processElement(other, 3);

        assertThat(requests(harness))
                .containsExactly(request(other, 0, List.of(registered(ALICE))));
        assertThat(keyedStateEntries()).isEqualTo(1);
    }

    @Test
    void aTaskIdReceivedAgainIsADeadLetterAndCallsNoAgent() throws Exception {
        open(RETENTION);
        harness.processBroadcastElement(view(ALICE), 1);
        AnalyzedTask again = analyzed(task("t-1", "chat", "Hi again").build(), 1, 1);

        harness.processElement(CHAT, 2);
        harness.processElement(again, 3);

        assertThat(requests(harness)).containsExactly(request(CHAT, 0, List.of(registered(ALICE))));
        assertThat(deadLetters()).containsExactly(repeated(again));
    }

    @Test
    void aTaskIdReceivedAgainWhileItsFirstCopyWaitsIsADeadLetter() throws Exception {
        open(RETENTION);
        harness.processElement(CHAT, 1);
        harness.processElement(CHAT, 2);

        assertThat(deadLetters()).containsExactly(repeated(CHAT));

        harness.processBroadcastElement(view(ALICE), 3);

        assertThat(requests(harness)).containsExactly(request(CHAT, 0, List.of(registered(ALICE))));
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
    }

    @Test
    void aTaskIdIsRoutedAgainOnceTheRetentionHasPassedSinceItWasReceived() throws Exception {
        open(RETENTION);
        harness.processBroadcastElement(view(ALICE), 1);
        harness.processElement(CHAT, 2);

        harness.setStateTtlProcessingTime(NOW + RETENTION.toMillis() - 1);
        harness.processElement(CHAT, 3);

        assertThat(deadLetters()).containsExactly(repeated(CHAT));

        harness.setStateTtlProcessingTime(NOW + RETENTION.toMillis());
        harness.processElement(CHAT, 4);

        CallRequest routed = request(CHAT, 0, List.of(registered(ALICE)));
        assertThat(requests(harness)).containsExactly(routed, routed);
        assertThat(deadLetters()).containsExactly(repeated(CHAT));
    }

    @Test
    void withoutARetentionARepeatedTaskIdIsRoutedAgainAndNothingIsRemembered() throws Exception {
        open(Duration.ZERO);
        harness.processBroadcastElement(view(ALICE), 1);

        harness.processElement(CHAT, 2);
        harness.processElement(CHAT, 3);

        CallRequest routed = request(CHAT, 0, List.of(registered(ALICE)));
        assertThat(requests(harness)).containsExactly(routed, routed);
        assertThat(deadLetters()).isEmpty();
        assertThat(keyedStateEntries()).isEqualTo(0);
    }

    @Test
    void theSubtasksOfAPlanAndTheTurnsOfASessionAreNotDuplicatesButARepeatedTurnIs()
            throws Exception {
        open(RETENTION);
        harness.processBroadcastElement(view(ALICE), 1);
        AnalyzedTask architect =
                analyzed(
                        task("plan/architect", "chat", "Design it")
                                .setParentId("plan")
                                .setRootId("plan")
                                .build(),
                        1,
                        1);
        AnalyzedTask coder =
                analyzed(
                        task("plan/coder", "chat", "Code it")
                                .setParentId("plan")
                                .setRootId("plan")
                                .build(),
                        1,
                        1);
        AnalyzedTask first = turn("t-1", "chat");
        AnalyzedTask second = turn("t-2", "chat");

        harness.processElement(architect, 2);
        harness.processElement(coder, 3);
        harness.processElement(first, 4);
        harness.processElement(second, 5);
        harness.processElement(first, 6);

        assertThat(requests(harness))
                .containsExactly(
                        request(architect, 0, List.of(registered(ALICE))),
                        request(coder, 0, List.of(registered(ALICE))),
                        request(first, 0, List.of(registered(ALICE))),
                        request(second, 0, List.of(registered(ALICE))));
        assertThat(deadLetters()).containsExactly(repeated(first));
    }

    @Test
    void aRepeatedTurnDoesNotJoinItsSessionsWaitingLine() throws Exception {
        open(RETENTION);
        AnalyzedTask first = turn("t-1", "chat");
        AnalyzedTask second = turn("t-2", "chat");
        harness.processElement(first, 1);
        harness.processElement(second, 2);
        harness.processElement(second, 3);

        harness.processBroadcastElement(view(ALICE), 4);

        assertThat(requests(harness))
                .containsExactly(
                        request(first, 0, List.of(registered(ALICE))),
                        request(second, 0, List.of(registered(ALICE))));
        assertThat(deadLetters()).containsExactly(repeated(second));
    }

    @Test
    void theStateOfAStageWithoutTheRetentionRestoresIntoOneWithItAndBack() throws Exception {
        open(Duration.ZERO);
        harness.processElement(CHAT, 1); // waits: no agent yet
        OperatorSubtaskState before = harness.snapshot(1, 5);
        harness.close();

        restore(RETENTION, before);
        harness.processBroadcastElement(view(ALICE), 2);
        AnalyzedTask other = analyzed(task("t-5", "chat", "Hello").build(), 1, 1);
        harness.processElement(other, 3);
        harness.processElement(other, 4);

        assertThat(requests(harness))
                .containsExactly(
                        request(CHAT, 0, List.of(registered(ALICE))),
                        request(other, 0, List.of(registered(ALICE))));
        assertThat(deadLetters()).containsExactly(repeated(other));
        OperatorSubtaskState remembered = harness.snapshot(2, 6);
        harness.close();

        restore(Duration.ZERO, remembered);
        harness.processElement(other, 5);

        assertThat(requests(harness))
                .containsExactly(request(other, 0, List.of(registered(ALICE))));
        assertThat(deadLetters()).isEmpty();
    }

    /** The requests the stage emitted, without the agents' views it passed on. */
    static List<CallRequest> requests(
            KeyedBroadcastOperatorTestHarness<
                            String, AnalyzedTask, AgentView, Either<CallRequest, AgentView>>
                    harness) {
        return harness.extractOutputValues().stream()
                .filter(Either::isLeft)
                .map(Either::left)
                .toList();
    }
}
