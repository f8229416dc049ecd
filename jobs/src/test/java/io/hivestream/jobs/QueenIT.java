package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.connectors.loopback.ChatCompletionsServer;
import io.hivestream.schemas.SubtaskResult;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Planner agents at work on a real broker and a MiniCluster: an OpenAI-compatible planner on
 * loopback answers a plan chosen by the task's content, loopback workers do the steps and a
 * loopback synthesizer writes the answer. One plan runs through; one re-plans after its step fails;
 * one gets two malformed plans and fails with both reasons, no worker called.
 */
class QueenIT extends KafkaJobCase {
    static ChatCompletionsServer provider;

    private static final String NOTES_PLAN =
            "{\"steps\": [{\"id\": \"facts\", \"role\": \"researcher\", \"capabilities\":"
                    + " [\"research\"], \"input\": \"List the changes.\"}, {\"id\": \"draft\","
                    + " \"role\": \"writer\", \"capabilities\": [\"write\"], \"dependsOn\":"
                    + " [\"facts\"], \"input\": \"Write notes from {{facts}}\"}]}";

    private static final String FLAKY_PLAN =
            "{\"steps\": [{\"id\": \"fetch\", \"role\": \"researcher\", \"capabilities\":"
                    + " [\"fetch\"], \"input\": \"Fetch the feed.\"}]}";

    private static final String FLAKY_REPLAN =
            "{\"steps\": [{\"id\": \"mirror\", \"role\": \"researcher\", \"capabilities\":"
                    + " [\"research\"], \"input\": \"Fetch the feed from the mirror.\"}]}";

    /** The provider: planner, workers and synthesizer, each answering by the request's text. */
    private static String answer(String user) {
        if (user.startsWith("Task: ") && user.contains("Capabilities available")) {
            if (user.contains("release notes")) {
                return NOTES_PLAN;
            }
            if (user.contains("flaky feed")) {
                return user.contains("failed:") ? FLAKY_REPLAN : FLAKY_PLAN;
            }
            return user.contains("Your previous plan was refused")
                    ? "{\"steps\": [{\"id\": \"a\", \"role\": \"r\", \"capabilities\":"
                            + " [\"research\"], \"dependsOn\": [\"b\"], \"input\": \"x\"},"
                            + " {\"id\": \"b\", \"role\": \"r\", \"capabilities\": [\"research\"],"
                            + " \"dependsOn\": [\"a\"], \"input\": \"y\"}]}"
                    : "I would rather not plan this.";
        }
        if (user.startsWith("Task: ") && user.contains("Outputs of the steps:")) {
            return user.contains("release notes") ? "FINAL NOTES" : "FINAL FEED";
        }
        if (user.startsWith("List the changes.")) {
            return "changes: A, B";
        }
        if (user.startsWith("Write notes from changes: A, B")) {
            return "NOTES";
        }
        if (user.startsWith("Fetch the feed from the mirror.")) {
            return "mirror data";
        }
        return "unexpected: " + user;
    }

    @BeforeAll
    static void startProvider() throws Exception {
        provider = new ChatCompletionsServer(QueenIT::answer, user -> 5);
    }

    @AfterAll
    static void stopProvider() {
        if (provider != null) {
            provider.close();
        }
    }

    @Test
    void plannerAgentsPlanWorkersRunSynthesizersAnswerAndAFailedStepIsReplanned(
            @TempDir Path checkpoints) throws Exception {
        fixture.register(provider.agent("planner-1", "plan").build());
        fixture.register(provider.agent("researcher-1", "research").build());
        fixture.register(provider.agent("writer-1", "write").build());
        fixture.register(provider.agent("synth-1", "synthesize").build());
        fixture.register(
                Agents.simulated("fetcher-1", List.of("fetch"), 0.001, "errorRate", "1.0"));
        fixture.register(Agents.simulated("m-1", List.of("math"), 0.001));
        Configuration conf = fixture.jobConf(checkpoints, false, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(
                env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());
        JobClient job = env.executeAsync("queen-it");
        List<String> roots = List.of("notes", "flaky", "bad");
        try {
            // Once a plain task is answered, the route stage knows the agents.
            fixture.sendJson(
                    KafkaJobFixture.TASKS,
                    "warm",
                    "{\"taskId\":\"warm\",\"kind\":\"math\",\"input\":\"What is 6 * 7?\"}");
            await().pollInterval(Duration.ofMillis(300))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> !fixture.results().isEmpty());
            fixture.sendJson(
                    KafkaJobFixture.TASKS,
                    "notes",
                    "{\"taskId\":\"notes\",\"strategy\":\"DECOMPOSE\","
                            + "\"input\":\"Write the release notes for version 2.\"}");
            fixture.sendJson(
                    KafkaJobFixture.TASKS,
                    "flaky",
                    "{\"taskId\":\"flaky\",\"strategy\":\"DECOMPOSE\","
                            + "\"input\":\"Summarise the flaky feed.\"}");
            fixture.sendJson(
                    KafkaJobFixture.TASKS,
                    "bad",
                    "{\"taskId\":\"bad\",\"strategy\":\"DECOMPOSE\","
                            + "\"input\":\"Plan something impossible.\"}");
            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofMinutes(3))
                    .until(
                            () ->
                                    fixture.results().stream()
                                            .map(TaskResult::getTaskId)
                                            .collect(Collectors.toSet())
                                            .containsAll(roots));
        } finally {
            stop(job);
        }

