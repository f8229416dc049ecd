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
                .containsExactly("step 'a' asks for unknown capability 'teleport'");
    }

    @Test
    void theLimitMustBePositive() {
        assertThatThrownBy(() -> new PlanValidator(0, Set.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSteps must be at least 1: 0");
    }
}
