package io.hivestream.operators.admit;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tenant;
import io.hivestream.schemas.internal.TenantLedger;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdmissionTest {
    private static final long NOW = Instant.parse("2026-12-05T10:00:00Z").toEpochMilli();

    private static Task task(String id) {
        return Task.newBuilder()
                .setTaskId(id)
                .setTenant("acme")
                .setKind("math")
                .setInput("1+1")
                .build();
    }

    private static Tenant.Builder acme() {
        return Tenant.newBuilder().setTenant("acme");
    }

    @Test
    void aTaskOfATenantWithoutItsRecordWaitsForIt() {
        assertThat(Admission.decide(task("t"), null, Ledger.empty(NOW), NOW))
                .isEqualTo(
                        new Admission.Wait(
                                "tenant acme is not registered on the tenants topic",
                                Long.MAX_VALUE));
    }

    @Test
    void aTenantWithoutLimitsAdmitsEveryTaskAndCountsItInFlight() {
        TenantLedger ledger = Ledger.empty(NOW);
        for (int i = 0; i < 5; i++) {
            assertThat(Admission.decide(task("t" + i), acme().build(), ledger, NOW))
                    .isEqualTo(new Admission.Admit(null));
        }
        assertThat(ledger.getInFlight()).isEqualTo(5);
    }

    @Test
    void tasksWithALimitAreHeldTheirShareAndWaitUntilItIsFree() {
        Tenant tenant = acme().setBudgetUsdPerDay(0.25).setMaxUsdPerTask(0.1).build();
        TenantLedger ledger = Ledger.empty(NOW);
        assertThat(Admission.decide(task("t1"), tenant, ledger, NOW))
                .isEqualTo(new Admission.Admit(0.1));
        // A task's own budget, when lower, is its share.
        Task frugal = Task.newBuilder(task("t2")).setBudgetUsd(0.05).build();
        assertThat(Admission.decide(frugal, tenant, ledger, NOW))
                .isEqualTo(new Admission.Admit(0.05));
        assertThat(ledger.getReservedUsd()).isEqualTo(0.15000000000000002);
        // 0.1 of the 0.25 left is free: enough for one more share, not two.
        assertThat(Admission.decide(task("t3"), tenant, ledger, NOW))
                .isEqualTo(new Admission.Admit(0.1));
        assertThat(Admission.decide(task("t4"), tenant, ledger, NOW))
                .isEqualTo(
                        new Admission.Wait(
                                "tenant acme has 0.25 USD left and its tasks in flight hold 0.25"
                                        + " USD of it; the task needs 0.1 USD",
                                Long.MAX_VALUE));
        assertThat(ledger.getInFlight()).isEqualTo(3);
    }

    @Test
    void whenLessThanAShareIsLeftTheTaskWaitsForTheOthersAndGetsWhatIsLeft() {
        Tenant tenant = acme().setBudgetUsdPerDay(0.25).setMaxUsdPerTask(0.1).build();
        TenantLedger ledger = Ledger.empty(NOW);
        Ledger.book(ledger, NOW, 0.2, 10);
        ledger.setReservedUsd(0.01);
        assertThat(Admission.decide(task("t1"), tenant, ledger, NOW))
                .isInstanceOf(Admission.Wait.class);
        ledger.setReservedUsd(0);
        Admission.Decision last = Admission.decide(task("t1"), tenant, ledger, NOW);
        assertThat(((Admission.Admit) last).reservedUsd()).isEqualTo(0.25 - 0.2);
    }

    @Test
    void withoutAUsdBudgetOrALimitNothingIsHeld() {
        TenantLedger ledger = Ledger.empty(NOW);
        Tenant perTaskOnly = acme().setMaxUsdPerTask(0.1).build();
        assertThat(Admission.decide(task("t1"), perTaskOnly, ledger, NOW))
                .isEqualTo(new Admission.Admit(null));
        Tenant budgetOnly = acme().setBudgetUsdPerDay(1.0).build();
        assertThat(Admission.decide(task("t2"), budgetOnly, ledger, NOW))
                .isEqualTo(new Admission.Admit(null));
        assertThat(ledger.getReservedUsd()).isZero();
    }

    @Test
    void theDayBudgetIsExactAtTheBoundary() {
        Tenant tenant = acme().setBudgetUsdPerDay(0.5).build();
        TenantLedger ledger = Ledger.empty(NOW);
        Ledger.book(ledger, NOW, 0.25, 10);
        Ledger.book(ledger, NOW, 0.2499, 10);
        assertThat(Admission.decide(task("t1"), tenant, ledger, NOW))
                .isEqualTo(new Admission.Admit(null));
        Ledger.book(ledger, NOW, 0.0001, 1);
        assertThat(ledger.getDayUsd()).isEqualTo(0.5);
        assertThat(Admission.decide(task("t2"), tenant, ledger, NOW))
                .isEqualTo(
                        new Admission.Reject(
                                "tenant acme spent 0.5 USD of its 0.5 USD budget for the day"
                                        + " 2026-12-05 (UTC); the task was not started"));
        // The next day the budget is whole again.
        assertThat(Admission.decide(task("t3"), tenant, ledger, NOW + 86_400_000L))
                .isEqualTo(new Admission.Admit(null));
    }

    @Test
    void aPlansCancellationIsAdmittedWhateverTheTenantSpent() {
        Tenant tenant = acme().setBudgetUsdPerDay(0.5).build();
        TenantLedger ledger = Ledger.empty(NOW);
        Ledger.book(ledger, NOW, 0.5, 10);
        Task cancellation =
                io.hivestream.operators.plan.Cancellations.of(
                        "r/step", task("r"), "plan r ended FAILED", NOW);

        assertThat(Admission.decide(cancellation, tenant, ledger, NOW))
                .isEqualTo(new Admission.Admit(null));
        assertThat(Admission.decide(cancellation, null, ledger, NOW))
                .isEqualTo(new Admission.Admit(null));
    }

    @Test
    void theMonthBudgetAndTheDailyTokensRejectWithTheirWindow() {
        TenantLedger ledger = Ledger.empty(NOW);
        Ledger.book(ledger, NOW, 3.0, 1000);
        assertThat(
                        Admission.decide(
                                task("t1"), acme().setBudgetUsdPerMonth(3.0).build(), ledger, NOW))
                .isEqualTo(
                        new Admission.Reject(
                                "tenant acme spent 3 USD of its 3 USD budget for the month"
                                        + " 2026-12 (UTC); the task was not started"));
        assertThat(Admission.decide(task("t2"), acme().setTokensPerDay(1001L).build(), ledger, NOW))
                .isEqualTo(new Admission.Admit(null));
        assertThat(Admission.decide(task("t3"), acme().setTokensPerDay(1000L).build(), ledger, NOW))
                .isEqualTo(
                        new Admission.Reject(
                                "tenant acme spent 1000 tokens of its 1000 tokens for the day"
                                        + " 2026-12-05 (UTC); the task was not started"));
    }

    @Test
    void aTaskAskingForACapabilityTheTenantMayNotUseIsRejected() {
        Tenant tenant = acme().setCapabilities(List.of("chat", "summarize")).build();
        assertThat(Admission.decide(task("t1"), tenant, Ledger.empty(NOW), NOW))
                .isEqualTo(
                        new Admission.Reject(
                                "tenant acme may not ask for 'math'; it may ask for [chat, summarize]"));
        Task chat = Task.newBuilder(task("t2")).setCapabilities(List.of("chat")).build();
        assertThat(Admission.decide(chat, tenant, Ledger.empty(NOW), NOW))
                .isEqualTo(new Admission.Admit(null));
    }

    @Test
    void maxInFlightMakesTheNextTaskWaitUntilOneEnds() {
        Tenant tenant = acme().setMaxInFlight(2).build();
        TenantLedger ledger = Ledger.empty(NOW);
        assertThat(Admission.decide(task("t1"), tenant, ledger, NOW))
                .isEqualTo(new Admission.Admit(null));
        assertThat(Admission.decide(task("t2"), tenant, ledger, NOW))
                .isEqualTo(new Admission.Admit(null));
        assertThat(Admission.decide(task("t3"), tenant, ledger, NOW))
                .isEqualTo(
                        new Admission.Wait(
                                "tenant acme has 2 tasks in flight, its maxInFlight",
                                Long.MAX_VALUE));
        ledger.setInFlight(1);
        assertThat(Admission.decide(task("t3"), tenant, ledger, NOW))
                .isEqualTo(new Admission.Admit(null));
        assertThat(ledger.getInFlight()).isEqualTo(2);
    }

    @Test
    void overTheRateATaskWaitsUntilTheBucketHoldsOneAgain() {
        Tenant tenant = acme().setTasksPerSecond(4.0).setBurst(2).build();
        TenantLedger ledger = Ledger.empty(NOW);
        assertThat(Admission.decide(task("t1"), tenant, ledger, NOW))
                .isEqualTo(new Admission.Admit(null));
        assertThat(Admission.decide(task("t2"), tenant, ledger, NOW))
                .isEqualTo(new Admission.Admit(null));
        Admission.Wait wait =
                new Admission.Wait(
                        "tenant acme is over its rate of 4 tasks per second (burst 2)", NOW + 250);
        assertThat(Admission.decide(task("t3"), tenant, ledger, NOW)).isEqualTo(wait);
        assertThat(Admission.decide(task("t3"), tenant, ledger, NOW + 249))
                .isEqualTo(new Admission.Wait(wait.reason(), NOW + 250));
        assertThat(Admission.decide(task("t3"), tenant, ledger, NOW + 250))
                .isEqualTo(new Admission.Admit(null));
        assertThat(ledger.getInFlight()).isEqualTo(3);
    }

    @Test
    void aSubtaskIsCheckedAgainstTheBudgetsOnly() {
        Tenant tenant =
                acme().setMaxInFlight(1).setTasksPerSecond(1.0).setBudgetUsdPerDay(1.0).build();
        TenantLedger ledger = Ledger.empty(NOW);
        assertThat(Admission.decide(task("root"), tenant, ledger, NOW))
                .isEqualTo(new Admission.Admit(null));
        Task step = Task.newBuilder(task("root-s1")).setRootId("root").setParentId("root").build();
        assertThat(Admission.decide(step, tenant, ledger, NOW))
                .isEqualTo(new Admission.Admit(null));
        assertThat(ledger.getInFlight()).isEqualTo(1);
        Ledger.book(ledger, NOW, 1.0, 0);
        assertThat(Admission.decide(step, tenant, ledger, NOW))
                .isInstanceOf(Admission.Reject.class);
    }

    @Test
    void higherPriorityThenEarlierDeadlineThenArrivalStartsFirst() {
        Task low = Task.newBuilder(task("low")).setPriority(0).build();
        Task high = Task.newBuilder(task("high")).setPriority(5).build();
        Task urgent = Task.newBuilder(task("urgent")).setPriority(5).setDeadline(NOW + 10).build();
        Task later = Task.newBuilder(task("later")).setPriority(0).build();
        record Arrival(Task task, long seq) {}
        List<Arrival> arrivals =
                new java.util.ArrayList<>(
                        List.of(
                                new Arrival(low, 0),
                                new Arrival(high, 1),
                                new Arrival(urgent, 2),
                                new Arrival(later, 3)));
        arrivals.sort(TaskPriority.order(Arrival::task, Arrival::seq));
        assertThat(arrivals)
                .extracting(a -> a.task().getTaskId())
                .containsExactly("urgent", "high", "low", "later");
    }

    @Test
    void aTaskPastItsDeadlineIsAnsweredTimedOutBeforeAnythingElse() {
        Task late = Task.newBuilder(task("late")).setDeadline(NOW).build();
        assertThat(Admission.decide(late, null, Ledger.empty(NOW), NOW))
                .isEqualTo(
                        new Admission.TimedOut(
                                "the deadline 2026-12-05T10:00:00Z passed before the task could"
                                        + " start; no agent was called"));
        assertThat(Admission.decide(late, acme().build(), Ledger.empty(NOW), NOW - 1))
                .isEqualTo(new Admission.Admit(null));
    }
}
