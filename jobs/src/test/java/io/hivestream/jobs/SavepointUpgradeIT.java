package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.SubtaskResult;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upgrade by savepoint: the job stops with a savepoint, a changed job (one more operator) starts
 * from it, every session still remembers its earlier turn, and a plan made by a planner agent,
 * stopped after its first step, finishes with exactly one result for the root and for each of its
 * subtasks (the planner's, the steps', the synthesizer's).
 */
class SavepointUpgradeIT extends KafkaJobCase {
    private static JobClient startJob(Configuration conf, UnaryOperator<DataStream<Task>> change)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(env, conf, new AgentRuntimes(), Clock.systemUTC(), change);
        return env.executeAsync("savepoint-upgrade-it");
    }

    /** The plan's subtasks: the simulated planner's plan of the task's text, then the synthesis. */
    private static final List<String> SUBTASKS =
            List.of("plan-1", "code", "test", "review", "synthesize");

    private static final String PLANNED =
            "Implement a function that adds two numbers. Then test it and review it.";

    @Test
    void sessionMemoryAndPlansInProgressSurviveAStopWithSavepointAndAChangedJob(
            @TempDir Path checkpoints, @TempDir Path savepoints) throws Exception {
        AgentEvent agent = Agents.simulated("chat-1", List.of("chat"), 0.0, "memory", "true");
        fixture.register(agent);
        // The plan's workers are slow enough that its later steps are still waiting when the
        // savepoint is taken, just after the first step's result is visible.
        for (String capability : List.of("code", "test", "review")) {
            fixture.register(
                    Agents.simulated(
                            capability + "-1", List.of(capability), 0.001, "latencyMs", "1500"));
        }
        fixture.register(Agents.simulated("planner-1", List.of("plan"), 0.001));
        fixture.register(Agents.simulated("synth-1", List.of("synthesize"), 0.001));
        int sessions = 6;
        JobClient v1 =
                startJob(fixture.jobConf(checkpoints, false, true), UnaryOperator.identity());
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "plan",
                "{\"taskId\":\"plan\",\"kind\":\"code\",\"strategy\":\"DECOMPOSE\","
                        + "\"input\":\""
                        + PLANNED
                        + "\"}");
        for (int s = 0; s < sessions; s++) {
            turn("a-" + s, "s-" + s, "hello from session " + s);
        }
        await().pollInterval(Duration.ofMillis(300))
                .atMost(Duration.ofMinutes(2))
                .until(
                        () -> {
                            Set<String> ids = ids(fixture.results());
                            return ids.contains("plan/code")
                                    && IntStream.range(0, sessions)
                                            .allMatch(s -> ids.contains("a-" + s));
                        });
        String savepoint =
                v1.stopWithSavepoint(
                                false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get();
        // The job is stopped: what it wrote is all there is. The plan is mid-way.
        Set<String> beforeUpgrade = ids(fixture.results());
        assertThat(beforeUpgrade)
                .contains("plan/plan-1", "plan/code")
                .doesNotContain("plan", "plan/review", "plan/synthesize");

        Configuration v2conf = fixture.jobConf(checkpoints, false, true);
        v2conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        JobClient v2 =
                startJob(
                        v2conf,
                        tasks ->
                                tasks.map(task -> task, new AvroTypeInfo<>(Task.class))
                                        .uid("v2-added-step")
                                        .name("added in v2"));
        try {
            for (int s = 0; s < sessions; s++) {
                turn("b-" + s, "s-" + s, "and again from session " + s);
            }
            await().pollInterval(Duration.ofMillis(300))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> fixture.results().size() >= 2 * sessions + 1 + SUBTASKS.size());
        } finally {
            stop(v2);
        }

        List<TaskResult> results = fixture.results();
        Map<String, Long> counts =
                results.stream()
                        .collect(
                                Collectors.groupingBy(
                                        TaskResult::getTaskId, Collectors.counting()));
        assertThat(counts).hasSize(2 * sessions + 1 + SUBTASKS.size());
        assertThat(counts.values()).allMatch(c -> c == 1L);
        Map<String, TaskResult> byId =
                results.stream()
                        .collect(Collectors.toMap(TaskResult::getTaskId, Function.identity()));
        TaskResult plan = byId.get("plan");
        assertThat(plan.getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(plan.getSubtasks())
                .extracting(SubtaskResult::getTaskId, SubtaskResult::getStatus)
                .containsExactlyElementsOf(
                        SUBTASKS.stream()
                                .map(step -> tuple("plan/" + step, TaskStatus.COMPLETED))
                                .toList());
        assertThat(plan.getMetadata()).containsEntry("plan.planner", "agent");
        // The simulated synthesizer's answer: the task, then each step's output in plan order.
        StringBuilder synthesis = new StringBuilder("Answer to: " + PLANNED);
        for (String step : List.of("code", "test", "review")) {
            TaskResult subtask = byId.get("plan/" + step);
            assertThat(subtask.getStatus()).as(step).isEqualTo(TaskStatus.COMPLETED);
            assertThat(subtask.getOutput()).as(step).startsWith("simulated ");
            assertThat(subtask.getParentId()).as(step).isEqualTo("plan");
            synthesis.append("\n- ").append(subtask.getOutput());
        }
        assertThat(plan.getOutput()).isEqualTo(synthesis.toString());

        Map<String, String> outputs =
                results.stream()
                        .filter(r -> r.getSessionId() != null)
                        .collect(Collectors.toMap(TaskResult::getTaskId, TaskResult::getOutput));
        assertThat(outputs).hasSize(2 * sessions);
        for (int s = 0; s < sessions; s++) {
            assertThat(outputs.get("a-" + s))
                    .isEqualTo("[turn 1] simulated chat reply to: hello from session " + s);
            assertThat(outputs.get("b-" + s))
                    .isEqualTo("[turn 2] simulated chat reply to: and again from session " + s);
        }
    }

    private static Set<String> ids(List<TaskResult> results) {
        return results.stream().map(TaskResult::getTaskId).collect(Collectors.toSet());
    }

    private static void turn(String taskId, String session, String input) throws Exception {
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                session,
                "{\"taskId\":\""
                        + taskId
                        + "\",\"sessionId\":\""
                        + session
                        + "\",\"input\":\""
                        + input
                        + "\"}");
    }
}
