package io.hivestream.operators.admit;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.testing.MutableClock;
import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskMetric;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tenant;
import io.hivestream.schemas.internal.AdmitSignal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class AdmitFunctionTest {
    private static final long START = Instant.parse("2026-12-05T10:00:00Z").toEpochMilli();
    private static final Duration MAX_WAIT = Duration.ofSeconds(10);

    private final MutableClock clock = new MutableClock(START);

    private KeyedTwoInputStreamOperatorTestHarness<String, Task, AdmitSignal, Task> harness()
            throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<String, Task, AdmitSignal, Task> harness =
                ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                        new AdmitFunction(clock, MAX_WAIT, 100),
                        Task::getTenant,
                        AdmitFunction::tenantOf,
                        Types.STRING);
        harness.setProcessingTime(START);
        return harness;
    }

    /** A harness restored from {@code snapshot}. */
    private KeyedTwoInputStreamOperatorTestHarness<String, Task, AdmitSignal, Task> restored(
            OperatorSubtaskState snapshot) throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<String, Task, AdmitSignal, Task> harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator<>(
                                new AdmitFunction(clock, MAX_WAIT, 100)),
                        Task::getTenant,
                        AdmitFunction::tenantOf,
                        Types.STRING);
        harness.setup();
        harness.initializeState(snapshot);
        harness.open();
        harness.setProcessingTime(START);
        return harness;
    }

    private static Task task(String id, String tenant) {
        return Task.newBuilder()
                .setTaskId(id)
                .setTenant(tenant)
                .setKind("math")
                .setInput("What is 2 + 2?")
                .build();
    }

    private static AdmitSignal record(Tenant tenant) {
        return AdmitSignal.newBuilder().setTenant(tenant).build();
    }

    private static AdmitSignal call(String tenant, long at, double usd) {
        return AdmitSignal.newBuilder()
                .setMetric(
                        Metric.newBuilder()
                                .setKind(MetricKind.CALL)
                                .setTimestamp(at)
                                .setTaskId("x")
                                .setAgentId("a")
                                .setTenant(tenant)
                                .setCall(
                                        CallMetric.newBuilder()
                                                .setOutcome(CallOutcome.SUCCESS)
                                                .setCostUsd(usd)
                                                .setTokensIn(10)
                                                .setTokensOut(5)
                                                .build())
                                .build())
                .build();
    }

    private static AdmitSignal finished(String tenant, String taskId) {
        return AdmitSignal.newBuilder()
                .setMetric(
                        Metric.newBuilder()
                                .setKind(MetricKind.TASK)
                                .setTimestamp(START)
                                .setTaskId(taskId)
                                .setTenant(tenant)
                                .setTask(
                                        TaskMetric.newBuilder()
                                                .setStatus(TaskStatus.COMPLETED)
                                                .build())
                                .build())
                .build();
    }

    private static List<String> admitted(
            KeyedTwoInputStreamOperatorTestHarness<String, Task, AdmitSignal, Task> harness) {
        List<String> ids = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                ids.add(((Task) r.getValue()).getTaskId());
            }
        }
        return ids;
    }

    private static List<TaskResult> rejected(
            KeyedTwoInputStreamOperatorTestHarness<String, Task, AdmitSignal, Task> harness) {
        List<TaskResult> results = new ArrayList<>();
        if (harness.getSideOutput(AdmitFunction.REJECTED) != null) {
            harness.getSideOutput(AdmitFunction.REJECTED).forEach(r -> results.add(r.getValue()));
        }
        return results;
    }

    private void at(
            KeyedTwoInputStreamOperatorTestHarness<String, Task, AdmitSignal, Task> harness,
            long time)
            throws Exception {
        clock.set(time);
        harness.setProcessingTime(time);
    }

    @Test
    void aSpentBudgetRejectsTheNextTaskWithTheBudgetWhatWasSpentAndTheWindow() throws Exception {
        var harness = harness();
        harness.processElement2(
                record(
                        Tenant.newBuilder()
                                .setTenant("acme")
                                .setBudgetUsdPerDay(1.0)
                                .setPreference("cost")
                                .build()),
                START);
        harness.processElement1(task("t1", "acme"), START);
        harness.processElement2(call("acme", START, 0.75), START);
        harness.processElement1(task("t2", "acme"), START);
        harness.processElement2(call("acme", START, 0.25), START);
        harness.processElement1(task("t3", "acme"), START);

        assertThat(admitted(harness)).containsExactly("t1", "t2");
        List<Task> out = new ArrayList<>();
        harness.getOutput().forEach(o -> out.add((Task) ((StreamRecord<?>) o).getValue()));
        // Each admitted task may spend what the tenant had left, and routes with its preference.
        assertThat(out).extracting(Task::getBudgetUsd).containsExactly(1.0, 0.25);
        assertThat(out.get(0).getMetadata()).isEqualTo(Map.of("preference", "cost"));
        assertThat(rejected(harness))
                .containsExactly(
                        TaskResult.newBuilder()
                                .setTaskId("t3")
                                .setTenant("acme")
                                .setKind("math")
                                .setStatus(TaskStatus.REJECTED)
                                .setError(
                                        "tenant acme spent 1 USD of its 1 USD budget for the day"
                                                + " 2026-12-05 (UTC); the task was not started")
                                .setLatencyMs(0)
                                .build());
    }

    @Test
    void anAnswerFromTheCacheSpendsNothingOfTheBudget() throws Exception {
        var harness = harness();
        harness.processElement2(
                record(Tenant.newBuilder().setTenant("acme").setBudgetUsdPerDay(1.0).build()),
                START);
        harness.processElement2(call("acme", START, 0.75), START);
        AdmitSignal paid = call("acme", START, 0.75);
        // What a cached answer's metric says: no cost, no tokens, what the cached call cost saved.
        paid.getMetric()
                .setCall(
                        CallMetric.newBuilder(paid.getMetric().getCall())
                                .setCostUsd(0.0)
                                .setTokensIn(0)
                                .setTokensOut(0)
                                .setCached(true)
                                .setSavedUsd(0.75)
                                .build());
        harness.processElement2(paid, START);
        harness.processElement1(task("t1", "acme"), START);

        List<Task> out = new ArrayList<>();
        harness.getOutput().forEach(o -> out.add((Task) ((StreamRecord<?>) o).getValue()));
        assertThat(out)
                .extracting(Task::getTaskId, Task::getBudgetUsd)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("t1", 0.25));
        assertThat(rejected(harness)).isEmpty();
    }

    @Test
    void spendSurvivesARestoreFromACheckpoint() throws Exception {
        var harness = harness();
        harness.processElement2(
                record(Tenant.newBuilder().setTenant("acme").setBudgetUsdPerDay(1.0).build()),
                START);
        harness.processElement2(call("acme", START, 1.0), START);
        OperatorSubtaskState snapshot = harness.snapshot(1, START);
        harness.close();

        var restored = restored(snapshot);
        restored.processElement1(task("t1", "acme"), START);
        assertThat(admitted(restored)).isEmpty();
        assertThat(rejected(restored)).extracting(TaskResult::getTaskId).containsExactly("t1");
    }

    @Test
    void aTaskWithoutALimitMaySpendOnlyWhatTheSharesInFlightLeave() throws Exception {
        var harness = harness();
        harness.processElement2(
                record(Tenant.newBuilder().setTenant("acme").setBudgetUsdPerDay(1.0).build()),
                START);
        Task limited = task("limited", "acme");
        limited.setBudgetUsd(0.75);
        harness.processElement1(limited, START);
        harness.processElement1(task("free", "acme"), START);
        assertThat(budgetOf(harness, "limited")).isEqualTo(0.75);
        assertThat(budgetOf(harness, "free")).isEqualTo(0.25);
    }

    @Test
    void aShareOfNothingHoldsNothing() throws Exception {
        var harness = harness();
        harness.processElement2(
                record(
                        Tenant.newBuilder()
                                .setTenant("acme")
                                .setBudgetUsdPerDay(1.0)
                                .setMaxUsdPerTask(0.0)
                                .build()),
                START);
        harness.processElement1(task("t1", "acme"), START);
        assertThat(budgetOf(harness, "t1")).isZero();
        harness.processElement2(finished("acme", "t1"), START);
        // Left: the tenant's record and ledger.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
    }

    @Test
    void waitingTasksSurviveARestoreInTheirOrder() throws Exception {
        var harness = harness();
        harness.processElement2(
                record(Tenant.newBuilder().setTenant("acme").setMaxInFlight(1).build()), START);
        harness.processElement1(task("t1", "acme"), START);
        harness.processElement1(task("low", "acme"), START);
        Task high = task("high", "acme");
        high.setPriority(3);
        harness.processElement1(high, START);
        harness.processElement1(task("later", "acme"), START);
        OperatorSubtaskState snapshot = harness.snapshot(1, START);
        harness.close();

        var restored = restored(snapshot);
        for (String done : List.of("t1", "high", "low")) {
            restored.processElement2(finished("acme", done), START);
        }
        assertThat(admitted(restored)).containsExactly("high", "low", "later");
        assertThat(rejected(restored)).isEmpty();
        // Left: the tenant's record and ledger, and "later" in flight.
        assertThat(restored.numKeyedStateEntries()).isEqualTo(3);
    }

    @Test
    void overMaxInFlightATaskWaitsUntilATaskOfTheTenantFinishes() throws Exception {
        var harness = harness();
        harness.processElement2(
                record(Tenant.newBuilder().setTenant("acme").setMaxInFlight(1).build()), START);
        harness.processElement1(task("t1", "acme"), START);
        harness.processElement1(task("t2", "acme"), START);
        assertThat(admitted(harness)).containsExactly("t1");
        // A task that this stage did not admit does not free a slot.
        harness.processElement2(finished("acme", "other"), START);
        assertThat(admitted(harness)).containsExactly("t1");

        harness.processElement2(finished("acme", "t1"), START + 100);
        assertThat(admitted(harness)).containsExactly("t1", "t2");
        harness.processElement2(finished("acme", "t2"), START + 200);
        assertThat(rejected(harness)).isEmpty();
        // Left: the tenant's record and ledger; no task in flight or waiting.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
    }

    private static AdmitSignal finished(String tenant, String taskId, double costUsd) {
        AdmitSignal signal = finished(tenant, taskId);
        signal.getMetric().getTask().setCostUsd(costUsd);
        return signal;
    }

    private static double budgetOf(
            KeyedTwoInputStreamOperatorTestHarness<String, Task, AdmitSignal, Task> harness,
            String taskId) {
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord<?> r
                    && ((Task) r.getValue()).getTaskId().equals(taskId)) {
                return ((Task) r.getValue()).getBudgetUsd();
            }
        }
        throw new AssertionError(taskId + " was not admitted");
    }

    @Test
    void aTaskWaitsForItsShareUntilAnAnsweredTasksCostIsBookedAndItsHoldLetGo() throws Exception {
        var harness = harness();
        harness.processElement2(
                record(
                        Tenant.newBuilder()
                                .setTenant("acme")
                                .setBudgetUsdPerDay(0.34)
                                .setMaxUsdPerTask(0.1)
                                .build()),
                START);
        for (String id : List.of("t1", "t2", "t3")) {
            harness.processElement1(task(id, "acme"), START);
        }
        // Three shares of 0.1 are held.
        assertThat(admitted(harness)).containsExactly("t1", "t2", "t3");
        assertThat(budgetOf(harness, "t1")).isEqualTo(0.1);

        // t1's call cost 0.03 and is booked: 0.31 left, 0.3 held.
        harness.processElement2(call("acme", START, 0.03), START);
        // t1 is answered: its share gives way to its cost, held in case its calls are not all
        // booked yet: 0.23 held, 0.08 free, too little for t4 (which may wait 10 s).
        harness.processElement2(finished("acme", "t1", 0.03), START);
        at(harness, START + 2_000);
        harness.processElement1(task("t4", "acme"), START + 2_000);
        assertThat(admitted(harness)).containsExactly("t1", "t2", "t3");
        // The hold lasts HELD_AFTER_ANSWER, up to the next whole second: 11 s from a whole second.
        long letGo = START + AdmitFunction.HELD_AFTER_ANSWER.toMillis() + 1_000;
        at(harness, letGo - 1);
        assertThat(admitted(harness)).containsExactly("t1", "t2", "t3");
        // The hold lets go: 0.2 held, 0.11 free.
        at(harness, letGo);
        assertThat(admitted(harness)).containsExactly("t1", "t2", "t3", "t4");
        assertThat(budgetOf(harness, "t4")).isEqualTo(0.1);
        assertThat(rejected(harness)).isEmpty();
    }

    @Test
    void overTheRateATaskStartsWhenTheBucketRefills() throws Exception {
        var harness = harness();
        harness.processElement2(
                record(
                        Tenant.newBuilder()
                                .setTenant("acme")
                                .setTasksPerSecond(2.0)
                                .setBurst(1)
                                .build()),
                START);
        harness.processElement1(task("t1", "acme"), START);
        harness.processElement1(task("t2", "acme"), START);
        harness.processElement1(task("t3", "acme"), START);
        assertThat(admitted(harness)).containsExactly("t1");
        at(harness, START + 499);
        assertThat(admitted(harness)).containsExactly("t1");
        at(harness, START + 500);
        assertThat(admitted(harness)).containsExactly("t1", "t2");
        at(harness, START + 1000);
        assertThat(admitted(harness)).containsExactly("t1", "t2", "t3");
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void waitingTasksStartHighestPriorityFirst() throws Exception {
        var harness = harness();
        harness.processElement2(
                record(Tenant.newBuilder().setTenant("acme").setMaxInFlight(1).build()), START);
        harness.processElement1(task("running", "acme"), START);
        harness.processElement1(task("low", "acme"), START);
        harness.processElement1(
                Task.newBuilder(task("high", "acme")).setPriority(9).build(), START);
        harness.processElement1(task("low2", "acme"), START);
        for (String id : List.of("running", "high", "low", "low2")) {
            harness.processElement2(finished("acme", id), START);
        }
        assertThat(admitted(harness)).containsExactly("running", "high", "low", "low2");
    }

    @Test
    void aTaskWaitsForItsTenantsRecordAndIsRejectedWhenTheLongestWaitRunsOut() throws Exception {
        var harness = harness();
        harness.processElement1(task("early", "acme"), START);
        clock.set(START + 1);
        harness.processElement1(task("lost", "initech"), START + 1);
        harness.processElement2(record(Tenant.newBuilder().setTenant("acme").build()), START + 2);
        assertThat(admitted(harness)).containsExactly("early");

        at(harness, START + 1 + MAX_WAIT.toMillis());
        assertThat(rejected(harness))
                .extracting(TaskResult::getTaskId, TaskResult::getError, TaskResult::getLatencyMs)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "lost",
                                "waited 10000 ms, the longest wait, because tenant initech is not"
                                        + " registered on the tenants topic; the task was not"
                                        + " started",
                                10_000L));
        // initech keeps only its ledger; acme its record, ledger and the task in flight.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(4);
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void aSubtaskOfAnAdmittedPlanIsNotCountedInFlight() throws Exception {
        var harness = harness();
        harness.processElement2(
                record(Tenant.newBuilder().setTenant("acme").setMaxInFlight(1).build()), START);
        harness.processElement1(task("root", "acme"), START);
        harness.processElement1(
                Task.newBuilder(task("root-1", "acme"))
                        .setRootId("root")
                        .setParentId("root")
                        .build(),
                START);
        assertThat(admitted(harness)).containsExactly("root", "root-1");
        // Nor does it queue behind a task that waits for the root's slot.
        harness.processElement1(task("next", "acme"), START);
        harness.processElement1(
                Task.newBuilder(task("root-2", "acme"))
                        .setRootId("root")
                        .setParentId("root")
                        .build(),
                START);
        assertThat(admitted(harness)).containsExactly("root", "root-1", "root-2");
        harness.processElement2(finished("acme", "root"), START);
        assertThat(admitted(harness)).containsExactly("root", "root-1", "root-2", "next");
    }

    @Test
    void aWaitingTaskWhoseDeadlinePassesIsAnsweredTimedOut() throws Exception {
        var harness = harness();
        harness.processElement2(
                record(Tenant.newBuilder().setTenant("acme").setMaxInFlight(1).build()), START);
        harness.processElement1(task("running", "acme"), START);
        harness.processElement1(
                Task.newBuilder(task("patient", "acme")).setPriority(1).build(), START);
        harness.processElement1(
                Task.newBuilder(task("urgent", "acme")).setDeadline(START + 2000).build(), START);
        at(harness, START + 2000);
        assertThat(admitted(harness)).containsExactly("running");
        assertThat(rejected(harness))
                .extracting(TaskResult::getTaskId, TaskResult::getStatus, TaskResult::getError)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "urgent",
                                TaskStatus.TIMED_OUT,
                                "the deadline 2026-12-05T10:00:02Z passed before the task could"
                                        + " start; no agent was called"));
        harness.processElement2(finished("acme", "running"), START + 2000);
        assertThat(admitted(harness)).containsExactly("running", "patient");
        // A deadline that passes at admission ends the task at once.
        harness.processElement1(
                Task.newBuilder(task("late", "acme")).setDeadline(START + 1000).build(), START);
        assertThat(rejected(harness))
                .extracting(TaskResult::getTaskId, TaskResult::getStatus)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("urgent", TaskStatus.TIMED_OUT),
                        org.assertj.core.groups.Tuple.tuple("late", TaskStatus.TIMED_OUT));
    }

    @Test
    void aSignalOrTaskThatChangesNothingLeavesTheQueueToItsTimer() throws Exception {
        var harness = harness();
        harness.processElement2(
                record(Tenant.newBuilder().setTenant("acme").setMaxInFlight(1).build()), START);
        harness.processElement1(task("running", "acme"), START);
        harness.processElement1(task("waiting", "acme"), START);
        // Past the longest wait on the clock, before the timer: a call that spends no budget, a
        // task this stage did not admit and a task that queues behind do not drain the queue.
        clock.set(START + MAX_WAIT.toMillis());
        harness.processElement2(call("acme", START, 0.5), START);
        harness.processElement2(finished("acme", "other"), START);
        harness.processElement1(task("behind", "acme"), START);
        assertThat(rejected(harness)).isEmpty();

        at(harness, START + MAX_WAIT.toMillis());
        assertThat(rejected(harness)).extracting(TaskResult::getTaskId).containsExactly("waiting");
        harness.processElement2(finished("acme", "running"), START + MAX_WAIT.toMillis());
        assertThat(admitted(harness)).containsExactly("running", "behind");
    }

    @Test
    void aCallThatSpendsTheBudgetRejectsTheWaitingTasks() throws Exception {
        var harness = harness();
        harness.processElement2(
                record(
                        Tenant.newBuilder()
                                .setTenant("acme")
                                .setBudgetUsdPerDay(1.0)
                                .setMaxInFlight(1)
                                .build()),
                START);
        harness.processElement1(task("running", "acme"), START);
        harness.processElement1(task("waiting", "acme"), START);
        harness.processElement2(call("acme", START, 0.5), START);
        assertThat(rejected(harness)).isEmpty();
        harness.processElement2(call("acme", START, 0.5), START);
        assertThat(rejected(harness))
                .extracting(TaskResult::getTaskId, TaskResult::getError)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "waiting",
                                "tenant acme spent 1 USD of its 1 USD budget for the day"
                                        + " 2026-12-05 (UTC); the task was not started"));
        assertThat(admitted(harness)).containsExactly("running");
    }
}
