package io.hivestream.operators.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlanValidatorTest {
    private final PlanValidator validator = new PlanValidator(4, Set.of("code", "test"));

    private static Planner.Step step(String id, String capability, String... dependsOn) {
        return new Planner.Step(
                id, "role-" + id, "kind", List.of(capability), List.of(dependsOn), "do " + id);
    }

    @Test
    void aDagOfKnownCapabilitiesWithinTheLimitIsValid() {
        assertThat(
                        validator.problems(
                                List.of(
                                        step("a", "code"),
                                        step("b", "test", "a"),
                                        step("c", "code", "a"),
                                        step("d", "test", "b", "c"))))
                .isEmpty();
    }

    @Test
    void anEmptyPlanIsRefused() {
        assertThat(validator.problems(List.of())).containsExactly("the plan has no steps");
    }

    @Test
    void aPlanLargerThanTheLimitIsRefused() {
        List<Planner.Step> steps = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            steps.add(step("s" + i, "code"));
        }

        assertThat(validator.problems(steps)).containsExactly("the plan has 5 steps; at most 4");
    }

    @Test
    void cyclesSelfDependenciesAndUnknownDependenciesAreNamed() {
        assertThat(
                        validator.problems(
                                List.of(
                                        step("a", "code", "c"),
                                        step("b", "code", "a"),
                                        step("c", "code", "b"),
                                        step("d", "code", "d", "ghost"))))
                .containsExactly(
                        "step 'd' depends on itself",
                        "step 'd' depends on unknown step 'ghost'",
                        "the steps a, b, c cannot run: their dependencies form a cycle");
    }

    @Test
    void idsMustBeUniqueAndWellFormedAndStepsComplete() {
        assertThat(
                        validator.problems(
                                List.of(
                                        step("a", "code"),
                                        step("a", "code"),
                                        new Planner.Step(
                                                "b c", " ", "", List.of(), List.of(), " "))))
                .containsExactly(
                        "step id 'a' is used twice",
                        "step id 'b c' must be 1 to 64 letters, digits, '-' or '_'",
                        "step 'b c' has no role",
                        "step 'b c' has no kind",
                        "step 'b c' has no instruction",
                        "step 'b c' asks for no capability");
    }

    @Test
    void unknownCapabilitiesAreRefused() {
        assertThat(validator.problems(List.of(step("a", "teleport"))))
                .containsExactly("step 'a' asks for capability 'teleport', which no agent offers");
    }

    @Test
    void aReplanMayDependOnCompletedStepsButNotTakeAnIdInUseOrAReservedOne() {
        assertThat(
                        new PlanValidator(8, Set.of())
                                .problems(
                                        List.of(
                                                step("b", "test", "a"),
                                                step("c", "code", "gone"),
                                                step("a", "code"),
                                                step("plan-2", "code"),
                                                step("synthesize", "code")),
                                        Set.of("code", "test"),
                                        Set.of("a", "plan-1"),
                                        Set.of("a")))
                .containsExactly(
                        "step id 'a' is already used by this plan",
                        "step id 'plan-2' is reserved for the plan's own subtasks (plan-N,"
                                + " replan-N-N, synthesize)",
                        "step id 'synthesize' is reserved for the plan's own subtasks (plan-N,"
                                + " replan-N-N, synthesize)",
                        "step 'c' depends on unknown step 'gone'");
    }

    @Test
    void replicasQuorumsAndQuotesAreChecked() {
        assertThat(
                        new PlanValidator(8, 3, Set.of("code"))
                                .problems(
                                        List.of(
                                                new Planner.Step(
                                                        "a",
                                                        "coder",
                                                        "code",
                                                        List.of("code"),
                                                        List.of(),
                                                        "write it",
                                                        4,
                                                        null),
                                                new Planner.Step(
                                                        "b",
                                                        "coder",
                                                        "code",
                                                        List.of("code"),
                                                        List.of("a"),
                                                        "fix {{a}} and {{c}}",
                                                        3,
                                                        1),
                                                new Planner.Step(
                                                        "d",
                                                        "coder",
                                                        "code",
                                                        List.of("code"),
                                                        List.of("a"),
                                                        "vote on {{a}}",
                                                        3,
                                                        2))))
                .containsExactly(
                        "step 'a' asks for 4 replicas; 1 to 3",
                        "step 'b' asks for a quorum of 1; with 3 replicas it must be 2 to 3",
                        "step 'b' quotes {{c}}, which is not one of its dependencies");
    }

    @Test
    void theLimitMustBePositive() {
        assertThatThrownBy(() -> new PlanValidator(0, Set.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSteps must be at least 1: 0");
    }
}