        Map<String, TaskResult> byId =
                fixture.results().stream()
                        .collect(Collectors.toMap(TaskResult::getTaskId, Function.identity()));

        TaskResult notes = byId.get("notes");
        assertThat(notes.getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(notes.getOutput()).isEqualTo("FINAL NOTES");
        assertThat(notes.getSubtasks())
                .extracting(
                        SubtaskResult::getStep,
                        SubtaskResult::getRole,
                        SubtaskResult::getStatus,
                        SubtaskResult::getAgents,
                        SubtaskResult::getOutput)
                .containsExactly(
                        tuple(
                                "plan-1",
                                "planner",
                                TaskStatus.COMPLETED,
                                List.of("planner-1"),
                                NOTES_PLAN),
                        tuple(
                                "facts",
                                "researcher",
                                TaskStatus.COMPLETED,
                                List.of("researcher-1"),
                                "changes: A, B"),
                        tuple(
                                "draft",
                                "writer",
                                TaskStatus.COMPLETED,
                                List.of("writer-1"),
                                "NOTES"),
                        tuple(
                                "synthesize",
                                "synthesizer",
                                TaskStatus.COMPLETED,
                                List.of("synth-1"),
                                "FINAL NOTES"));
        // Four loopback calls at 0.000018 USD each: the cost of the whole tree.
        assertThat(notes.getCostUsd())
                .isCloseTo(4 * 0.000018, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(notes.getMetadata())
                .containsEntry("plan.planner", "agent")
                .containsEntry("plan.replans", "0")
                .containsEntry("plan.synthesis", "agent");
        for (String step : List.of("notes/plan-1", "notes/facts", "notes/draft")) {
            assertThat(byId.get(step).getStatus()).isEqualTo(TaskStatus.COMPLETED);
        }

        TaskResult flaky = byId.get("flaky");
        assertThat(flaky.getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(flaky.getOutput()).isEqualTo("FINAL FEED");
        assertThat(flaky.getSubtasks())
                .extracting(SubtaskResult::getStep, SubtaskResult::getStatus)
                .containsExactly(
                        tuple("plan-1", TaskStatus.COMPLETED),
                        tuple("replan-1-1", TaskStatus.COMPLETED),
                        tuple("fetch", TaskStatus.FAILED),
                        tuple("mirror", TaskStatus.COMPLETED),
                        tuple("synthesize", TaskStatus.COMPLETED));
        assertThat(flaky.getSubtasks().get(2).getAgents()).isEmpty();
        assertThat(flaky.getSubtasks().get(3).getAgents()).containsExactly("researcher-1");
        assertThat(flaky.getMetadata()).containsEntry("plan.replans", "1");

        TaskResult bad = byId.get("bad");
        assertThat(bad.getStatus()).isEqualTo(TaskStatus.FAILED);
        assertThat(bad.getError())
                .isEqualTo(
                        "no valid plan after 2 answers: the planner's answer is not JSON: it holds"
                                + " no object in braces | then: the steps a, b cannot run: their"
                                + " dependencies form a cycle");
        assertThat(bad.getSubtasks())
                .extracting(SubtaskResult::getStep, SubtaskResult::getStatus)
                .containsExactly(
                        tuple("plan-1", TaskStatus.FAILED), tuple("plan-2", TaskStatus.FAILED));
        // The provider saw the planner twice for it, and no worker.
        assertThat(
                        provider.received().keySet().stream()
                                .filter(user -> user.contains("Plan something impossible"))
                                .count())
                .isEqualTo(2);
        assertThat(provider.received().keySet())
                .noneMatch(user -> user.startsWith("unexpected") || user.startsWith("x"));
    }
}
