package io.hivestream.jobs.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.AgentEventType;
import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.ReputationMetric;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.SubtaskResult;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleStateTest {
    private static final ConsoleState.Limits SMALL =
            new ConsoleState.Limits(2, 2, 1_000, 3, 100, 4, 10);

    private static AgentEvent agent(String id, AgentEventType type) {
        return AgentEvent.newBuilder()
                .setAgentId(id)
                .setType(type)
                .setTier(Tier.CLOUD)
                .setModel("m-" + id)
                .setCapabilities(List.of("chat"))
                .build();
    }

    private static Metric call(
            String agent,
            String tenant,
            CallOutcome outcome,
            String errorClass,
            long ms,
            double usd) {
        return Metric.newBuilder()
                .setKind(MetricKind.CALL)
                .setTimestamp(1)
                .setAgentId(agent)
                .setTenant(tenant)
                .setCall(
                        CallMetric.newBuilder()
                                .setOutcome(outcome)
                                .setErrorClass(errorClass)
                                .setLatencyMs(ms)
                                .setCostUsd(usd)
                                .build())
                .build();
    }

    private static TaskResult result(String id, long completedAt, long latencyMs) {
        return TaskResult.newBuilder()
                .setTaskId(id)
                .setStatus(TaskStatus.COMPLETED)
                .setOutput("out " + id)
                .setLatencyMs(latencyMs)
                .setCompletedAt(completedAt)
                .build();
    }

    @Test
    void badRequestsAndRefusedCallsDoNotCountForTheAgentButForTheTenant() {
        ConsoleState state = new ConsoleState(SMALL);
        state.onAgent(agent("a", AgentEventType.REGISTER));
        state.onMetric(call("a", "acme", CallOutcome.SUCCESS, null, 100, 0.25));
        state.onMetric(call("a", "acme", CallOutcome.ERROR, "BAD_REQUEST", 5, 0.0));
        state.onMetric(call("a", "acme", CallOutcome.REJECTED, "CircuitBreakerOpen", 0, 0.0));

        ConsoleState.Snapshot snapshot = state.snapshot();

        ConsoleState.AgentRow a = snapshot.agents().get(0);
        assertThat(a.calls()).isEqualTo(1);
        assertThat(a.successes()).isEqualTo(1);
        assertThat(a.failures()).isEqualTo(0);
        assertThat(a.breakerRejections()).isEqualTo(1);
        assertThat(a.meanLatencyMs()).isEqualTo(100.0);
        assertThat(snapshot.tenants()).containsExactly(new ConsoleState.TenantRow("acme", 2, 0.25));
        assertThat(snapshot.calls()).isEqualTo(2);
    }

    @Test
    void anAnswerFromTheCacheIsNoCallOfTheAgentNorOfTheTenant() {
        ConsoleState state = new ConsoleState(SMALL);
        state.onAgent(agent("a", AgentEventType.REGISTER));
        state.onMetric(call("a", "acme", CallOutcome.SUCCESS, null, 100, 0.25));
        Metric cached = call("a", "acme", CallOutcome.SUCCESS, null, 0, 0.0);
        cached.getCall().setCached(true);
        cached.getCall().setSavedUsd(0.25);
        state.onMetric(cached);

        ConsoleState.Snapshot snapshot = state.snapshot();

        ConsoleState.AgentRow a = snapshot.agents().get(0);
        assertThat(a.calls()).isEqualTo(1);
        assertThat(a.meanLatencyMs()).isEqualTo(100.0);
        assertThat(snapshot.tenants()).containsExactly(new ConsoleState.TenantRow("acme", 1, 0.25));
        assertThat(snapshot.calls()).isEqualTo(1);
    }

    @Test
    void agentsCountTheirCallsSuccessesLatencyCostAndBreaker() {
        ConsoleState state = new ConsoleState(SMALL);
        state.onAgent(agent("a", AgentEventType.REGISTER));
        state.onAgent(agent("b", AgentEventType.REGISTER));
        state.onAgent(agent("b", AgentEventType.RETIRE));
        state.onAgent(agent("c", AgentEventType.HEARTBEAT));
        state.onMetric(call("a", "acme", CallOutcome.SUCCESS, null, 100, 0.25));
        state.onMetric(call("a", "acme", CallOutcome.ERROR, "IOException", 40, 0.0));
        state.onMetric(call("a", null, CallOutcome.SUCCESS, null, 60, 0.5));
        state.onMetric(call("a", "acme", CallOutcome.TIMEOUT, null, 300, 0.0));
        state.onMetric(call("a", "acme", CallOutcome.SUCCESS, null, 100, 0.25));
        state.onMetric(call("a", "acme", CallOutcome.REJECTED, "CircuitBreakerOpen", 0, 0.0));
        state.onMetric(call("x", "globex", CallOutcome.SUCCESS, null, 10, 1.0));
        state.onMetric(
                Metric.newBuilder()
                        .setKind(MetricKind.REPUTATION)
                        .setTimestamp(1)
                        .setAgentId("a")
                        .setReputation(ReputationMetric.newBuilder().setAgreed(true).build())
                        .build());

        ConsoleState.Snapshot snapshot = state.snapshot();

        assertThat(snapshot.agents())
                .containsExactly(
                        new ConsoleState.AgentRow(
                                "a",
                                "in rotation",
                                "simulated",
                                "CLOUD",
                                "m-a",
                                List.of("chat"),
                                5,
                                3,
                                2,
                                1,
                                0.6,
                                120.0,
                                1.0,
                                0.5,
                                "open"),
                        new ConsoleState.AgentRow(
                                "b",
                                "retired",
                                "simulated",
                                "CLOUD",
                                "m-b",
                                List.of("chat"),
                                0,
                                0,
                                0,
                                0,
                                null,
                                null,
                                0.0,
                                null,
                                null),
                        new ConsoleState.AgentRow(
                                "x",
                                "not registered",
                                null,
                                null,
                                null,
                                List.of(),
                                1,
                                1,
                                0,
                                0,
                                1.0,
                                10.0,
                                1.0,
                                0.0,
                                "closed"));
        assertThat(snapshot.tenants())
                .containsExactly(
                        new ConsoleState.TenantRow("acme", 4, 0.5),
                        new ConsoleState.TenantRow("default", 1, 0.5),
                        new ConsoleState.TenantRow("globex", 1, 1.0));
        assertThat(snapshot.calls()).isEqualTo(6);
        assertThat(snapshot.costUsd()).isEqualTo(2.0);
    }

    @Test
    void aCallAfterTheBreakerRefusedOneClosesItAndTheRecentWindowSlides() {
        ConsoleState state = new ConsoleState(SMALL);
        for (int i = 0; i < 4; i++) {
            state.onMetric(call("a", "t", CallOutcome.ERROR, "IOException", 10, 0.0));
        }
        state.onMetric(call("a", "t", CallOutcome.REJECTED, "CircuitBreakerOpen", 0, 0.0));
        assertThat(state.snapshot().agents().get(0).breaker()).isEqualTo("open");
        assertThat(state.snapshot().agents().get(0).recentFailureRate()).isEqualTo(1.0);
        state.onMetric(call("a", "t", CallOutcome.SUCCESS, null, 10, 0.0));
        state.onMetric(call("a", "t", CallOutcome.SUCCESS, null, 10, 0.0));

        ConsoleState.AgentRow row = state.snapshot().agents().get(0);
        assertThat(row.breaker()).isEqualTo("closed");
        // The window of 4 calls holds two errors and two successes.
        assertThat(row.recentFailureRate()).isEqualTo(0.5);
        assertThat(row.calls()).isEqualTo(6);
        assertThat(row.successRate()).isEqualTo(2.0 / 6);
    }

    @Test
    void resultsFallInTimeBucketsWithNearestRankPercentilesAndOldBucketsLeave() {
        ConsoleState state = new ConsoleState(SMALL);
        long t = 1_700_000_000_000L;
        for (int latency = 1; latency <= 20; latency++) {
            state.onResult(result("r" + latency, t + 10, latency * 10), 0);
        }
        state.onResult(result("late", t + 2_500, 7), 0);

        List<ConsoleState.Bucket> buckets = state.snapshot().buckets();
        assertThat(buckets)
                .containsExactly(
                        new ConsoleState.Bucket(t, 20, 20.0, 100L, 190L, 200L),
                        new ConsoleState.Bucket(t + 1_000, 0, 0.0, null, null, null),
                        new ConsoleState.Bucket(t + 2_000, 1, 1.0, 7L, 7L, 7L));

        // A result three buckets later pushes the first bucket out of the window of three.
        state.onResult(result("later", t + 3_000, 5), 0);
        assertThat(state.snapshot().buckets())
                .extracting(ConsoleState.Bucket::startMillis)
                .containsExactly(t + 1_000, t + 2_000, t + 3_000);
        // A result older than the window counts but has no bucket.
        state.onResult(result("stale", t, 5), 0);
        assertThat(state.snapshot().buckets()).hasSize(3);
        assertThat(state.snapshot().results()).isEqualTo(23);
        assertThat(state.snapshot().resultsByStatus()).isEqualTo(Map.of("COMPLETED", 23L));
        // Without completedAt the record's time places it.
        ConsoleState other = new ConsoleState(SMALL);
        other.onResult(result("no-time", 0, 5), t + 1_999);
        assertThat(other.snapshot().buckets())
                .containsExactly(new ConsoleState.Bucket(t + 1_000, 1, 1.0, 5L, 5L, 5L));
    }

    @Test
    void recentResultsKeepTheNewestWithVotesAndPlansAndClipLongText() {
        ConsoleState state = new ConsoleState(SMALL);
        state.onResult(result("first", 1, 1), 0);
        state.onResult(
                TaskResult.newBuilder(result("vote", 2, 1))
                        .setStrategy(Strategy.CONSENSUS)
                        .setOutput("billing and more text")
                        .setAgreement(2.0 / 3)
                        .setVote("exact")
                        .setAgents(List.of("a", "b"))
                        .setAnswers(
                                List.of(
                                        answer("a", "billing", true),
                                        answer("b", "billing", true),
                                        answer("c", "shipping", false)))
                        .build(),
                0);
        state.onResult(
                TaskResult.newBuilder(result("plan", 3, 1))
                        .setStrategy(Strategy.DECOMPOSE)
                        .setSubtasks(
                                List.of(
                                        SubtaskResult.newBuilder()
                                                .setTaskId("plan/s1")
                                                .setStep("s1")
                                                .setRole("writer")
                                                .setKind("code")
                                                .setStatus(TaskStatus.COMPLETED)
                                                .setOutput("def add")
                                                .setAgents(List.of("coder"))
                                                .build(),
                                        SubtaskResult.newBuilder()
                                                .setTaskId("plan/s2")
                                                .setStep("s2")
                                                .setRole("reviewer")
                                                .setKind("chat")
                                                .build()))
                        .build(),
                0);

        List<ConsoleState.ResultView> recent = state.snapshot().recentResults();
        assertThat(recent)
                .extracting(ConsoleState.ResultView::taskId)
                .containsExactly("plan", "vote");
        ConsoleState.ResultView vote = recent.get(1);
        assertThat(vote.output()).isEqualTo("billing an…");
        assertThat(vote.agreement()).isEqualTo(2.0 / 3);
        assertThat(vote.agreeing()).containsExactly("a", "b");
        assertThat(vote.answers())
                .containsExactly(
                        new ConsoleState.AnswerView("a", "billing", null, true),
                        new ConsoleState.AnswerView("b", "billing", null, true),
                        new ConsoleState.AnswerView("c", "shipping", null, false));
        assertThat(recent.get(0).subtasks())
                .containsExactly(
                        new ConsoleState.SubtaskView(
                                "s1", "writer", "COMPLETED", "def add", null, List.of("coder")),
                        new ConsoleState.SubtaskView(
                                "s2", "reviewer", null, null, null, List.of()));
    }

    @Test
    void deadLettersShowTheirRecordAsDlqDoes() {
        ConsoleState state = new ConsoleState(SMALL);
        state.onDeadLetter(
                DeadLetter.newBuilder()
                        .setTopic("hivestream.tasks")
                        .setPartition(1)
                        .setOffset(3)
                        .setStage("decode")
                        .setReason("not a record")
                        .setValue(ByteBuffer.wrap(new byte[] {0, 1, (byte) 0xff}))
                        .setFailedAt(6)
                        .build());

        assertThat(state.snapshot().recentDeadLetters())
                .containsExactly(
                        new ConsoleState.DeadLetterView(
                                "hivestream.tasks",
                                1,
                                3,
                                "decode",
                                "not a record",
                                null,
                                "base64:AAH…", // clipped to the limit of 10 characters
                                6));
    }

    @Test
    void deadLettersKeepTheNewestWithTheirReasonAndRecordAndUnreadableRecordsAreCounted() {
        ConsoleState state = new ConsoleState(SMALL);
        for (int i = 0; i < 3; i++) {
            state.onDeadLetter(
                    DeadLetter.newBuilder()
                            .setTopic("hivestream.tasks")
                            .setPartition(1)
                            .setOffset(i)
                            .setStage("decode")
                            .setReason("not JSON " + i)
                            .setValue(ByteBuffer.wrap("{oops".getBytes(StandardCharsets.UTF_8)))
                            .setFailedAt(5)
                            .build());
        }
        state.onUndecodable("hivestream.agents");
        state.onUndecodable("hivestream.agents");

        ConsoleState.Snapshot snapshot = state.snapshot();
        assertThat(snapshot.deadLetters()).isEqualTo(3);
        assertThat(snapshot.recentDeadLetters())
                .containsExactly(
                        new ConsoleState.DeadLetterView(
                                "hivestream.tasks", 1, 2, "decode", "not JSON 2", null, "{oops", 5),
                        new ConsoleState.DeadLetterView(
                                "hivestream.tasks",
                                1,
                                1,
                                "decode",
                                "not JSON 1",
                                null,
                                "{oops",
                                5));
        assertThat(snapshot.undecodable()).isEqualTo(Map.of("hivestream.agents", 2L));
    }

    private static AgentAnswer answer(String agent, String output, boolean agreed) {
        return AgentAnswer.newBuilder()
                .setAgentId(agent)
                .setOutput(output)
                .setAgreed(agreed)
                .build();
    }

    @Test
    void percentilesAreNearestRank() {
        long[] sorted = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};

        assertThat(ConsoleState.percentile(sorted, 0.5)).isEqualTo(50);
        assertThat(ConsoleState.percentile(sorted, 0.95)).isEqualTo(100);
        assertThat(ConsoleState.percentile(new long[] {7}, 0.95)).isEqualTo(7);
    }
}
