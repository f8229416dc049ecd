package io.hivestream.operators.plan;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplatePlannerTest {
    private final TemplatePlanner planner = new TemplatePlanner();

    @Test
    void codeIsDesignedWrittenTestedDocumentedAndReviewed() {
        List<Planner.Step> steps = planner.plan(task("t", "code", "Add two numbers").build());

        assertThat(steps)
                .extracting(Planner.Step::id, Planner.Step::capabilities, Planner.Step::dependsOn)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "architect", List.of("design"), List.of()),
                        org.assertj.core.groups.Tuple.tuple(
                                "coder", List.of("code"), List.of("architect")),
                        org.assertj.core.groups.Tuple.tuple(
                                "tester", List.of("test"), List.of("coder")),
                        org.assertj.core.groups.Tuple.tuple(
                                "documenter", List.of("docs"), List.of("architect", "coder")),
                        org.assertj.core.groups.Tuple.tuple(
                                "reviewer",
                                List.of("review"),
                                List.of("coder", "tester", "documenter")));
    }

    @Test
    void otherKindsGetTheGenericPlanUnlessTheTaskNamesOne() {
        assertThat(planner.plan(task("t", "chat", "Explain tides").build()))
                .extracting(Planner.Step::id)
                .containsExactly("analyst", "writer", "fact-checker", "critic", "editor");
        assertThat(
                        planner.plan(
                                task("t", "chat", "Explain tides")
                                        .setMetadata(Map.of("plan", "code"))
                                        .build()))
                .extracting(Planner.Step::id)
                .startsWith("architect");
    }

    @Test
    void anUnknownTemplateIsRefused() {
        assertThatThrownBy(
                        () ->
                                planner.plan(
                                        task("t", "chat", "x")
                                                .setMetadata(Map.of("plan", "novel"))
                                                .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no plan template 'novel'; known: code, generic");
    }

    @Test
    void everyTemplateIsAValidPlan() {
        PlanValidator validator =
                new PlanValidator(PlanValidator.DEFAULT_MAX_STEPS, planner.capabilities());

        for (String template : List.of("code", "generic")) {
            assertThat(validator.problems(TemplatePlanner.TEMPLATES.get(template)))
                    .as(template)
                    .isEmpty();
        }
        assertThat(planner.capabilities())
                .containsExactlyInAnyOrder(
                        "design", "code", "test", "docs", "review", "analyse", "write", "verify",
                        "edit");
    }
}
