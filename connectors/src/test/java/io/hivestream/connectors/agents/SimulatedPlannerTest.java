package io.hivestream.connectors.agents;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.plan.PlanJson;
import io.hivestream.operators.plan.PlanValidator;
import io.hivestream.operators.plan.Planner.Step;
import io.hivestream.schemas.Task;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimulatedPlannerTest {
    private static final String ALL = "research,code,test,review,write,plan,synthesize";
    private static final String KAFKA =
            "Research how Kafka transactions work and find their limits. Then write a summary for"
                    + " operators and review it.";
    private static final String DEDUPE =
            "Implement a function that deduplicates task ids within a time window. Then test it"
                    + " and review the code.";

    /** A planning subtask; {@code metadata} are name, value pairs. */
    private static Task planning(String text, String... metadata) {
        Map<String, String> map = new HashMap<>();
        map.put("plan.task", text);
        for (int i = 0; i < metadata.length; i += 2) {
            map.put(metadata[i], metadata[i + 1]);
        }
        return task("root/plan", "plan", "Plan the task.\n\nTask: " + text)
                .setRole("planner")
                .setMetadata(map)
                .build();
    }

    private static Step step(
            String id, String capability, List<String> dependsOn, String instruction) {
        String role =
                switch (capability) {
                    case "research" -> "researcher";
                    case "code" -> "coder";
                    case "test" -> "tester";
                    case "review" -> "reviewer";
                    default -> "writer";
                };
        return new Step(id, role, capability, List.of(capability), dependsOn, instruction);
    }

    /** The plan, after checking that its JSON answer reads back as the same steps. */
    private static List<Step> plan(Task task) {
        List<Step> steps = SimulatedPlanner.plan(task);
        assertThat(PlanJson.parse(SimulatedPlanner.answer(task))).isEqualTo(steps);
        return steps;
    }

    @Test
    void clausesJoinedByAndAreParallelAndEachSentenceWaitsForThePreviousOne() {
        List<Step> steps = plan(planning(KAFKA, "plan.capabilities", ALL));

        assertThat(steps)
                .containsExactly(
                        step(
                                "research",
                                "research",
                                List.of(),
                                "Research how Kafka transactions work"),
                        step("research-2", "research", List.of(), "find their limits"),
                        step(
                                "write",
                                "write",
                                List.of("research", "research-2"),
                                "write a summary for operators Use: {{research}} Use:"
                                        + " {{research-2}}"),
                        step(
                                "review",
                                "review",
                                List.of("research", "research-2"),
                                "review it Use: {{research}} Use: {{research-2}}"));
        assertThat(new PlanValidator(20, Set.of(ALL.split(","))).problems(steps)).isEmpty();
    }

    @Test
    void theEarliestCueInAClauseDecidesItsRole() {
        assertThat(plan(planning(DEDUPE, "plan.capabilities", ALL)))
                .containsExactly(
                        step(
                                "code",
                                "code",
                                List.of(),
                                "Implement a function that deduplicates task ids within a time"
                                        + " window"),
                        step("test", "test", List.of("code"), "test it Use: {{code}}"),
                        step("review", "review", List.of("code"), "review the code Use: {{code}}"));
    }

    @Test
    void sentencesEndAtPunctuationAndThenInAnyCaseAndCuesStartAWord() {
        String text =
                "RESEARCH caching AND audit the cache then report findings! Gather the latest"
                        + " numbers and document them? Explain Flink checkpoints";

        // "latest" is not a test; "findings" and "checkpoints" come after earlier cues.
        assertThat(plan(planning(text)))
                .containsExactly(
                        step("research", "research", List.of(), "RESEARCH caching"),
                        step("review", "review", List.of(), "audit the cache"),
                        step(
                                "write",
                                "write",
                                List.of("research", "review"),
                                "report findings Use: {{research}} Use: {{review}}"),
                        step("write-2", "write", List.of("write"), "document them Use: {{write}}"),
                        step(
                                "write-3",
                                "write",
                                List.of("write-2"),
                                "Explain Flink checkpoints Use: {{write-2}}"));
    }

    @Test
    void aStepWhoseCapabilityIsNotOfferedIsDroppedAndItsDependentsInheritItsDependencies() {
        String text = "Research the options; write a draft; look up prices and review it.";

        assertThat(plan(planning(text, "plan.capabilities", "research, review")))
                .containsExactly(
                        step("research", "research", List.of(), "Research the options"),
                        step(
                                "research-2",
                                "research",
                                List.of("research"),
                                "look up prices Use: {{research}}"),
                        step(
                                "review",
                                "review",
                                List.of("research"),
                                "review it Use: {{research}}"));
    }

    @Test
    void withoutAnyStepThePlanIsOneWriterStepWithTheWholeTask() {
        assertThat(plan(planning("Hello there.", "plan.capabilities", "chat,write")))
                .containsExactly(step("write", "write", List.of(), "Hello there."));
        // Write is not offered: the catalog's first capability for a worker, still a writer.
        assertThat(
                        plan(
                                planning(
                                        "  Test the parser. ",
                                        "plan.capabilities",
                                        "plan,synthesize,chat,summarize")))
                .containsExactly(
                        new Step(
                                "chat",
                                "writer",
                                "chat",
                                List.of("chat"),
                                List.of(),
                                "Test the parser."));
    }

    @Test
    void idsTakenByThePlanBeforeAreNotUsedAgain() {
        assertThat(plan(planning("Find the facts. Write it up.", "plan.used", "research,write")))
                .containsExactly(
                        step("research-2", "research", List.of(), "Find the facts"),
                        step(
                                "write-2",
                                "write",
                                List.of("research-2"),
                                "Write it up Use: {{research-2}}"));
    }

    @Test
    void theAnswerIsThePlansJson() {
        assertThat(SimulatedPlanner.answer(planning("Find the facts.")))
                .isEqualTo(
                        "{\"steps\":[{\"id\":\"research\",\"role\":\"researcher\",\"kind\":"
                                + "\"research\",\"capabilities\":[\"research\"],\"dependsOn\":[],"
                                + "\"input\":\"Find the facts\"}]}");
    }

    @Test
    void withoutPlanTaskTheSubtasksInputIsPlanned() {
        Task task = task("root/plan", "plan", "Review the draft.").setRole("planner").build();

        assertThat(plan(task))
                .containsExactly(step("review", "review", List.of(), "Review the draft"));
    }

    @Test
    void aReplanLeavesOutCompletedStepsAndDependsOnThemInstead() {
        Task replan =
                planning(
                        KAFKA,
                        "plan.capabilities",
                        ALL,
                        "plan.used",
                        "research,research-2,write,review",
                        "plan.done",
                        "research,research-2",
                        "plan.failed",
                        "write");

        assertThat(plan(replan))
                .containsExactly(
                        step(
                                "write-2",
                                "write",
                                List.of("research", "research-2"),
                                "write a summary for operators Use: {{research}} Use:"
                                        + " {{research-2}}"),
                        step(
                                "review-2",
                                "review",
                                List.of("research", "research-2"),
                                "review it Use: {{research}} Use: {{research-2}}"));
    }

    @Test
    void aReplanPlansAgainTheStepsOfACapabilityBeyondItsCompletedOnes() {
        Task replan =
                planning(
                        KAFKA,
                        "plan.capabilities",
                        ALL,
                        "plan.used",
                        "research,research-2,write,review",
                        "plan.done",
                        "research",
                        "plan.failed",
                        "research-2");

        assertThat(plan(replan))
                .containsExactly(
                        step("research-3", "research", List.of(), "find their limits"),
                        step(
                                "write-2",
                                "write",
                                List.of("research", "research-3"),
                                "write a summary for operators Use: {{research}} Use:"
                                        + " {{research-3}}"),
                        step(
                                "review-2",
                                "review",
                                List.of("research", "research-3"),
                                "review it Use: {{research}} Use: {{research-3}}"));
    }

    /** The re-plan of DEDUPE after its test step failed: the code stays, test and review again. */
    private static final List<Step> TEST_AND_REVIEW_AGAIN =
            List.of(
                    step("test-2", "test", List.of("code"), "test it Use: {{code}}"),
                    step("review-2", "review", List.of("code"), "review the code Use: {{code}}"));

    @Test
    void aReplanAfterAFailedTestKeepsTheCodeAndAvoidsEveryUsedId() {
        Task replan =
                planning(
                        DEDUPE,
                        "plan.capabilities",
                        ALL,
                        "plan.used",
                        "code,test,review",
                        "plan.done",
                        "code",
                        "plan.failed",
                        "test");

        assertThat(plan(replan)).containsExactlyElementsOf(TEST_AND_REVIEW_AGAIN);
    }

    @Test
    void aCompletedStepCountsEvenWhenItsCapabilityIsNoLongerOffered() {
        Task replan =
                planning(
                        DEDUPE,
                        "plan.capabilities",
                        "test,review",
                        "plan.used",
                        "code,test,review",
                        "plan.done",
                        "code",
                        "plan.failed",
                        "test");

        assertThat(plan(replan)).containsExactlyElementsOf(TEST_AND_REVIEW_AGAIN);
    }

    @Test
    void aReplanWithNothingLeftToPlanIsOneWriterStepOverTheCompletedOnes() {
        Task replan =
                planning(
                        "Hello there.",
                        "plan.capabilities",
                        "write",
                        "plan.used",
                        "write,write-2",
                        "plan.done",
                        "write",
                        "plan.failed",
                        "write-2");

        assertThat(plan(replan))
                .containsExactly(
                        step("write-3", "write", List.of("write"), "Hello there. Use: {{write}}"));
    }
}
