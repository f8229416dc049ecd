package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.operators.plan.RolePrompts;
import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.SubtaskResult;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.codec.Codecs;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plans and votes through the whole running job, on a real broker and a MiniCluster: a plan of five
 * subtasks whose steps depend on each other goes round through the tasks topic and ends with its
 * synthesis; a plan whose second step fails ends FAILED with what completed; votes among four
 * agents of which one is faulty end with the honest answer.
 */
class PlanIT extends KafkaJobCase {
    /**
     * The honest voters' latency: far above the time between a vote's replicas starting, so that
     * the faulty voter, answering at once, is always among the answers the vote is decided on.
     */
    private static final String HONEST_MS = "300";

    private static final Set<String> EXPECTED =
            Set.of(
                    "plan-ok",
                    "plan-ok/architect",
                    "plan-ok/coder",
                    "plan-ok/tester",
                    "plan-ok/documenter",
                    "plan-ok/reviewer",
                    "plan-fail",
                    "plan-fail/analyst",
                    "plan-fail/writer",
                    "vote-cls",
                    "vote-num");

    private static final String ARCHITECT =
            "simulated design reply to: Design the solution: its components, their interfaces and"
                    + " the data that flows b…";
    private static final String CODER =
            "simulated code reply to: Write the code that implements the design.\n\n"
                    + "Task: Write a function that adds tw…";
    private static final String TESTER =
            "simulated test reply to: Write tests for the code and say what they find.\n\n"
                    + "Task: Write a function that a…";
    private static final String DOCUMENTER =
            "simulated docs reply to: Document how to use the code.\n\n"
                    + "Task: Write a function that adds two numbers.\n\nR…";
    private static final String REVIEWER =
            "simulated review reply to: Review the code, its tests and its documentation; list"
                    + " what must change.\n\nTask:…";

