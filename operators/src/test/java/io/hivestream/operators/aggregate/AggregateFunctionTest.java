package io.hivestream.operators.aggregate;

import static io.hivestream.operators.testing.TestRecords.ADMITTED_AT;
import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.Outputs;
import io.hivestream.operators.plan.MergeSynthesizer;
import io.hivestream.operators.plan.PlanValidator;
import io.hivestream.operators.plan.Planner;
import io.hivestream.operators.plan.RolePrompts;
import io.hivestream.operators.plan.TemplatePlanner;
import io.hivestream.operators.testing.Harnesses;
import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.SubtaskResult;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskMetric;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.codec.Codecs;
import io.hivestream.schemas.internal.Analysis;
import io.hivestream.schemas.internal.AnalyzedTask;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class AggregateFunctionTest {
    private static final long NOW = 9_000;
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
    private static final Duration PLAN_TIMEOUT = Duration.ofMinutes(1);

    private static final TaskResult DECIDED =
            TaskResult.newBuilder()
                    .setTaskId("t-1")
                    .setTenant("acme")
                    .setStatus(TaskStatus.COMPLETED)
                    .setOutput("84")
                    .setStrategy(Strategy.CONSENSUS)
                    .setTier(Tier.CLOUD)
                    .setAgents(List.of("a0", "a1"))
                    .setTokensIn(30)
                    .setTokensOut(3)
                    .setCostUsd(0.5)
                    .setLatencyMs(120)
                    .build();

    private static final AnalyzedTask ROOT =
            analyzed(
                    task("r-1", "code", "Write a function that adds two numbers.")
                            .setTenant("acme")
                            .setStrategy(Strategy.DECOMPOSE)
                            .setMetadata(Map.of("lang", "python"))
                            .build(),
                    Analysis.newBuilder()
                            .setComplexity(0.7)
                            .setTier(Tier.CLOUD)
                            .setStrategy(Strategy.DECOMPOSE)
                            .setReplicas(1)
                            .setQuorum(1)
                            .setCapabilities(List.of("code"))
                            .build());

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, TaskResult, AnalyzedTask, TaskResult>
            harness(Planner planner, boolean bounded) throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                new AggregateFunction(
                        planner,
                        new PlanValidator(8, planner.capabilities()),
                        new MergeSynthesizer(),
                        PLAN_TIMEOUT,
                        CLOCK,
                        bounded),
                AggregateFunction::rootOf,
                (AnalyzedTask t) -> t.getTask().getTaskId(),
                Types.STRING);
    }

    private static final Duration RETENTION = Duration.ofMinutes(30);

    /** A stage that remembers task ids for {@link #RETENTION} after their result. */
    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, TaskResult, AnalyzedTask, TaskResult>
            remembering() throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                rememberingStage(),
                AggregateFunction::rootOf,
                (AnalyzedTask t) -> t.getTask().getTaskId(),
                Types.STRING);
    }

    /** The aggregate stage with template plans that remembers task ids for {@link #RETENTION}. */
    private static AggregateFunction rememberingStage() {
        TemplatePlanner planner = new TemplatePlanner();
        return new AggregateFunction(
                planner,
                new PlanValidator(8, planner.capabilities()),
                new MergeSynthesizer(),
                PLAN_TIMEOUT,
                CLOCK,
                false,
                RETENTION,
                "hivestream.tasks");
    }

    private static DeadLetter duplicate(String taskId, String what, byte[] value) {
        return DeadLetter.newBuilder()
                .setTopic("hivestream.tasks")
                .setPartition(-1)
                .setOffset(-1)
                .setTimestamp(NOW)
                .setKey(ByteBuffer.wrap(taskId.getBytes(StandardCharsets.UTF_8)))
                .setValue(ByteBuffer.wrap(value))
                .setStage("aggregate")
                .setReason(
                        "task "
                                + taskId
                                + " already got its result at 1970-01-01T00:00:09Z; a task id gets"
                                + " one result, so "
                                + what
                                + " (publish it with a new id to run it again)")
                .setFailedAt(NOW)
                .build();
    }

    private static <T> List<T> side(
            KeyedTwoInputStreamOperatorTestHarness<String, TaskResult, AnalyzedTask, TaskResult>
                    harness,
            org.apache.flink.util.OutputTag<T> tag) {
        Queue<StreamRecord<T>> records = harness.getSideOutput(tag);
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }

    /** The result a subtask's own stages would give. */
    private static TaskResult subtaskResult(
            String step, TaskStatus status, String output, String agent) {
        return TaskResult.newBuilder()
                .setTaskId("r-1/" + step)
                .setTenant("acme")
                .setKind(step)
                .setStatus(status)
                .setOutput(status == TaskStatus.COMPLETED ? output : null)
                .setError(status == TaskStatus.COMPLETED ? null : output)
                .setAgents(status == TaskStatus.COMPLETED ? List.of(agent) : List.of())
                .setTokensIn(10)
                .setTokensOut(2)
                .setCostUsd(0.01)
                .setLatencyMs(40)
                .setParentId("r-1")
                .setRootId("r-1")
                .build();
    }

    private static List<String> released(List<Task> subtasks) {
        return subtasks.stream().map(Task::getTaskId).toList();
    }

    @Test
    void theResultIsStampedAndItsTaskMetricEmittedWithoutKeepingState() throws Exception {
        try (var harness = harness(new TemplatePlanner(), false)) {
            harness.processElement1(DECIDED, 0);

            assertThat(harness.extractOutputValues())
                    .containsExactly(TaskResult.newBuilder(DECIDED).setCompletedAt(NOW).build());
            assertThat(side(harness, Outputs.METRICS))
                    .containsExactly(
                            Metric.newBuilder()
                                    .setKind(MetricKind.TASK)
                                    .setTimestamp(NOW)
                                    .setTaskId("t-1")
                                    .setTenant("acme")
                                    .setTask(
                                            TaskMetric.newBuilder()
                                                    .setStatus(TaskStatus.COMPLETED)
                                                    .setStrategy(Strategy.CONSENSUS)
                                                    .setTier(Tier.CLOUD)
                                                    .setLatencyMs(120)
                                                    .setCostUsd(0.5)
                                                    .setTokensIn(30)
                                                    .setTokensOut(3)
                                                    .setAnswers(0)
                                                    .build())
                                    .build());
            assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
        }
    }

    @Test
    void aResultIsKeyedByItsRootOrItself() {
        assertThat(AggregateFunction.rootOf(DECIDED)).isEqualTo("t-1");
        assertThat(AggregateFunction.rootOf(TaskResult.newBuilder(DECIDED).setRootId("r").build()))
                .isEqualTo("r");
    }

    @Test
    void aPlanReleasesEachStepWhenItsDependenciesAreDoneAndEndsWithTheSynthesis() throws Exception {
        try (var harness = harness(new TemplatePlanner(), false)) {
            harness.processElement2(ROOT, 0);

            List<Task> subtasks = side(harness, AggregateFunction.SUBTASKS);
            assertThat(subtasks)
                    .containsExactly(
                            Task.newBuilder()
                                    .setTaskId("r-1/architect")
                                    .setTenant("acme")
                                    .setKind("design")
                                    .setInput(
                                            "Design the solution: its components, their interfaces"
                                                    + " and the data that flows between them.\n\n"
                                                    + "Task: Write a function that adds two numbers.")
                                    .setCapabilities(List.of("design"))
                                    .setStrategy(Strategy.DIRECT)
                                    .setDeadline(NOW + PLAN_TIMEOUT.toMillis())
                                    .setMetadata(
                                            Map.of(
                                                    "lang",
                                                    "python",
                                                    "plan.step",
                                                    "architect",
                                                    RolePrompts.SYSTEM,
                                                    RolePrompts.builtIn().of("architect")))
                                    .setParentId("r-1")
                                    .setRootId("r-1")
                                    .setRole("architect")
                                    .setCreatedAt(NOW)
                                    .build());
            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(1);
            assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

            harness.processElement1(
                    subtaskResult("architect", TaskStatus.COMPLETED, "two modules", "arch-1"), 0);

            subtasks = side(harness, AggregateFunction.SUBTASKS);
            assertThat(released(subtasks)).containsExactly("r-1/architect", "r-1/coder");
            Task coder = subtasks.get(1);
            assertThat(coder.getInput())
                    .isEqualTo(
                            "Write the code that implements the design.\n\n"
                                    + "Task: Write a function that adds two numbers.\n\n"
                                    + "Results of earlier steps:\n"
                                    + "[architect] two modules");
            assertThat(coder.getMetadata())
                    .isEqualTo(
                            Map.of(
                                    "lang",
                                    "python",
                                    "plan.step",
                                    "coder",
                                    "context.architect",
                                    "two modules",
                                    RolePrompts.SYSTEM,
                                    RolePrompts.builtIn().of("coder")));

            harness.processElement1(
                    subtaskResult("coder", TaskStatus.COMPLETED, "def add(a, b)", "coder-1"), 0);
            assertThat(released(side(harness, AggregateFunction.SUBTASKS)))
                    .containsExactly("r-1/architect", "r-1/coder", "r-1/tester", "r-1/documenter");

            harness.processElement1(
                    subtaskResult("tester", TaskStatus.COMPLETED, "2 tests pass", "tester-1"), 0);
            assertThat(side(harness, AggregateFunction.SUBTASKS)).hasSize(4);
            harness.processElement1(
                    subtaskResult("documenter", TaskStatus.COMPLETED, "usage: add(1, 2)", "docs-1"),
                    0);
            assertThat(released(side(harness, AggregateFunction.SUBTASKS)))
                    .endsWith("r-1/reviewer")
                    .hasSize(5);
            harness.processElement1(
                    subtaskResult("reviewer", TaskStatus.COMPLETED, "approved", "rev-1"), 0);

            List<TaskResult> results = harness.extractOutputValues();
            // Every subtask's own result, then the root's.
            assertThat(results)
                    .extracting(TaskResult::getTaskId)
                    .containsExactly(
                            "r-1/architect",
                            "r-1/coder",
                            "r-1/tester",
                            "r-1/documenter",
                            "r-1/reviewer",
                            "r-1");
            TaskResult root = results.get(5);
            assertThat(root.getStatus()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(root.getStrategy()).isEqualTo(Strategy.DECOMPOSE);
            assertThat(root.getOutput())
                    .isEqualTo(
                            "[architect] two modules\n\n[coder] def add(a, b)\n\n[tester] 2 tests pass\n\n"
                                    + "[documenter] usage: add(1, 2)\n\n[reviewer] approved");
            assertThat(root.getError()).isNull();
            assertThat(root.getAgents())
                    .containsExactly("arch-1", "coder-1", "tester-1", "docs-1", "rev-1");
            assertThat(root.getTokensIn()).isEqualTo(50);
            assertThat(root.getCostUsd())
                    .isEqualTo(0.05, org.assertj.core.api.Assertions.within(1e-12));
            assertThat(root.getLatencyMs()).isEqualTo(NOW - ADMITTED_AT);
            assertThat(root.getCompletedAt()).isEqualTo(NOW);
            assertThat(root.getSubtasks())
                    .extracting(
                            SubtaskResult::getStep,
                            SubtaskResult::getStatus,
                            SubtaskResult::getDependsOn)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(
                                    "architect", TaskStatus.COMPLETED, List.of()),
                            org.assertj.core.groups.Tuple.tuple(
                                    "coder", TaskStatus.COMPLETED, List.of("architect")),
                            org.assertj.core.groups.Tuple.tuple(
                                    "tester", TaskStatus.COMPLETED, List.of("coder")),
                            org.assertj.core.groups.Tuple.tuple(
                                    "documenter",
                                    TaskStatus.COMPLETED,
                                    List.of("architect", "coder")),
                            org.assertj.core.groups.Tuple.tuple(
                                    "reviewer",
                                    TaskStatus.COMPLETED,
                                    List.of("coder", "tester", "documenter")));
            assertThat(side(harness, Outputs.METRICS))
                    .extracting(Metric::getTaskId)
                    .containsExactly(
                            "r-1/architect",
                            "r-1/coder",
                            "r-1/tester",
                            "r-1/documenter",
                            "r-1/reviewer",
                            "r-1");
            assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
            assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
            assertThat(harness.numEventTimeTimers()).isEqualTo(0);
        }
    }

    @Test
    void aFailedSubtaskEndsThePlanWithWhatCompleted() throws Exception {
        try (var harness = harness(new TemplatePlanner(), false)) {
            harness.processElement2(ROOT, 0);
            harness.processElement1(
                    subtaskResult("architect", TaskStatus.COMPLETED, "two modules", "arch-1"), 0);
            harness.processElement1(
                    subtaskResult("coder", TaskStatus.FAILED, "every agent failed", "coder-1"), 0);

            TaskResult root = harness.extractOutputValues().get(2);
            assertThat(root.getTaskId()).isEqualTo("r-1");
            assertThat(root.getStatus()).isEqualTo(TaskStatus.FAILED);
            assertThat(root.getError())
                    .isEqualTo("subtask coder (coder) ended FAILED: every agent failed");
            assertThat(root.getOutput()).isNull();
            assertThat(root.getSubtasks())
                    .extracting(
                            SubtaskResult::getStep,
                            SubtaskResult::getStatus,
                            SubtaskResult::getOutput)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(
                                    "architect", TaskStatus.COMPLETED, "two modules"),
                            org.assertj.core.groups.Tuple.tuple("coder", TaskStatus.FAILED, null),
                            org.assertj.core.groups.Tuple.tuple(
                                    "tester", TaskStatus.CANCELLED, null),
                            org.assertj.core.groups.Tuple.tuple(
                                    "documenter", TaskStatus.CANCELLED, null),
                            org.assertj.core.groups.Tuple.tuple(
                                    "reviewer", TaskStatus.CANCELLED, null));
            assertThat(root.getMetadata())
                    .containsExactlyInAnyOrderEntriesOf(
                            Map.of(
                                    "plan.planner",
                                    "template",
                                    "plan.replans",
                                    "0",
                                    "plan.cancelled",
                                    "tester,documenter,reviewer"));
            assertThat(released(side(harness, AggregateFunction.SUBTASKS)))
                    .containsExactly("r-1/architect", "r-1/coder");
            assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
            assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);

            // A subtask finishing after its plan ended still gets its own result, and no state.
            harness.processElement1(
                    subtaskResult("tester", TaskStatus.COMPLETED, "late", "tester-1"), 0);

            assertThat(harness.extractOutputValues())
                    .extracting(TaskResult::getTaskId)
                    .endsWith("r-1/tester");
            assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
        }
    }

    @Test
    void theDeadlineEndsThePlanPartialWithWhatCompleted() throws Exception {
        try (var harness = harness(new TemplatePlanner(), false)) {
            harness.processElement2(ROOT, 0);
            harness.processElement1(
                    subtaskResult("architect", TaskStatus.COMPLETED, "two modules", "arch-1"), 0);

            harness.setProcessingTime(NOW + PLAN_TIMEOUT.toMillis());

            TaskResult root = harness.extractOutputValues().get(1);
            assertThat(root.getStatus()).isEqualTo(TaskStatus.PARTIAL);
            assertThat(root.getOutput()).isEqualTo("[architect] two modules");
            assertThat(root.getError())
                    .isEqualTo("the deadline passed with 1 of 5 subtasks completed");
            assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
            assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
        }
    }

    @Test
    void theRootTasksOwnDeadlineWinsAndNothingCompletedTimesOut() throws Exception {
        AnalyzedTask withDeadline =
                AnalyzedTask.newBuilder(ROOT)
                        .setTask(Task.newBuilder(ROOT.getTask()).setDeadline(NOW + 500).build())
                        .build();
        try (var harness = harness(new TemplatePlanner(), false)) {
            harness.processElement2(withDeadline, 0);
            assertThat(side(harness, AggregateFunction.SUBTASKS).get(0).getDeadline())
                    .isEqualTo(NOW + 500);

            harness.setProcessingTime(NOW + 500);

            TaskResult root = harness.extractOutputValues().get(0);
            assertThat(root.getStatus()).isEqualTo(TaskStatus.TIMED_OUT);
            assertThat(root.getOutput()).isNull();
            assertThat(root.getError())
                    .isEqualTo("the deadline passed with 0 of 5 subtasks completed");
            assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
        }
    }

    @Test
    void theEndOfABoundedInputEndsRunningPlans() throws Exception {
        try (var harness = harness(new TemplatePlanner(), true)) {
            harness.processElement2(ROOT, 0);
            assertThat(harness.numEventTimeTimers()).isEqualTo(1);

            harness.processBothWatermarks(new Watermark(Long.MAX_VALUE));

            TaskResult root = harness.extractOutputValues().get(0);
            assertThat(root.getStatus()).isEqualTo(TaskStatus.TIMED_OUT);
            assertThat(root.getError()).isEqualTo("the input ended with 0 of 5 subtasks completed");
            assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
            assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
            assertThat(harness.numEventTimeTimers()).isEqualTo(0);
        }
    }

    @Test
    void anInvalidPlanFailsTheRootWithoutKeepingState() throws Exception {
        Planner cyclic =
                new Planner() {
                    @Override
                    public List<Step> plan(Task task) {
                        return List.of(
                                new Step("a", "r", "k", List.of("x"), List.of("b"), "do a"),
                                new Step("b", "r", "k", List.of("teleport"), List.of("a"), "do b"));
                    }

                    @Override
                    public Set<String> capabilities() {
                        return Set.of("x");
                    }
                };
        try (var harness = harness(cyclic, false)) {
            harness.processElement2(ROOT, 0);

            TaskResult root = harness.extractOutputValues().get(0);
            assertThat(root.getStatus()).isEqualTo(TaskStatus.FAILED);
            assertThat(root.getError())
                    .isEqualTo(
                            "no valid plan: step 'b' asks for capability 'teleport', which no agent offers; the steps"
                                    + " a, b cannot run: their dependencies form a cycle");
            assertThat(side(harness, AggregateFunction.SUBTASKS)).isEmpty();
            assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(0);
            assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
        }
    }

    @Test
    void aTaskPublishedTwiceGetsOneResultAndADeadLetterUntilTheRetentionEnds() throws Exception {
        try (var harness = remembering()) {
            harness.setStateTtlProcessingTime(NOW);
            harness.processElement1(DECIDED, 0);
            assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(1);
            assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);

            TaskResult again = TaskResult.newBuilder(DECIDED).setOutput("85").build();
            harness.processElement1(again, 0);

            assertThat(harness.extractOutputValues())
                    .containsExactly(TaskResult.newBuilder(DECIDED).setCompletedAt(NOW).build());
            assertThat(side(harness, Outputs.DEAD_LETTERS))
                    .containsExactly(
                            duplicate(
                                    "t-1",
                                    "a second result (COMPLETED) is dropped",
                                    Codecs.TASK_RESULT.encodeAvro(again)));
            assertThat(side(harness, Outputs.METRICS)).hasSize(1);

            harness.setStateTtlProcessingTime(NOW + RETENTION.toMillis() - 1);
            harness.processElement1(again, 0);
            assertThat(harness.extractOutputValues()).hasSize(1);
            assertThat(side(harness, Outputs.DEAD_LETTERS)).hasSize(2);

            // After the retention the id is forgotten: the task id may have a result again.
            harness.setStateTtlProcessingTime(NOW + RETENTION.toMillis());
            harness.processElement1(again, 0);
            assertThat(harness.extractOutputValues())
                    .containsExactly(
                            TaskResult.newBuilder(DECIDED).setCompletedAt(NOW).build(),
                            TaskResult.newBuilder(again).setCompletedAt(NOW).build());
            assertThat(side(harness, Outputs.DEAD_LETTERS)).hasSize(2);
            assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
        }
    }

    /** What an earlier version kept: the ids in {@code finished}, without a TTL. */
    private static final class EarlierFinished
            extends org.apache.flink.streaming.api.functions.KeyedProcessFunction<
                    String, TaskResult, TaskResult> {
        private transient org.apache.flink.api.common.state.MapState<String, Long> finished;

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext context) {
            finished =
                    getRuntimeContext()
                            .getMapState(
                                    new org.apache.flink.api.common.state.MapStateDescriptor<>(
                                            "finished", Types.STRING, Types.LONG));
        }

        @Override
        public void processElement(
                TaskResult result, Context ctx, org.apache.flink.util.Collector<TaskResult> out)
                throws Exception {
            finished.put(result.getTaskId(), NOW);
        }
    }

    @Test
    void idsRememberedWithoutATtlByAnEarlierVersionAreStillRememberedAfterARestore()
            throws Exception {
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState earlier;
        try (var old =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new EarlierFinished(), AggregateFunction::rootOf, Types.STRING)) {
            old.processElement(DECIDED, 0);
            earlier = old.snapshot(1, 0);
        }
        try (var harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator<>(
                                rememberingStage()),
                        AggregateFunction::rootOf,
                        (AnalyzedTask t) -> t.getTask().getTaskId(),
                        Types.STRING)) {
            harness.setStateTtlProcessingTime(NOW);
            harness.initializeState(earlier);
            harness.open();

            harness.processElement1(DECIDED, 0);
            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(side(harness, Outputs.DEAD_LETTERS))
                    .containsExactly(
                            duplicate(
                                    "t-1",
                                    "a second result (COMPLETED) is dropped",
                                    Codecs.TASK_RESULT.encodeAvro(DECIDED)));

            // The retention of a restored id counts from the restore.
            harness.setStateTtlProcessingTime(NOW + RETENTION.toMillis() - 1);
            harness.processElement1(DECIDED, 0);
            assertThat(harness.extractOutputValues()).isEmpty();
            harness.setStateTtlProcessingTime(NOW + RETENTION.toMillis());
            harness.processElement1(DECIDED, 0);
            assertThat(harness.extractOutputValues())
                    .containsExactly(TaskResult.newBuilder(DECIDED).setCompletedAt(NOW).build());
        }
    }

    @Test
    void aRootReplayedAfterItsPlanEndedIsNotPlannedAgain() throws Exception {
        try (var harness = remembering()) {
            harness.processElement2(ROOT, 0);
            harness.processElement1(
                    subtaskResult("architect", TaskStatus.COMPLETED, "two modules", "arch-1"), 0);
            harness.setProcessingTime(NOW + PLAN_TIMEOUT.toMillis());
            assertThat(harness.extractOutputValues())
                    .extracting(TaskResult::getTaskId, TaskResult::getStatus)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(
                                    "r-1/architect", TaskStatus.COMPLETED),
                            org.assertj.core.groups.Tuple.tuple("r-1", TaskStatus.PARTIAL));
            // The coder step was running: it is told that its plan no longer needs it.
            assertThat(released(side(harness, AggregateFunction.SUBTASKS)))
                    .containsExactly("r-1/architect", "r-1/coder", "r-1/coder/cancel");

            // The root again (a replay upstream, a resubmission), and the same step's result again.
            harness.processElement2(ROOT, 0);
            harness.processElement1(
                    subtaskResult("architect", TaskStatus.COMPLETED, "three modules", "arch-2"), 0);
            // A step released before the end still gets its own, first, result.
            harness.processElement1(
                    subtaskResult("coder", TaskStatus.COMPLETED, "def add(a, b)", "coder-1"), 0);

            assertThat(harness.extractOutputValues())
                    .extracting(TaskResult::getTaskId)
                    .containsExactly("r-1/architect", "r-1", "r-1/coder");
            assertThat(released(side(harness, AggregateFunction.SUBTASKS)))
                    .containsExactly("r-1/architect", "r-1/coder", "r-1/coder/cancel");
            assertThat(side(harness, Outputs.DEAD_LETTERS))
                    .containsExactly(
                            duplicate(
                                    "r-1",
                                    "it is not planned again",
                                    Codecs.TASK.encodeAvro(ROOT.getTask())),
                            duplicate(
                                    "r-1/architect",
                                    "a second result (COMPLETED) is dropped",
                                    Codecs.TASK_RESULT.encodeAvro(
                                            subtaskResult(
                                                    "architect",
                                                    TaskStatus.COMPLETED,
                                                    "three modules",
                                                    "arch-2"))));

            // Only the ids are left, without a timer each: their TTL removes them.
            assertThat(harness.numProcessingTimeTimers()).isEqualTo(0);
            harness.setStateTtlProcessingTime(NOW + RETENTION.toMillis());
            harness.processElement1(
                    subtaskResult("architect", TaskStatus.COMPLETED, "four modules", "arch-3"), 0);
            assertThat(harness.extractOutputValues())
                    .extracting(TaskResult::getTaskId)
                    .containsExactly("r-1/architect", "r-1", "r-1/coder", "r-1/architect");
        }
    }

    @Test
    void aReplayedRootWhilePlanningIsIgnored() throws Exception {
        try (var harness = harness(new TemplatePlanner(), false)) {
            harness.processElement2(ROOT, 0);
            harness.processElement2(ROOT, 0);

            assertThat(side(harness, AggregateFunction.SUBTASKS)).hasSize(1);
            assertThat(harness.extractOutputValues()).isEmpty();
        }
    }
}
