package io.hivestream.operators.plan;

import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.internal.Plan;
import io.hivestream.schemas.internal.PlanStep;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlansTest {

    private static Plan plan(Double budget) {
        // a and b first, c after both.
        return Plans.start(
                analyzed(task("root", "chat", "x").setBudgetUsd(budget).build(), 1, 1),
                List.of(
                        new Planner.Step("a", "r", "chat", List.of("chat"), List.of(), "do a"),
                        new Planner.Step("b", "r", "chat", List.of("chat"), List.of(), "do b"),
                        new Planner.Step(
                                "c", "r", "chat", List.of("chat"), List.of("a", "b"), "do c")),
                60_000);
    }

    private static void release(Plan plan, String id, Double share) {
        PlanStep step =
                plan.getSteps().stream().filter(s -> s.getId().equals(id)).findFirst().get();
        step.setBudgetUsd(share);
        Plans.release(step);
    }

    private static void finish(Plan plan, String id, double cost) {
        PlanStep step =
                plan.getSteps().stream().filter(s -> s.getId().equals(id)).findFirst().get();
        Plans.finish(
                step,
                TaskResult.newBuilder()
                        .setTaskId(step.getTaskId())
                        .setStatus(TaskStatus.COMPLETED)
                        .setOutput("ok")
                        .setCostUsd(cost)
                        .setCompletedAt(1L)
                        .build());
    }

    @Test
    void subtasksShareWhatTheBudgetHasLeftWithoutReservingMoreThanIt() {
        Plan plan = plan(1.2);
        // a and b, with c and the synthesis still to come: a quarter each.
        Double first = Plans.budgetShare(plan, 2);
        assertThat(first).isEqualTo(0.3);
        release(plan, "a", first);
        release(plan, "b", first);

        // a spent 0.1 of its 0.3; b still holds 0.3: c's share is what is left, halved for the
        // synthesis.
        finish(plan, "a", 0.1);
        assertThat(Plans.budgetShare(plan, 1)).isEqualTo((1.2 - 0.1 - 0.3) / 2);
        finish(plan, "b", 0.2);
        assertThat(Plans.budgetShare(plan, 1)).isEqualTo((1.2 - 0.1 - 0.2) / 2);
        release(plan, "c", Plans.budgetShare(plan, 1));
        finish(plan, "c", 0.4);

        // Every step is done: the synthesis may have all that is left.
        assertThat(Plans.budgetShare(plan, 1)).isEqualTo(1.2 - 0.1 - 0.2 - 0.4);
    }

    @Test
    void stepsCancelledWhileRunningKeepTheirSharesAndTheSynthesisWaitsForNone() {
        Plan plan = plan(1.2);
        release(plan, "a", 0.3);
        release(plan, "b", 0.3);
        // A re-plan cancels what runs; a's and b's calls in flight may still cost their shares.
        Plans.cancelOutstanding(plan);
        assertThat(Plans.budgetShare(plan, 1)).isEqualTo(1.2 - 0.0 - (0.3 + 0.3));
    }

    @Test
    void aSpentBudgetLeavesNothingAndNoBudgetLeavesNoLimit() {
        Plan spent = plan(0.1);
        release(spent, "a", Plans.budgetShare(spent, 2));
        finish(spent, "a", 0.5);
        assertThat(Plans.budgetShare(spent, 1)).isZero();
        assertThat(Plans.budgetShare(plan(null), 2)).isNull();
    }

    @Test
    void aTextWithinTheLimitIsKeptAndALongerOneIsCutWithANote() {
        assertThat(Plans.fit("short", 100)).isEqualTo("short");
        String long150 = "x".repeat(150);

        String fitted = Plans.fit(long150, 100);

        assertThat(fitted).isEqualTo("x".repeat(60) + " … [90 more characters cut]");
        assertThat(fitted.length()).isLessThanOrEqualTo(100);
    }
}
