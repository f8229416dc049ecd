package io.hivestream.operators.execute;

import static io.hivestream.operators.execute.ExecuteOperatorTest.LOG;
import static io.hivestream.operators.execute.ExecuteOperatorTest.PENDING;
import static io.hivestream.operators.execute.ExecuteOperatorTest.drain;
import static io.hivestream.operators.execute.ExecuteOperatorTest.outputs;
import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.request;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import io.hivestream.schemas.internal.JournaledCall;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Calls whose timeout overlaps a pause of the JVM (a long garbage collection, a stopped process)
 * are made again and do not count against their agent's breaker; the same timeouts without a pause
 * count as before. The JVM's pauses are those of a detector on a ticker the test moves.
 */
@Timeout(60)
class ExecutePauseTest extends ScriptedExecuteCase {
    private static final AtomicLong NANOS = new AtomicLong();
    private static final List<String> REPORTS = Collections.synchronizedList(new ArrayList<>());
    private static final Map<String, JournaledCall> JOURNAL = new ConcurrentHashMap<>();
    private static PauseDetector pauses;

    private static final AgentEvent A = agent("a");
    private static final AgentEvent B = agent("b");

    private static AgentEvent agent(String id) {
        return AgentEvent.newBuilder()
                .setAgentId(id)
                .setRuntime("scripted")
                .setCapabilities(List.of("chat"))
                .setTimeoutMs(30_000)
                .build();
    }

    @BeforeEach
    void newDetector() {
        NANOS.set(0);
        REPORTS.clear();
        JOURNAL.clear();
        pauses =
                new PauseDetector(
                        NANOS::get,
                        (pause, calls) -> REPORTS.add(pause.millis() + " ms: " + calls + " calls"));
    }

    /** One try per agent, and a breaker that two failures of two calls open for a minute. */
    private static ExecuteSettings settings() {
        return ExecuteSettings.builder()
                .backoff(Duration.ofMillis(1), Duration.ofMillis(1))
                .attemptsPerAgent(1)
                .breaker(50f, 2, Duration.ofMinutes(1))
                .build();
    }

    private ExecuteHarness harness() throws Exception {
        return ExecuteOperatorTest.scripted(
                settings(), clock, ExecutePauseTest::journal, () -> pauses);
    }

    private static CallRequest call(String id, AgentEvent... chain) {
        return request(analyzed(task(id, "chat", "x").build(), 1, 1), 0, List.of(chain));
    }

    /** The JVM runs for {@code ms}: the detector ticks on time. */
    private void run(KeyedOneInputStreamOperatorTestHarness<?, ?, ?> harness, long ms)
            throws Exception {
        for (long t = 0; t < ms; t += PauseDetector.TICK_MS) {
            NANOS.addAndGet(TimeUnit.MILLISECONDS.toNanos(PauseDetector.TICK_MS));
            pauses.tick();
        }
        advance(harness, ms);
    }

    /** The JVM stops for {@code ms}: time goes on, the detector does not tick. */
    private void freeze(KeyedOneInputStreamOperatorTestHarness<?, ?, ?> harness, long ms)
            throws Exception {
        NANOS.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
        advance(harness, ms);
    }

    /** The call's timeout fires, as the stage's {@code orTimeout} completes it. */
    private static void timeOut(
            KeyedOneInputStreamOperatorTestHarness<?, ?, ?> harness, String call) throws Exception {
        PENDING.get(call).completeExceptionally(new TimeoutException());
        drain(harness);
    }

    private static void answer(KeyedOneInputStreamOperatorTestHarness<?, ?, ?> harness, String call)
            throws Exception {
        PENDING.get(call).complete(new AgentReply("ok", "m", 3, 1, null, false));
        drain(harness);
    }

    private static List<org.assertj.core.groups.Tuple> calls(CallReply reply) {
        List<org.assertj.core.groups.Tuple> calls = new ArrayList<>();
        for (Metric metric : reply.getCalls()) {
            calls.add(
                    tuple(
                            metric.getAgentId(),
                            metric.getCall().getAttempt(),
                            metric.getCall().getOutcome(),
                            metric.getCall().getErrorClass()));
        }
        return calls;
    }

    private static long retriedAfterPause(KeyedOneInputStreamOperatorTestHarness<?, ?, ?> harness) {
        return ((ExecuteOperator) harness.getOperator()).retriedAfterPause();
    }

    @Test
    void callsThatTimedOutDuringAPauseAreMadeAgainAndTheBreakerStaysClosed() throws Exception {
        try (var harness = harness()) {
            harness.open();
            harness.processElement(call("t1", A, B), 0);
            harness.processElement(call("t2", A, B), 0);
            run(harness, 1_000);
            freeze(harness, 30_000);
            // At the resume, before the detector's thread has run again.
            timeOut(harness, "t1/0/a#1");
            timeOut(harness, "t2/0/a#1");

            // Two timeouts of two calls would have opened the breaker: both are made again.
            assertThat(LOG)
                    .containsExactly(
                            "call t1/0/a#1", "call t2/0/a#1", "call t1/0/a#2", "call t2/0/a#2");
            assertThat(retriedAfterPause(harness)).isEqualTo(2);

            run(harness, 2_100);
            assertThat(REPORTS).containsExactly("30100 ms: 2 calls");

            answer(harness, "t1/0/a#2");
            answer(harness, "t2/0/a#2");
            assertThat(outputs(harness)).containsExactly("t1=ok", "t2=ok");
            CallReply first = harness.extractOutputValues().get(0);
            assertThat(calls(first))
                    .containsExactly(
                            tuple("a", 1, CallOutcome.TIMEOUT, "TimedOutInLocalPause"),
                            tuple("a", 2, CallOutcome.SUCCESS, null));
            assertThat(first.getCalls().get(0).getCall().getLatencyMs()).isEqualTo(31_000);
            assertThat(first.getAnswer().getAttempts()).isEqualTo(2);

            harness.processElement(call("t3", A, B), 0);
            assertThat(LOG).endsWith("call t3/0/a#1");
        }
    }

