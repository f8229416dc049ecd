package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.RoutingExample;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import java.nio.charset.StandardCharsets;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Labelled routing examples written by the running job, on a real broker and a MiniCluster: an
 * unsure EDGE answer that escalates is a CLOUD example, a CLOUD task's vote that the EDGE agents
 * matched is an EDGE example, and nothing else is.
 */
class RoutingExamplesIT extends KafkaJobCase {
    private static String classify(String id, String difficulty, String extra) {
        return "{\"taskId\":\""
                + id
                + "\",\"kind\":\"classify\",\"tier\":\"EDGE\","
                + "\"input\":\"I was charged twice for my order.\","
                + "\"metadata\":{\"difficulty\":\""
                + difficulty
                + "\",\"labels\":\"billing,shipping,technical\","
                + "\"label.billing\":\"charge charged refund invoice payment\","
                + "\"label.shipping\":\"delivery package shipped arrive\","
                + "\"label.technical\":\"error crash login bug app\""
                + extra
                + "}}";
    }

    /** A vote of three math agents on a task sent to the CLOUD tier. */
    private static String vote(String id, String input, String difficulty, int quorum) {
        return "{\"taskId\":\""
                + id
                + "\",\"kind\":\"math\",\"tier\":\"CLOUD\",\"replicas\":3,\"quorum\":"
                + quorum
                + ",\"input\":\""
                + input
                + "\",\"metadata\":{\"difficulty\":\""
                + difficulty
                + "\"}}";
    }

    @Test
    void escalationsAndMatchedVotesAreTheOnlyExamples(@TempDir Path checkpoints) throws Exception {
        for (AgentEvent agent :
                List.of(
                        Agents.unsureOnHard("edge-cls", "classify"),
                        Agents.cloud("cloud-cls", "classify"),
                        Agents.unsureOnHard("edge-math-1", "math"),
                        Agents.unsureOnHard("edge-math-2", "math"),
                        Agents.cloud("cloud-math", "math"))) {
            fixture.register(agent);
        }
        fixture.send(
                KafkaJobFixture.AGENTS, null, "x", "not an agent".getBytes(StandardCharsets.UTF_8));

        Configuration conf = fixture.jobConf(checkpoints, false, false);
        conf.set(HivestreamOptions.ROUTE_EXAMPLES, true);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(
                env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());
        JobClient job = env.executeAsync("routing-examples-it");
        // The registry is read before any task is published: its last record's dead letter says so.
        await().pollInterval(Duration.ofMillis(200))
                .atMost(Duration.ofMinutes(2))
                .until(() -> fixture.deadLetters().size() == 1);

        // Sure and right: no escalation.
        fixture.sendJson(KafkaJobFixture.TASKS, "easy", classify("easy", "0", ""));
        // Unsure: escalates, and the CLOUD answer stands.
        fixture.sendJson(KafkaJobFixture.TASKS, "hard", classify("hard", "1", ""));
        // Unsure, but over the task's own lower threshold: no escalation.
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "hard-low-bar",
                classify("hard-low-bar", "1", ",\"cascadeThreshold\":\"0.2\""));
        // Every agent agrees, the two EDGE agents with the CLOUD one.
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "vote-matched",
                vote("vote-matched", "What is 2 + 3?", "0", 3));
        // The EDGE agents agree on a wrong answer: the CLOUD agent does not match them.
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "vote-edge-wrong",
                vote("vote-edge-wrong", "What is 12 * (3 + 4)?", "1", 2));

        await().pollInterval(Duration.ofMillis(300))
                .atMost(Duration.ofMinutes(3))
                .until(
                        () ->
                                fixture.results().size() >= 5
                                        && fixture.examples().size() >= 2
                                        && fixture.metrics().stream()
                                                        .filter(m -> m.getKind() == MetricKind.TASK)
                                                        .count()
                                                >= 5);
        stop(job);

        Map<String, TaskResult> results =
                fixture.results().stream()
                        .collect(Collectors.toMap(TaskResult::getTaskId, Function.identity()));
        assertThat(results).hasSize(5);
        assertThat(results.get("hard").getMetadata()).containsEntry("cascade", "escalated");
        assertThat(results.get("vote-matched").getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(results.get("vote-matched").getAgreement()).isEqualTo(1.0);

        List<RoutingExample> examples = fixture.examples();
        assertThat(examples).hasSize(2);
        Map<String, RoutingExample> byId =
                examples.stream()
                        .collect(Collectors.toMap(RoutingExample::getTaskId, Function.identity()));

        RoutingExample hard = byId.get("hard");
        assertThat(hard.getLabel()).isEqualTo(Tier.CLOUD);
        assertThat(hard.getEvidence()).isEqualTo("cascade-escalated");
        assertThat(hard.getInput()).isEqualTo("I was charged twice for my order.");
        assertThat(hard.getKind()).isEqualTo("classify");
        assertThat(hard.getTenant()).isEqualTo("default");
        assertThat(hard.getTier()).isEqualTo(Tier.EDGE);
        assertThat(hard.getComplexity()).isEqualTo(results.get("hard").getComplexity());
        assertThat(hard.getAnalyzer()).isEqualTo("onnx-static");
        assertThat(hard.getSimulated()).isTrue();
        assertThat(hard.getCreatedAt()).isPositive();

        RoutingExample matched = byId.get("vote-matched");
        assertThat(matched.getLabel()).isEqualTo(Tier.EDGE);
        assertThat(matched.getEvidence()).isEqualTo("edge-matched-vote");
        assertThat(matched.getInput()).isEqualTo("What is 2 + 3?");
        assertThat(matched.getKind()).isEqualTo("math");
        assertThat(matched.getTier()).isEqualTo(Tier.CLOUD);
        assertThat(matched.getComplexity()).isEqualTo(results.get("vote-matched").getComplexity());
    }
}