    @Test
    void plansGoRoundThroughTheTasksTopicAndFaultyVotersLoseTheVote(@TempDir Path checkpoints)
            throws Exception {
        for (AgentEvent agent :
                List.of(
                        Agents.simulated("arch-1", List.of("design"), 0.001),
                        Agents.simulated("coder-1", List.of("code"), 0.001),
                        Agents.simulated("tester-1", List.of("test"), 0.001),
                        Agents.simulated("docs-1", List.of("docs"), 0.001),
                        Agents.simulated("rev-1", List.of("review"), 0.001),
                        Agents.simulated("analyst-1", List.of("analyse"), 0.001),
                        Agents.simulated("writer-1", List.of("write"), 0.001, "errorRate", "1.0"),
                        Agents.simulated(
                                "cls-a", List.of("classify"), 0.001, "latencyMs", HONEST_MS),
                        Agents.simulated(
                                "cls-b", List.of("classify"), 0.001, "latencyMs", HONEST_MS),
                        Agents.simulated(
                                "cls-c", List.of("classify"), 0.001, "latencyMs", HONEST_MS),
                        // The faulty agents answer at once and the honest ones after HONEST_MS, so
                        // every vote sees all four answers: three honest ones would decide it.
                        Agents.simulated(
                                "cls-byz",
                                List.of("classify"),
                                0.002,
                                "mode",
                                "collude",
                                "latencyMs",
                                "0"),
                        Agents.simulated("m-a", List.of("math"), 0.001, "latencyMs", HONEST_MS),
                        Agents.simulated("m-b", List.of("math"), 0.001, "latencyMs", HONEST_MS),
                        Agents.simulated("m-c", List.of("math"), 0.001, "latencyMs", HONEST_MS),
                        Agents.simulated(
                                "m-byz",
                                List.of("math"),
                                0.002,
                                "mode",
                                "wrong",
                                "latencyMs",
                                "0"))) {
            fixture.register(agent);
        }
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "plan-ok",
                "{\"taskId\":\"plan-ok\",\"kind\":\"code\",\"strategy\":\"DECOMPOSE\","
                        + "\"input\":\"Write a function that adds two numbers.\"}");
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "plan-fail",
                "{\"taskId\":\"plan-fail\",\"kind\":\"chat\",\"strategy\":\"DECOMPOSE\","
                        + "\"input\":\"Explain why the tides rise and fall twice a day.\"}");
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "vote-cls",
                "{\"taskId\":\"vote-cls\",\"kind\":\"classify\",\"replicas\":4,\"quorum\":3,"
                        + "\"input\":\"I need a refund for a double charge\","
                        + "\"metadata\":{\"labels\":\"billing,shipping,technical\","
                        + "\"label.billing\":\"charge charged refund invoice payment\","
                        + "\"label.shipping\":\"delivery package shipped arrive\","
                        + "\"label.technical\":\"error crash login bug app\"}}");
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "vote-num",
                "{\"taskId\":\"vote-num\",\"kind\":\"math\",\"replicas\":4,"
                        + "\"input\":\"Compute 2^10 - 24\",\"metadata\":{\"vote\":\"numeric\"}}");

        // The templates plan here (planner agents: QueenIT).
        org.apache.flink.configuration.Configuration conf =
                fixture.jobConf(checkpoints, false, false);
        conf.set(HivestreamOptions.PLAN_PLANNER, "template");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(
                env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());
        JobClient job = env.executeAsync("plan-it");
        AtomicReference<List<TaskResult>> seen = new AtomicReference<>(List.of());
        try {
            await().atMost(Duration.ofMinutes(4))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(
                            () -> {
                                seen.set(fixture.results());
                                return seen.get().stream()
                                        .map(TaskResult::getTaskId)
                                        .collect(Collectors.toSet())
                                        .containsAll(EXPECTED);
                            });
        } finally {
            stop(job);
        }

        List<TaskResult> results = seen.get();
        assertThat(results)
                .extracting(TaskResult::getTaskId)
                .containsExactlyInAnyOrderElementsOf(EXPECTED);
        Map<String, TaskResult> byId =
                results.stream()
                        .collect(Collectors.toMap(TaskResult::getTaskId, Function.identity()));

        TaskResult plan = byId.get("plan-ok");
        assertThat(plan.getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(plan.getStrategy()).isEqualTo(Strategy.DECOMPOSE);
        assertThat(plan.getOutput())
                .isEqualTo(
                        "[architect] "
                                + ARCHITECT
                                + "\n\n[coder] "
                                + CODER
                                + "\n\n[tester] "
                                + TESTER
                                + "\n\n[documenter] "
                                + DOCUMENTER
                                + "\n\n[reviewer] "
                                + REVIEWER);
        assertThat(plan.getAgents())
                .containsExactly("arch-1", "coder-1", "tester-1", "docs-1", "rev-1");
        assertThat(plan.getSubtasks())
                .extracting(
                        SubtaskResult::getTaskId,
                        SubtaskResult::getRole,
                        SubtaskResult::getStatus,
                        SubtaskResult::getOutput,
                        SubtaskResult::getDependsOn)
                .containsExactly(
                        tuple(
                                "plan-ok/architect",
                                "architect",
                                TaskStatus.COMPLETED,
                                ARCHITECT,
                                List.of()),
                        tuple(
                                "plan-ok/coder",
                                "coder",
                                TaskStatus.COMPLETED,
                                CODER,
                                List.of("architect")),
                        tuple(
                                "plan-ok/tester",
                                "tester",
                                TaskStatus.COMPLETED,
                                TESTER,
                                List.of("coder")),
                        tuple(
                                "plan-ok/documenter",
                                "documenter",
                                TaskStatus.COMPLETED,
                                DOCUMENTER,
                                List.of("architect", "coder")),
                        tuple(
                                "plan-ok/reviewer",
                                "reviewer",
                                TaskStatus.COMPLETED,
                                REVIEWER,
                                List.of("coder", "tester", "documenter")));
        for (String step : List.of("architect", "coder", "tester", "documenter", "reviewer")) {
            TaskResult subtask = byId.get("plan-ok/" + step);
            assertThat(subtask.getStatus()).as(step).isEqualTo(TaskStatus.COMPLETED);
            assertThat(subtask.getParentId()).as(step).isEqualTo("plan-ok");
            assertThat(subtask.getRootId()).as(step).isEqualTo("plan-ok");
        }

        // The reviewer was released last, with its three dependencies' results as context.
        Map<String, Task> subtasks =
                fixture.read(KafkaJobFixture.TASKS).stream()
                        .map(r -> Codecs.TASK.decode(r.value()))
                        .filter(t -> t.getParentId() != null)
                        .collect(Collectors.toMap(Task::getTaskId, Function.identity()));
        assertThat(subtasks.keySet())
                .containsExactlyInAnyOrder(
                        "plan-ok/architect",
                        "plan-ok/coder",
                        "plan-ok/tester",
                        "plan-ok/documenter",
                        "plan-ok/reviewer",
                        "plan-fail/analyst",
                        "plan-fail/writer");
        Task reviewer = subtasks.get("plan-ok/reviewer");
        assertThat(reviewer.getRole()).isEqualTo("reviewer");
        assertThat(reviewer.getCapabilities()).containsExactly("review");
        assertThat(reviewer.getInput())
                .isEqualTo(
                        "Review the code, its tests and its documentation; list what must change.\n\n"
                                + "Task: Write a function that adds two numbers.\n\n"
                                + "Results of earlier steps:\n"
                                + "[coder] "
                                + CODER
                                + "\n[tester] "
                                + TESTER
                                + "\n[documenter] "
                                + DOCUMENTER);
        assertThat(reviewer.getMetadata())
                .isEqualTo(
                        Map.of(
                                "plan.step", "reviewer",
                                "context.coder", CODER,
                                "context.tester", TESTER,
                                "context.documenter", DOCUMENTER,
                                "role.system", RolePrompts.builtIn().of("reviewer")));

        TaskResult failed = byId.get("plan-fail");
        assertThat(failed.getStatus()).isEqualTo(TaskStatus.FAILED);
        assertThat(failed.getError())
                .isEqualTo(
                        "subtask writer (writer) ended FAILED: writer-1: simulated failure of"
                                + " writer-1 (error rate 1.0)");
        assertThat(failed.getOutput()).isNull();
        assertThat(failed.getSubtasks())
                .extracting(
                        SubtaskResult::getStep, SubtaskResult::getStatus, SubtaskResult::getOutput)
                .containsExactly(
                        tuple(
                                "analyst",
                                TaskStatus.COMPLETED,
                                "simulated analyse reply to: Restate the task and list what a"
                                        + " complete answer needs.\n\nTask: Explain why the …"),
                        tuple("writer", TaskStatus.FAILED, null),
                        tuple("fact-checker", TaskStatus.CANCELLED, null),
                        tuple("critic", TaskStatus.CANCELLED, null),
                        tuple("editor", TaskStatus.CANCELLED, null));
        assertThat(failed.getMetadata())
                .containsEntry("plan.cancelled", "fact-checker,critic,editor");

        TaskResult classified = byId.get("vote-cls");
        assertThat(classified.getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(classified.getOutput()).isEqualTo("billing");
        assertThat(classified.getVote()).isEqualTo("exact");
        assertThat(classified.getAgreement()).isEqualTo(0.75);
        assertThat(classified.getAgents()).containsExactly("cls-a", "cls-b", "cls-c");
        assertThat(classified.getAnswers())
                .extracting(
                        AgentAnswer::getAgentId,
                        AgentAnswer::getOutput,
                        AgentAnswer::getAgreed,
                        AgentAnswer::getReason)
                .containsExactly(
                        tuple("cls-a", "billing", true, null),
                        tuple("cls-b", "billing", true, null),
                        tuple("cls-c", "billing", true, null),
                        tuple(
                                "cls-byz",
                                "colluded answer",
                                false,
                                "'colluded answer' differs from the winner 'billing'"));

        TaskResult computed = byId.get("vote-num");
        assertThat(computed.getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(computed.getOutput()).isEqualTo("1000");
        assertThat(computed.getVote()).isEqualTo("numeric");
        assertThat(computed.getAgents()).containsExactly("m-a", "m-b", "m-c");
        assertThat(computed.getAnswers())
                .extracting(AgentAnswer::getAgentId, AgentAnswer::getAgreed, AgentAnswer::getReason)
                .containsExactly(
                        tuple("m-a", true, null),
                        tuple("m-b", true, null),
                        tuple("m-c", true, null),
                        tuple("m-byz", false, "1001 is 1 from the median 1000 (tolerance 0)"));

        List<Metric> reputations =
                fixture.metrics().stream()
                        .filter(m -> m.getKind() == MetricKind.REPUTATION)
                        .toList();
        assertThat(reputations)
                .extracting(
                        Metric::getTaskId, Metric::getAgentId, m -> m.getReputation().getAgreed())
                .containsExactlyInAnyOrder(
                        tuple("vote-cls", "cls-a", true),
                        tuple("vote-cls", "cls-b", true),
                        tuple("vote-cls", "cls-c", true),
                        tuple("vote-cls", "cls-byz", false),
                        tuple("vote-num", "m-a", true),
                        tuple("vote-num", "m-b", true),
                        tuple("vote-num", "m-c", true),
                        tuple("vote-num", "m-byz", false));
    }
}