    @Test
    void aTimeoutWithoutAPauseCountsAgainstTheBreakerAsBefore() throws Exception {
        try (var harness = harness()) {
            harness.open();
            harness.processElement(call("t1", A, B), 0);
            harness.processElement(call("t2", A, B), 0);
            run(harness, 31_000);
            timeOut(harness, "t1/0/a#1");
            timeOut(harness, "t2/0/a#1");

            assertThat(LOG)
                    .containsExactly(
                            "call t1/0/a#1", "call t2/0/a#1", "call t1/0/b#2", "call t2/0/b#2");
            answer(harness, "t1/0/b#2");
            answer(harness, "t2/0/b#2");
            assertThat(calls(harness.extractOutputValues().get(0)))
                    .containsExactly(
                            tuple(
                                    "a",
                                    1,
                                    CallOutcome.TIMEOUT,
                                    "java.util.concurrent.TimeoutException"),
                            tuple("b", 2, CallOutcome.SUCCESS, null));

            // The breaker of a opened: the next task goes to b.
            harness.processElement(call("t3", A, B), 0);
            assertThat(LOG).endsWith("call t3/0/b#1");
            assertThat(retriedAfterPause(harness)).isZero();
            assertThat(REPORTS).isEmpty();
        }
    }

    @Test
    void aJvmThatKeepsPausingMakesACallAgainAFewTimesThenItsTimeoutIsAFailure() throws Exception {
        try (var harness = harness()) {
            harness.open();
            harness.processElement(call("t1", A), 0);
            for (int attempt = 1; attempt <= ReplicaCall.PAUSE_RETRIES + 1; attempt++) {
                run(harness, 1_000);
                freeze(harness, 30_000);
                timeOut(harness, "t1/0/a#" + attempt);
            }

            assertThat(LOG)
                    .containsExactly(
                            "call t1/0/a#1", "call t1/0/a#2", "call t1/0/a#3", "call t1/0/a#4");
            assertThat(outputs(harness)).containsExactly("t1=error: a: no answer within 30000 ms");
            assertThat(calls(harness.extractOutputValues().get(0)))
                    .containsExactly(
                            tuple("a", 1, CallOutcome.TIMEOUT, "TimedOutInLocalPause"),
                            tuple("a", 2, CallOutcome.TIMEOUT, "TimedOutInLocalPause"),
                            tuple("a", 3, CallOutcome.TIMEOUT, "TimedOutInLocalPause"),
                            tuple("a", 4, CallOutcome.TIMEOUT, "TimedOutInLocalPause"));
            assertThat(retriedAfterPause(harness)).isEqualTo(ReplicaCall.PAUSE_RETRIES);

            // Still not the agent's fault: its breaker let the next call through.
            run(harness, 1_000);
            harness.processElement(call("t2", A), 0);
            assertThat(LOG).endsWith("call t2/0/a#1");
        }
    }

    @Test
    void aRestoreReplaysATimeoutDuringAPauseAsOneAndMakesTheCallAgain() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness()) {
            harness.open();
            harness.processElement(call("t1", A), 0);
            run(harness, 1_000);
            freeze(harness, 30_000);
            timeOut(harness, "t1/0/a#1");
            assertThat(LOG).containsExactly("call t1/0/a#1", "call t1/0/a#2");
            snapshot = harness.snapshot(1, 1);
        }
        LOG.clear();
        PENDING.clear();
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();

            // Replayed from the journal without a call, and without using a's only attempt.
            assertThat(LOG).containsExactly("call t1/0/a#2");
            answer(restored, "t1/0/a#2");
            assertThat(outputs(restored)).containsExactly("t1=ok");
            assertThat(calls(restored.extractOutputValues().get(0)))
                    .containsExactly(
                            tuple("a", 1, CallOutcome.TIMEOUT, "TimedOutInLocalPause"),
                            tuple("a", 2, CallOutcome.SUCCESS, null));
        }
    }

    /** A journal that keeps the calls' outcomes in memory, for every instance of the test. */
    private static CallJournal journal() {
        return new CallJournal() {
            @Override
            public void record(JournaledCall call) {
                if (call.getSent().isEmpty()) {
                    JOURNAL.put(call.getCallId(), call);
                }
            }

            @Override
            public Map<String, JournaledCall> since(long sinceMillis, Predicate<String> owns) {
                Map<String, JournaledCall> outcomes = new HashMap<>();
                JOURNAL.forEach(
                        (id, call) -> {
                            if (owns.test(call.getKey())) {
                                outcomes.put(id, call);
                            }
                        });
                return outcomes;
            }

            @Override
            public long written() {
                return JOURNAL.size();
            }

            @Override
            public long bytesWritten() {
                return 0;
            }

            @Override
            public void close() {}
        };
    }
}
