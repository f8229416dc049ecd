package io.hivestream.operators.aggregate;

import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.hivestream.operators.plan.MergeSynthesizer;
import io.hivestream.operators.plan.PlanSettings;
import io.hivestream.operators.plan.PlanValidator;
import io.hivestream.operators.plan.Plans;
import io.hivestream.operators.plan.RolePrompts;
import io.hivestream.operators.plan.TemplatePlanner;
import io.hivestream.operators.testing.Harnesses;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.SubtaskResult;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.Analysis;
import io.hivestream.schemas.internal.AnalyzedTask;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** Plans made by planner agents: asked again once, re-planned, cancelled and synthesised. */
class AgentPlanTest {
    private static final long NOW = 9_000;
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);

    private static final AnalyzedTask ROOT =
            analyzed(
                    task("r-1", "chat", "Find the facts, then write the answer.")
                            .setTenant("acme")
                            .setStrategy(Strategy.DECOMPOSE)
                            .setMetadata(
                                    Map.of(RolePrompts.CATALOG, "plan,research,synthesize,write"))
                            .build(),
                    Analysis.newBuilder()
                            .setComplexity(0.7)
                            .setTier(Tier.CLOUD)
                            .setStrategy(Strategy.DECOMPOSE)
                            .setReplicas(1)
                            .setQuorum(1)
                            .setCapabilities(List.of())
                            .build());

    private static final String GOOD_PLAN =
            "{\"steps\": [{\"id\": \"facts\", \"role\": \"researcher\", \"capabilities\":"
                    + " [\"research\"], \"input\": \"Find the facts.\"}, {\"id\": \"answer\","
                    + " \"role\": \"writer\", \"capabilities\": [\"write\"], \"dependsOn\":"
                    + " [\"facts\"], \"input\": \"Write the answer from {{facts}}\"}]}";

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, TaskResult, AnalyzedTask, TaskResult>
            harness(PlanSettings.Mode mode) throws Exception {
        TemplatePlanner templates = new TemplatePlanner();
        return ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                new AggregateFunction(
                        templates,
                        new PlanValidator(8, templates.capabilities()),
                        new MergeSynthesizer(),
                        new PlanSettings(
                                mode,
                                1,
                                RolePrompts.builtIn(),
                                PlanSettings.DEFAULT_MAX_INPUT_CHARS),
                        Duration.ofMinutes(1),
                        CLOCK,
                        false,
                        Duration.ZERO,
                        "hivestream.tasks"),
                AggregateFunction::rootOf,
                (AnalyzedTask t) -> t.getTask().getTaskId(),
                Types.STRING);
    }

    private static List<Task> sent(
            KeyedTwoInputStreamOperatorTestHarness<String, TaskResult, AnalyzedTask, TaskResult>
                    harness) {
        Queue<StreamRecord<Task>> records = harness.getSideOutput(AggregateFunction.SUBTASKS);
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }

    private static TaskResult answer(String id, TaskStatus status, String output, double cost) {
        return TaskResult.newBuilder()
                .setTaskId("r-1/" + id)
                .setTenant("acme")
                .setStatus(status)
                .setOutput(status == TaskStatus.COMPLETED ? output : null)
                .setError(status == TaskStatus.COMPLETED ? null : output)
                .setAgents(status == TaskStatus.COMPLETED ? List.of(id + "-agent") : List.of())
                .setCostUsd(cost)
                .setParentId("r-1")
                .setRootId("r-1")
                .build();
    }

    /**
     * The root's result after the planner answered twice: both answers refused, no worker released,
     * the task failed and its state gone.
     */
    private static TaskResult twoAnswers(
            KeyedTwoInputStreamOperatorTestHarness<String, TaskResult, AnalyzedTask, TaskResult>
                    harness,
            String first,
            String second)
            throws Exception {
        harness.processElement2(ROOT, 0);
        harness.processElement1(answer("plan-1", TaskStatus.COMPLETED, first, 0.01), 0);
        harness.processElement1(answer("plan-2", TaskStatus.COMPLETED, second, 0.01), 0);
        assertThat(sent(harness))
                .extracting(Task::getTaskId)
                .containsExactly("r-1/plan-1", "r-1/plan-2");
        TaskResult root = harness.extractOutputValues().get(2);
        assertThat(root.getStatus()).isEqualTo(TaskStatus.FAILED);
        assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
        return root;
    }

    @Test
    void aRefusedPlanIsAskedForAgainWithItsReasonsThenTheStepsRunAndAnAgentSynthesises()
            throws Exception {
        try (var harness = harness(PlanSettings.Mode.AUTO)) {
            harness.processElement2(ROOT, 0);

            Task first = sent(harness).get(0);
            assertThat(first.getTaskId()).isEqualTo("r-1/plan-1");
            assertThat(first.getRole()).isEqualTo("planner");
            assertThat(first.getCapabilities()).containsExactly("plan");
            assertThat(first.getInput())
                    .isEqualTo(
                            "Task: Find the facts, then write the answer.\n\n"
                                    + "Capabilities available: plan, research, synthesize,"
                                    + " write.");
            assertThat(first.getMetadata())
                    .containsEntry(RolePrompts.SYSTEM, RolePrompts.builtIn().of("planner"))
                    .containsEntry(RolePrompts.CATALOG, "plan,research,synthesize,write")
                    .containsEntry(Plans.TASK, "Find the facts, then write the answer.");

            // A cycle and a capability nobody offers: asked once more, with both reasons.
            harness.processElement1(
                    answer(
                            "plan-1",
                            TaskStatus.COMPLETED,
                            "{\"steps\": [{\"id\": \"a\", \"role\": \"r\", \"capabilities\":"
                                    + " [\"fly\"], \"dependsOn\": [\"a\"], \"input\": \"x\"}]}",
                            0.01),
                    0);
            Task second = sent(harness).get(1);
            assertThat(second.getTaskId()).isEqualTo("r-1/plan-2");
            assertThat(second.getInput())
                    .endsWith(
                            "Your previous plan was refused: step 'a' asks for capability 'fly',"
                                    + " which no agent offers; step 'a' depends on itself. Answer"
                                    + " again with a plan that has none of these problems.");

            harness.processElement1(answer("plan-2", TaskStatus.COMPLETED, GOOD_PLAN, 0.01), 0);
            assertThat(sent(harness)).extracting(Task::getTaskId).endsWith("r-1/facts");
            Task facts = sent(harness).get(2);
            assertThat(facts.getRole()).isEqualTo("researcher");
            assertThat(facts.getMetadata())
                    .containsEntry(RolePrompts.SYSTEM, RolePrompts.builtIn().of("researcher"))
                    .doesNotContainKey(RolePrompts.CATALOG);

            harness.processElement1(answer("facts", TaskStatus.COMPLETED, "water is wet", 0.1), 0);
            Task write = sent(harness).get(3);
            assertThat(write.getInput())
                    .isEqualTo(
                            "Write the answer from water is wet\n\n"
                                    + "Task: Find the facts, then write the answer.");

            harness.processElement1(
                    answer("answer", TaskStatus.COMPLETED, "Water is wet.", 0.2), 0);
            Task synthesis = sent(harness).get(4);
            assertThat(synthesis.getTaskId()).isEqualTo("r-1/synthesize");
            assertThat(synthesis.getCapabilities()).containsExactly("synthesize");
            assertThat(synthesis.getInput())
                    .isEqualTo(
                            "Task: Find the facts, then write the answer.\n\n"
                                    + "Outputs of the steps:\n"
                                    + "[facts] (researcher) water is wet\n"
                                    + "[answer] (writer) Water is wet.");

            harness.processElement1(
                    answer("synthesize", TaskStatus.COMPLETED, "Wet, as water is.", 0.05), 0);
            TaskResult root = harness.extractOutputValues().get(5);
            assertThat(root.getTaskId()).isEqualTo("r-1");
            assertThat(root.getStatus()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(root.getOutput()).isEqualTo("Wet, as water is.");
            assertThat(root.getCostUsd())
                    .isCloseTo(0.37, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(root.getAgents()).containsExactly("facts-agent", "answer-agent");
            assertThat(root.getSubtasks())
                    .extracting(
                            SubtaskResult::getStep,
                            SubtaskResult::getRole,
                            SubtaskResult::getStatus)
                    .containsExactly(
                            tuple("plan-1", "planner", TaskStatus.FAILED),
                            tuple("plan-2", "planner", TaskStatus.COMPLETED),
                            tuple("facts", "researcher", TaskStatus.COMPLETED),
                            tuple("answer", "writer", TaskStatus.COMPLETED),
                            tuple("synthesize", "synthesizer", TaskStatus.COMPLETED));
            assertThat(root.getSubtasks().get(0).getError())
                    .isEqualTo(
                            "plan refused: step 'a' asks for capability 'fly', which no agent"
                                    + " offers; step 'a' depends on itself");
            assertThat(root.getMetadata())
                    .containsExactlyInAnyOrderEntriesOf(
                            Map.of(
                                    "plan.planner", "agent",
                                    "plan.replans", "0",
                                    "plan.synthesis", "agent"));
            assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
        }
    }

    @Test
    void aSecondRefusedPlanFailsTheTaskWithEveryReasonAndNoWorkerIsCalled() throws Exception {
        try (var harness = harness(PlanSettings.Mode.AGENT)) {
            TaskResult root = twoAnswers(harness, "Sure! First research.", "{\"steps\": []}");
            assertThat(root.getError())
                    .isEqualTo(
                            "no valid plan after 2 answers: the planner's answer is not JSON: it"
                                    + " holds no object in braces | then: the plan has no steps");
            assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
        }
    }

    @Test
    void aFailedStepIsReplannedWithItsReasonAndTheRunningStepsAreCancelled() throws Exception {
        try (var harness = harness(PlanSettings.Mode.AUTO)) {
            harness.processElement2(ROOT, 0);
            harness.processElement1(
                    answer(
                            "plan-1",
                            TaskStatus.COMPLETED,
                            "{\"steps\": [{\"id\": \"f1\", \"role\": \"researcher\","
                                    + " \"capabilities\": [\"research\"], \"input\": \"a\"},"
                                    + " {\"id\": \"f2\", \"role\": \"researcher\","
                                    + " \"capabilities\": [\"research\"], \"input\": \"b\"},"
                                    + " {\"id\": \"w\", \"role\": \"writer\", \"capabilities\":"
                                    + " [\"write\"], \"dependsOn\": [\"f1\", \"f2\"], \"input\":"
                                    + " \"c\"}]}",
                            0.01),
                    0);
            harness.processElement1(answer("f1", TaskStatus.COMPLETED, "one", 0.1), 0);
            harness.processElement1(answer("f2", TaskStatus.FAILED, "source offline", 0), 0);

            List<Task> sent = sent(harness);
            assertThat(sent)
                    .extracting(Task::getTaskId)
                    .containsExactly("r-1/plan-1", "r-1/f1", "r-1/f2", "r-1/replan-1-1");
            Task replan = sent.get(3);
            assertThat(replan.getMetadata())
                    .containsEntry(Plans.DONE, "f1")
                    .containsEntry(Plans.FAILED, "f2")
                    .containsEntry(Plans.USED, "plan-1,f1,f2,w");
            assertThat(replan.getInput())
                    .isEqualTo(
                            "Task: Find the facts, then write the answer.\n\n"
                                    + "Capabilities available: plan, research, synthesize,"
                                    + " write.\n"
                                    + "Step ids already used (choose others): plan-1, f1, f2, w."
                                    + "\n\nCompleted steps (new steps may depend on them and"
                                    + " quote them with {{ID}}):\n[f1] (researcher) one\n\n"
                                    + "Step 'f2' (researcher) failed: source offline\n"
                                    + "Plan only the work that remains, with new steps; do not"
                                    + " repeat the completed ones.");

            harness.processElement1(
                    answer(
                            "replan-1-1",
                            TaskStatus.COMPLETED,
                            "{\"steps\": [{\"id\": \"w2\", \"role\": \"writer\","
                                    + " \"capabilities\": [\"write\"], \"dependsOn\": [\"f1\"],"
                                    + " \"input\": \"write from {{f1}}\"}]}",
                            0.01),
                    0);
            assertThat(sent(harness)).extracting(Task::getTaskId).endsWith("r-1/w2");

            // The new step fails too, and no re-plan is left: the plan ends.
            harness.processElement1(answer("w2", TaskStatus.FAILED, "timed out", 0), 0);
            TaskResult root = harness.extractOutputValues().get(5);
            assertThat(root.getStatus()).isEqualTo(TaskStatus.FAILED);
            assertThat(root.getError()).isEqualTo("subtask w2 (writer) ended FAILED: timed out");
            assertThat(root.getSubtasks())
                    .extracting(SubtaskResult::getStep, SubtaskResult::getStatus)
                    .containsExactly(
                            tuple("plan-1", TaskStatus.COMPLETED),
                            tuple("replan-1-1", TaskStatus.COMPLETED),
                            tuple("f1", TaskStatus.COMPLETED),
                            tuple("f2", TaskStatus.FAILED),
                            tuple("w", TaskStatus.CANCELLED),
                            tuple("w2", TaskStatus.FAILED));
            assertThat(root.getMetadata())
                    .containsEntry("plan.replans", "1")
                    .containsEntry("plan.cancelled", "w");
        }
    }

    @Test
    void aPlanThatTimesOutCancelsItsRunningStepsThroughTheTasksTopic() throws Exception {
        try (var harness = harness(PlanSettings.Mode.AUTO)) {
            harness.processElement2(ROOT, 0);
            harness.processElement1(answer("plan-1", TaskStatus.COMPLETED, GOOD_PLAN, 0.01), 0);
            harness.setProcessingTime(NOW + Duration.ofMinutes(1).toMillis());

            List<Task> sent = sent(harness);
            assertThat(sent)
                    .extracting(Task::getTaskId)
                    .containsExactly("r-1/plan-1", "r-1/facts", "r-1/facts/cancel");
            Task cancel = sent.get(2);
            assertThat(cancel.getRootId()).isEqualTo("r-1");
            assertThat(cancel.getMetadata())
                    .containsExactlyInAnyOrderEntriesOf(
                            Map.of(
                                    "plan.cancel",
                                    "r-1/facts",
                                    "plan.cancel.reason",
                                    "plan r-1 ended TIMED_OUT: the deadline passed with 0 of 2"
                                            + " subtasks completed"));
            TaskResult root = harness.extractOutputValues().get(1);
            assertThat(root.getStatus()).isEqualTo(TaskStatus.TIMED_OUT);
            assertThat(root.getMetadata()).containsEntry("plan.cancelled", "facts,answer");
        }
    }

    @Test
    void anUnknownCapabilityThenFiftyStepsFailTheTaskWithEachReason() throws Exception {
        StringBuilder fifty = new StringBuilder("{\"steps\": [");
        for (int i = 0; i < 50; i++) {
            fifty.append(i == 0 ? "" : ", ")
                    .append("{\"id\": \"s")
                    .append(i)
                    .append("\", \"role\": \"writer\", \"capabilities\": [\"write\"],")
                    .append(" \"input\": \"part ")
                    .append(i)
                    .append("\"}");
        }
        fifty.append("]}");
        try (var harness = harness(PlanSettings.Mode.AUTO)) {
            TaskResult root =
                    twoAnswers(
                            harness,
                            "{\"steps\": [{\"id\": \"a\", \"role\": \"pilot\","
                                    + " \"capabilities\": [\"fly\"], \"input\": \"x\"}]}",
                            fifty.toString());
            assertThat(root.getError())
                    .isEqualTo(
                            "no valid plan after 2 answers: step 'a' asks for capability 'fly',"
                                    + " which no agent offers | then: the plan has 50 steps; at"
                                    + " most 8");
        }
    }

    @Test
    void aTaskWhoseBudgetThePlanningSpentStartsNoStep() throws Exception {
        AnalyzedTask root =
                AnalyzedTask.newBuilder(ROOT)
                        .setTask(Task.newBuilder(ROOT.getTask()).setBudgetUsd(0.01).build())
                        .build();
        try (var harness = harness(PlanSettings.Mode.AUTO)) {
            harness.processElement2(root, 0);
            harness.processElement1(answer("plan-1", TaskStatus.COMPLETED, GOOD_PLAN, 0.02), 0);

            assertThat(sent(harness)).extracting(Task::getTaskId).containsExactly("r-1/plan-1");
            TaskResult result = harness.extractOutputValues().get(1);
            assertThat(result.getStatus()).isEqualTo(TaskStatus.FAILED);
            assertThat(result.getError())
                    .isEqualTo(
                            "the task's budget of $0.010000 is spent ($0.020000 so far): no step"
                                    + " starts");
        }
    }

    @Test
    void aPlanOfOneStepAnswersWithItsOutputWithoutASynthesis() throws Exception {
        try (var harness = harness(PlanSettings.Mode.AUTO)) {
            harness.processElement2(ROOT, 0);
            harness.processElement1(
                    answer(
                            "plan-1",
                            TaskStatus.COMPLETED,
                            "{\"steps\": [{\"id\": \"only\", \"role\": \"writer\","
                                    + " \"capabilities\": [\"write\"], \"input\": \"Do it.\"}]}",
                            0.01),
                    0);
            harness.processElement1(answer("only", TaskStatus.COMPLETED, "Done.", 0.1), 0);

            assertThat(sent(harness))
                    .extracting(Task::getTaskId)
                    .containsExactly("r-1/plan-1", "r-1/only");
            TaskResult root = harness.extractOutputValues().get(2);
            assertThat(root.getStatus()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(root.getOutput()).isEqualTo("Done.");
            assertThat(root.getMetadata())
                    .containsEntry(
                            "plan.synthesis", "none: a plan of one step answers with its output");
        }
    }

    @Test
    void withoutAPlannerAgentTheTemplatesPlanAndTheMergeAnswers() throws Exception {
        AnalyzedTask root =
                AnalyzedTask.newBuilder(ROOT)
                        .setTask(
                                Task.newBuilder(ROOT.getTask())
                                        .setMetadata(Map.of(RolePrompts.CATALOG, "analyse,write"))
                                        .build())
                        .build();
        try (var harness = harness(PlanSettings.Mode.AUTO)) {
            harness.processElement2(root, 0);

            assertThat(sent(harness)).extracting(Task::getTaskId).containsExactly("r-1/analyst");
        }
    }
}
