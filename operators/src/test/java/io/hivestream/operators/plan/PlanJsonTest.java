package io.hivestream.operators.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlanJsonTest {

    @Test
    void aPlanInProseAndAFenceIsRead() {
        String answer =
                "Here is the plan:\n```json\n"
                        + "{\"steps\": [{\"id\": \"facts\", \"role\": \"researcher\","
                        + " \"capabilities\": [\"research\"], \"input\": \"Find the facts.\"},"
                        + " {\"id\": \"draft\", \"role\": \"writer\", \"kind\": \"essay\","
                        + " \"capabilities\": [\"write\"], \"dependsOn\": [\"facts\"],"
                        + " \"input\": \"Write from {{facts}}\", \"replicas\": 3, \"quorum\": 2}]}"
                        + "\n```\nGood luck.";

        assertThat(PlanJson.parse(answer))
                .containsExactly(
                        new Planner.Step(
                                "facts",
                                "researcher",
                                "research",
                                List.of("research"),
                                List.of(),
                                "Find the facts."),
                        new Planner.Step(
                                "draft",
                                "writer",
                                "essay",
                                List.of("write"),
                                List.of("facts"),
                                "Write from {{facts}}",
                                3,
                                2));
    }

    @Test
    void whatIsWrittenIsReadBackTheSame() {
        List<Planner.Step> steps =
                List.of(
                        new Planner.Step("a", "coder", "code", List.of("code"), List.of(), "do"),
                        new Planner.Step(
                                "b",
                                "tester",
                                "test",
                                List.of("test"),
                                List.of("a"),
                                "t {{a}}",
                                3,
                                null));

        assertThat(PlanJson.parse(PlanJson.write(steps))).isEqualTo(steps);
    }

    @Test
    void notJsonIsRefusedWithTheReason() {
        assertThatThrownBy(() -> PlanJson.parse("I would first research, then write."))
                .isInstanceOf(PlanJson.PlanFormatException.class)
                .hasMessage("the planner's answer is not JSON: it holds no object in braces");
        assertThatThrownBy(() -> PlanJson.parse("{\"steps\": [}"))
                .isInstanceOf(PlanJson.PlanFormatException.class)
                .hasMessageStartingWith("the planner's answer is not JSON: ");
        assertThatThrownBy(() -> PlanJson.parse("{\"plan\": []}"))
                .hasMessage("the plan must be an object with an array 'steps'");
    }

    @Test
    void everyFieldProblemIsNamedAtOnce() {
        assertThatThrownBy(
                        () ->
                                PlanJson.parse(
                                        "{\"steps\": [{\"id\": 7, \"role\": \"r\", \"input\":"
                                                + " \"x\", \"capabilities\": \"code\", \"color\":"
                                                + " 1}, {\"id\": \"b\", \"replicas\": 1.5}, 3]}"))
                .isInstanceOfSatisfying(
                        PlanJson.PlanFormatException.class,
                        e ->
                                assertThat(e.problems())
                                        .containsExactly(
                                                "step 1 has an unknown field 'color'",
                                                "step 1: 'id' must be a string",
                                                "step 1: 'capabilities' must be an array of"
                                                        + " strings",
                                                "step 'b' has no 'role'",
                                                "step 'b' has no 'input'",
                                                "step 'b': 'replicas' must be a whole number",
                                                "step 3 must be an object"));
    }
}
