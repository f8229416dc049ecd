package io.hivestream.operators.execute;

import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.CallRequest;
import io.hivestream.schemas.internal.Turn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The execute stage's keyed state of one key, on a real keyed state backend. */
class SessionStateTest {
    private KeyedProcessOperator<String, String, String> operator;
    private KeyedOneInputStreamOperatorTestHarness<String, String, String> harness;
    private SessionState session;

    @BeforeEach
    void open() throws Exception {
        open(null);
    }

    /** Opens a fresh operator, from {@code snapshot} when one is given. */
    private void open(OperatorSubtaskState snapshot) throws Exception {
        Holder holder = new Holder();
        operator = new KeyedProcessOperator<>(holder);
        harness = new KeyedOneInputStreamOperatorTestHarness<>(operator, k -> k, Types.STRING);
        if (snapshot != null) {
            harness.initializeState(snapshot);
        }
        harness.open();
        session = holder.state;
        operator.setCurrentKey("s-1");
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void aKeyRunsOneTaskAtATimeAndQueuesTheRestInArrivalOrder() throws Exception {
        CallRequest first = request("t-1", 1, 0);
        session.start("s-1", first);

        assertThat(session.queuedBehindCurrent("s-1", request("t-1", 1, 0))).isFalse();
        assertThat(session.queuedBehindCurrent("s-1", request("t-2", 1, 0))).isTrue();
        assertThat(session.queuedBehindCurrent("s-1", request("t-3", 1, 0))).isTrue();
        operator.setCurrentKey("s-2");
        assertThat(session.queuedBehindCurrent("s-2", request("t-9", 1, 0))).isFalse();
        assertThat(session.waiting("s-2")).isEmpty();
        operator.setCurrentKey("s-1");

        assertThat(session.end("s-1", first)).isTrue();
        assertThat(session.waiting("s-1"))
                .extracting(r -> r.getTask().getTask().getTaskId())
                .containsExactly("t-2", "t-3");
        // The operator starts the oldest waiting task next.
        session.keepWaiting("s-1", session.waiting("s-1").subList(1, 2));
        session.start("s-1", request("t-2", 1, 0));
        assertThat(session.queuedBehindCurrent("s-1", request("t-4", 1, 0))).isTrue();
        assertThat(session.waiting("s-1"))
                .extracting(r -> r.getTask().getTask().getTaskId())
                .containsExactly("t-3", "t-4");
        session.keepWaiting("s-1", List.of());
        assertThat(session.waiting("s-1")).isEmpty();
    }

    @Test
    void aTaskEndsWithItsLastReplica() throws Exception {
        CallRequest one = request("t-1", 2, 0);
        CallRequest two = request("t-1", 2, 1);
        session.start("s-1", one);
        session.start("s-1", two);

        assertThat(session.end("s-1", two)).isFalse();
        assertThat(session.queuedBehindCurrent("s-1", request("t-2", 1, 0))).isTrue();
        assertThat(session.end("s-1", one)).isTrue();
        assertThat(session.queuedBehindCurrent("s-1", request("t-3", 1, 0))).isFalse();
    }

    @Test
    void callsAreWrittenToStateOnlyWhenACheckpointFindsThemInFlight() throws Exception {
        CallRequest ended = request("t-1", 1, 0);
        session.start("s-1", ended);
        assertThat(session.end("s-1", ended)).isTrue();
        CallRequest one = request("t-2", 2, 0);
        CallRequest two = request("t-2", 2, 1);
        session.start("s-1", one);
        session.start("s-1", two);
        operator.setCurrentKey("s-2");
        CallRequest other = request("t-9", 1, 0);
        session.start("s-2", other);
        operator.setCurrentKey("s-1");

        // Ended, or still in memory: nothing is in the state yet.
        assertThat(session.inFlight()).isEmpty();

        List<String> keys = new ArrayList<>();
        session.saveInFlight(
                key -> {
                    keys.add(key);
                    operator.setCurrentKey(key);
                });

        assertThat(keys).containsExactlyInAnyOrder("s-1", "s-2");
        operator.setCurrentKey("s-1");
        assertThat(session.inFlight()).containsExactlyInAnyOrder(one, two);
        operator.setCurrentKey("s-2");
        assertThat(session.inFlight()).containsExactly(other);
        // Saved calls end out of the state; a call started after the checkpoint, from memory.
        operator.setCurrentKey("s-1");
        assertThat(session.end("s-1", one)).isFalse();
        assertThat(session.inFlight()).containsExactly(two);
        assertThat(session.end("s-1", two)).isTrue();
        assertThat(session.inFlight()).isEmpty();
        operator.setCurrentKey("s-2");
        assertThat(session.end("s-2", other)).isTrue();
        assertThat(session.inFlight()).isEmpty();
        CallRequest later = request("t-10", 2, 0);
        session.start("s-2", later);
        session.start("s-2", request("t-10", 2, 1));
        session.saveInFlight(operator::setCurrentKey);
        operator.setCurrentKey("s-2");
        assertThat(session.end("s-2", later)).isFalse();
        session.start("s-2", request("t-11", 1, 0));
        assertThat(session.inFlight()).containsExactly(request("t-10", 2, 1));
    }

    @Test
    void aRunningTaskIsHeldInMemoryUntilACheckpointFindsIt() throws Exception {
        CallRequest alone = request("t-1", 1, 0);
        assertThat(session.queuedBehindCurrent("s-1", alone)).isFalse();
        session.start("s-1", alone);

        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(session.end("s-1", alone)).isTrue();
        assertThat(session.waiting("s-1")).isEmpty();
        session.keepWaiting("s-1", List.of());
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aRestoredKeyRunsTheTaskOfItsSavedCallsWithItsQueueBehindIt() throws Exception {
        List<CallRequest> started = startTwoReplicas("t-1");
        CallRequest one = started.get(0);
        CallRequest two = started.get(1);
        assertThat(session.queuedBehindCurrent("s-1", request("t-2", 1, 0))).isTrue();

        checkpointAndRestore();
        assertThat(session.restoreInFlight("s-1")).containsExactlyInAnyOrder(one, two);
        assertThat(session.queuedBehindCurrent("s-1", request("t-3", 1, 0))).isTrue();
        assertThat(session.queuedBehindCurrent("s-1", request("t-1", 2, 0))).isFalse();
        assertThat(session.end("s-1", two)).isFalse();
        assertThat(session.end("s-1", one)).isTrue();
        assertThat(session.inFlight()).isEmpty();
        assertThat(session.waiting("s-1"))
                .extracting(r -> r.getTask().getTask().getTaskId())
                .containsExactly("t-2", "t-3");
        operator.setCurrentKey("s-2");
        assertThat(session.restoreInFlight("s-2")).isEmpty();
        assertThat(session.queuedBehindCurrent("s-2", request("t-9", 1, 0))).isFalse();
    }

    @Test
    void aCancellationStopsTheStepsReleasedBeforeItOnly() throws Exception {
        CallRequest released = step(100L);
        CallRequest laterRun = step(300L);
        assertThat(session.cancellation(released)).isNull();

        session.cancel(200L, "the plan failed");

        assertThat(session.cancellation(released)).isEqualTo("the plan failed");
        assertThat(session.cancellation(step(200L))).isEqualTo("the plan failed");
        assertThat(session.cancellation(laterRun)).isNull();
        assertThat(session.cancellation(request("t-1", 1, 0))).isNull(); // not a plan's step
        session.cancel(null, "cancelled by hand");
        assertThat(session.cancellation(laterRun)).isEqualTo("cancelled by hand");
    }

    @Test
    void aTaskThatEndsLeavesItsTurnInTheSessionsMemory() throws Exception {
        for (int i = 1; i <= 4; i++) {
            List<CallRequest> started = startTwoReplicas("t-" + i);
            assertThat(session.hasTurn("s-1")).isFalse();
            session.turn("s-1", SessionMemoryTest.turn("t-" + i));
            assertThat(session.hasTurn("s-1")).isTrue();

            assertThat(session.end("s-1", started.get(0))).isFalse();
            assertThat(session.history()).hasSize(Math.min(i - 1, 3));
            assertThat(session.end("s-1", started.get(1))).isTrue();
            assertThat(session.history()).hasSize(Math.min(i, 3));
        }
        // A task whose every answer failed has no turn and leaves none.
        CallRequest failed = request("t-5", 1, 0);
        session.start("s-1", failed);
        assertThat(session.end("s-1", failed)).isTrue();

        assertThat(session.history())
                .extracting(Turn::getTaskId)
                .containsExactly("t-2", "t-3", "t-4");
        // The memory alone: no turn was ever written, as no checkpoint came.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        operator.setCurrentKey("s-2");
        assertThat(session.history()).isEmpty();
    }

    @Test
    void aRunningTasksCallsShareOneReadOfTheMemoryThatItsEndExtends() throws Exception {
        List<CallRequest> first = startTwoReplicas("t-1");
        assertThat(session.history("s-1")).isEmpty();
        session.turn("s-1", SessionMemoryTest.turn("t-1"));
        assertThat(session.end("s-1", first.get(0))).isFalse();
        assertThat(session.end("s-1", first.get(1))).isTrue();

        List<CallRequest> second = startTwoReplicas("t-2");
        List<Turn> seen = session.history("s-1");
        assertThat(seen).extracting(Turn::getTaskId).containsExactly("t-1");
        // The task's second call gets the list its first read.
        assertThat(session.history("s-1")).isSameAs(seen);
        session.turn("s-1", SessionMemoryTest.turn("t-2"));
        assertThat(session.end("s-1", second.get(0))).isFalse();
        assertThat(session.end("s-1", second.get(1))).isTrue();

        assertThat(session.history()).extracting(Turn::getTaskId).containsExactly("t-1", "t-2");
        assertThat(seen).extracting(Turn::getTaskId).containsExactly("t-1");
        List<CallRequest> third = startTwoReplicas("t-3");
        assertThat(session.history("s-1"))
                .extracting(Turn::getTaskId)
                .containsExactly("t-1", "t-2");
        assertThat(session.end("s-1", third.get(0))).isFalse();
    }

    @Test
    void aTurnACheckpointFindsIsRememberedWhenItsRestoredTaskEnds() throws Exception {
        List<CallRequest> started = startTwoReplicas("t-1");
        CallRequest two = started.get(1);
        session.turn("s-1", SessionMemoryTest.turn("t-1"));
        assertThat(session.end("s-1", started.get(0))).isFalse();

        checkpointAndRestore();
        assertThat(session.restoreInFlight("s-1")).containsExactly(two);
        assertThat(session.hasTurn("s-1")).isTrue();
        assertThat(session.end("s-1", two)).isTrue();

        assertThat(session.history()).extracting(Turn::getTaskId).containsExactly("t-1");
        // The saved call and turn went with their task: the memory alone is left.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    }

    @Test
    void spendIsKeptPerKeyUntilCleared() throws Exception {
        assertThat(session.spent()).isZero();
        session.spent(0.25);
        operator.setCurrentKey("s-2");
        assertThat(session.spent()).isZero();
        operator.setCurrentKey("s-1");
        assertThat(session.spent()).isEqualTo(0.25);
        session.clearSpent();
        assertThat(session.spent()).isZero();
    }

    /** Starts both replicas of a task of two under s-1. */
    private List<CallRequest> startTwoReplicas(String taskId) {
        List<CallRequest> both = List.of(request(taskId, 2, 0), request(taskId, 2, 1));
        both.forEach(r -> session.start("s-1", r));
        return both;
    }

    /** Checkpoints as the operator does, then opens a fresh operator from that checkpoint. */
    private void checkpointAndRestore() throws Exception {
        session.saveInFlight(operator::setCurrentKey);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();
        open(snapshot);
        operator.setCurrentKey("s-1");
    }

    private static CallRequest request(String taskId, int replicas, int replica) {
        return io.hivestream.operators.testing.TestRecords.request(
                analyzed(task(taskId, "chat", "hi").setSessionId("s-1").build(), replicas, 1),
                replica,
                List.of());
    }

    private static CallRequest step(Long releasedAt) {
        Task step = task("r/1", "chat", "a step").setRootId("r").setCreatedAt(releasedAt).build();
        return io.hivestream.operators.testing.TestRecords.request(
                analyzed(step, 1, 1), 0, List.of());
    }

    /** Builds the state where the operator opens, as the execute stage does. */
    private static final class Holder extends KeyedProcessFunction<String, String, String> {
        private static final long serialVersionUID = 1L;
        transient SessionState state;

        @Override
        public void open(OpenContext context) {
            state =
                    new SessionState(
                            getRuntimeContext(),
                            ExecuteSettings.builder().memory(3, 200, Duration.ofHours(1)).build());
        }

        @Override
        public void processElement(String value, Context ctx, Collector<String> out) {}
    }
}
