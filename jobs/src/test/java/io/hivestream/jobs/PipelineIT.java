package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.codec.Codecs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tasks of every kind and several garbage records through the whole job, on a real broker and a
 * MiniCluster, with restarts switched off: a failure anywhere fails the test.
 */
class PipelineIT extends KafkaJobCase {
    private static final String CLASSIFY_LABELS = "billing,shipping,technical";

    private static String classify(String id, String input, int replicas) {
        return "{\"taskId\":\""
                + id
                + "\",\"kind\":\"classify\",\"input\":\""
                + input
                + "\",\"replicas\":"
                + replicas
                + ",\"metadata\":{\"labels\":\""
                + CLASSIFY_LABELS
                + "\","
                + "\"label.billing\":\"charge charged refund invoice payment\","
                + "\"label.shipping\":\"delivery package shipped arrive\","
                + "\"label.technical\":\"error crash login bug app\"}}";
    }

    @Test
    void theExecuteStageIsChainedToTheRouteStage(@TempDir Path checkpoints) throws Exception {
        Configuration conf = fixture.jobConf(checkpoints, false, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(
                env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());

        // One task runs both: a request passes from one to the other as an object, not as bytes.
        assertThat(env.getStreamGraph(false).getJobGraph().getVertices())
                .extracting(JobVertex::getName)
                .filteredOn(name -> name.contains("execute"))
                .containsExactly("route -> execute");
    }

    @Test
    void everyTaskGetsExactlyOneResultAndEveryBadRecordADeadLetter(@TempDir Path checkpoints)
            throws Exception {
        for (AgentEvent agent :
                List.of(
                        Agents.simulated("cls-a", List.of("classify"), 0.001, "latencyMs", "400"),
                        Agents.simulated("cls-b", List.of("classify"), 0.001, "latencyMs", "400"),
                        // The faulty agents answer at once and the honest ones 400 ms later, so
                        // that the vote closes on the third reply and the result lists every
                        // answer.
                        Agents.simulated(
                                "cls-byz",
                                List.of("classify"),
                                0.002,
                                "mode",
                                "wrong",
                                "latencyMs",
                                "0"),
                        Agents.simulated("m-a", List.of("math"), 0.001, "latencyMs", "400"),
                        Agents.simulated("m-b", List.of("math"), 0.001, "latencyMs", "400"),
                        Agents.simulated(
                                "m-collude",
                                List.of("math"),
                                0.002,
                                "mode",
                                "collude",
                                "latencyMs",
                                "0"),
                        Agents.simulated("s-honest", List.of("arith-split"), 0.0),
                        Agents.simulated("s-wrong", List.of("arith-split"), 0.0, "mode", "wrong"),
                        Agents.simulated(
                                "s-collude", List.of("arith-split"), 0.0, "mode", "collude"),
                        Agents.simulated("sum-1", List.of("summarize"), 0.0),
                        Agents.simulated("chat-1", List.of("chat"), 0.0),
                        Agents.simulated("flaky-1", List.of("flaky"), 0.0, "errorRate", "1.0"),
                        Agents.simulated("fb-a", List.of("fb"), 0.0, "errorRate", "1.0"),
                        Agents.simulated("fb-b", List.of("fb"), 0.001),
                        AgentEvent.newBuilder(
                                        Agents.simulated("acme-only", List.of("private"), 0.0))
                                .setTenants(List.of("acme"))
                                .build())) {
            fixture.register(agent);
        }
        RecordMetadata badAgent =
                fixture.send(
                        KafkaJobFixture.AGENTS,
                        null,
                        "x",
                        "not an agent".getBytes(StandardCharsets.UTF_8));

        // The registry is read before any task is published, so no task meets a partial one: the
        // dead letter of the last agents-topic record shows every agent before it is known.
        Configuration conf = fixture.jobConf(checkpoints, false, false);
        conf.set(HivestreamOptions.AGENT_WAIT, Duration.ofSeconds(2));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(
                env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());
        JobClient job = env.executeAsync("pipeline-it");
        await().pollInterval(Duration.ofMillis(200))
                .atMost(Duration.ofMinutes(2))
                .until(() -> fixture.deadLetters().size() == 1);

        // The expected outcome of each task: status and output (or error).
        Map<String, String[]> expected = new LinkedHashMap<>();
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "c1",
                classify("c1", "I was charged twice for my order.", 1));
        expected.put("c1", new String[] {"COMPLETED", "billing"});
        fixture.sendJson(
                KafkaJobFixture.TASKS, "c2", classify("c2", "My package did not arrive", 1));
        expected.put("c2", new String[] {"COMPLETED", "shipping"});
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "c3",
                classify("c3", "The app shows an error when I log in", 1));
        expected.put("c3", new String[] {"COMPLETED", "technical"});
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "cc1",
                classify("cc1", "I need a refund for a double charge", 3));
        expected.put("cc1", new String[] {"COMPLETED", "billing"});
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "m1",
                "{\"taskId\":\"m1\",\"kind\":\"math\",\"input\":\"What is 12 * (3 + 4)?\"}");
        expected.put("m1", new String[] {"COMPLETED", "84"});
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "mc1",
                "{\"taskId\":\"mc1\",\"kind\":\"math\",\"input\":\"Compute 2^10 - 24\",\"replicas\":3}");
        expected.put("mc1", new String[] {"COMPLETED", "1000"});
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "split1",
                "{\"taskId\":\"split1\",\"kind\":\"math\",\"input\":\"What is 7 * 6?\",\"capabilities\":[\"arith-split\"],\"replicas\":3}");
        expected.put(
                "split1",
                new String[] {
                    "NO_CONSENSUS", "no answer reached the quorum of 2 (largest agreement: 1 of 3)"
                });
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "s1",
                "{\"taskId\":\"s1\",\"kind\":\"summarize\",\"input\":\"Hivestream runs agents on Flink. It is fast. It remembers sessions.\"}");
        expected.put("s1", new String[] {"COMPLETED", "Hivestream runs agents on Flink."});
        fixture.sendJson(
                KafkaJobFixture.TASKS, "chat1", "{\"taskId\":\"chat1\",\"input\":\"hello there\"}");
        expected.put("chat1", new String[] {"COMPLETED", "simulated chat reply to: hello there"});
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "nobody",
                "{\"taskId\":\"nobody\",\"input\":\"Bonjour\",\"capabilities\":[\"translate\"]}");
        expected.put(
                "nobody",
                new String[] {
                    "FAILED",
                    "needs an agent with capabilities [translate] for tenant 'default'; 0 registered"
                });
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "flaky1",
                "{\"taskId\":\"flaky1\",\"input\":\"hi\",\"capabilities\":[\"flaky\"]}");
        expected.put(
                "flaky1",
                new String[] {"FAILED", "flaky-1: simulated failure of flaky-1 (error rate 1.0)"});
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "fb1",
                "{\"taskId\":\"fb1\",\"input\":\"fall back please\",\"capabilities\":[\"fb\"]}");
        expected.put(
                "fb1", new String[] {"COMPLETED", "simulated chat reply to: fall back please"});
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "t-acme",
                "{\"taskId\":\"t-acme\",\"tenant\":\"acme\",\"input\":\"secret\",\"capabilities\":[\"private\"]}");
        expected.put("t-acme", new String[] {"COMPLETED", "simulated chat reply to: secret"});
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "t-globex",
                "{\"taskId\":\"t-globex\",\"tenant\":\"globex\",\"input\":\"secret\",\"capabilities\":[\"private\"]}");
        expected.put(
                "t-globex",
                new String[] {
                    "FAILED",
                    "needs an agent with capabilities [private] for tenant 'globex'; 0 registered"
                });
        Task avroTask = Codecs.TASK.fromJson(classify("avro1", "Where is my delivery?", 1));
        fixture.send(KafkaJobFixture.TASKS, null, "avro1", Codecs.TASK.encodeAvro(avroTask));
        expected.put("avro1", new String[] {"COMPLETED", "shipping"});
        RecordMetadata noId =
                fixture.send(
                        KafkaJobFixture.TASKS,
                        0,
                        null,
                        "{\"kind\":\"math\",\"input\":\"1+2\"}".getBytes(StandardCharsets.UTF_8));
        expected.put("hivestream.tasks-0-" + noId.offset(), new String[] {"COMPLETED", "3"});

        byte[] random = new byte[40];
        new Random(42).nextBytes(random);
        random[0] = 0x07;
        RecordMetadata g1 = fixture.send(KafkaJobFixture.TASKS, 0, null, random);
        byte[] avro = Codecs.TASK.encodeAvro(avroTask);
        byte[] truncated = Arrays.copyOf(avro, 20);
        RecordMetadata g2 = fixture.send(KafkaJobFixture.TASKS, 0, null, truncated);
        RecordMetadata g3 =
                fixture.send(
                        KafkaJobFixture.TASKS,
                        0,
                        null,
                        "{\"input\":\"x\",\"replicas\":\"three\"}"
                                .getBytes(StandardCharsets.UTF_8));
        RecordMetadata g4 =
                fixture.send(
                        KafkaJobFixture.TASKS,
                        0,
                        null,
                        "{\"kind\":\"chat\"}".getBytes(StandardCharsets.UTF_8));
        RecordMetadata g5 =
                fixture.send(
                        KafkaJobFixture.TASKS,
                        0,
                        null,
                        "{\"input\":\"x\",\"replicas\":3,\"quorum\":1}"
                                .getBytes(StandardCharsets.UTF_8));

        // Every task is published and answered; dead letters and task metrics are all visible.
        await().pollInterval(Duration.ofMillis(300))
                .atMost(Duration.ofMinutes(3))
                .until(
                        () ->
                                fixture.results().size() >= expected.size()
                                        && fixture.deadLetters().size() >= 6
                                        && fixture.metrics().stream()
                                                        .filter(m -> m.getKind() == MetricKind.TASK)
                                                        .count()
                                                >= expected.size());
        stop(job);

        List<TaskResult> results = fixture.results();
        Map<String, TaskResult> byId =
                results.stream()
                        .collect(Collectors.toMap(TaskResult::getTaskId, Function.identity()));
        assertThat(results).hasSize(expected.size());
        assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, String[]> entry : expected.entrySet()) {
            TaskResult result = byId.get(entry.getKey());
            String[] want = entry.getValue();
            assertThat(result.getStatus())
                    .as(entry.getKey())
                    .isEqualTo(TaskStatus.valueOf(want[0]));
            if (result.getStatus() == TaskStatus.COMPLETED) {
                assertThat(result.getOutput()).as(entry.getKey()).isEqualTo(want[1]);
                assertThat(result.getError()).as(entry.getKey()).isNull();
            } else {
                assertThat(result.getError()).as(entry.getKey()).isEqualTo(want[1]);
            }
        }

        TaskResult c1 = byId.get("c1");
        assertThat(c1.getAgents()).containsExactly("cls-a");
        assertThat(c1.getStrategy()).isEqualTo(Strategy.DIRECT);
        assertThat(c1.getTokensIn()).isEqualTo(9);
        assertThat(c1.getTokensOut()).isEqualTo(2);
        assertThat(c1.getCostUsd()).isCloseTo(0.000013, within(1e-12));
        assertThat(c1.getSimulated()).isTrue();

        TaskResult cc1 = byId.get("cc1");
        assertThat(cc1.getStrategy()).isEqualTo(Strategy.CONSENSUS);
        assertThat(cc1.getAgreement()).isEqualTo(2.0 / 3);
        assertThat(cc1.getAgents()).containsExactly("cls-a", "cls-b");
        assertThat(cc1.getAnswers())
                .extracting(AgentAnswer::getAgentId, AgentAnswer::getOutput, AgentAnswer::getAgreed)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("cls-a", "billing", true),
                        org.assertj.core.groups.Tuple.tuple("cls-b", "billing", true),
                        org.assertj.core.groups.Tuple.tuple("cls-byz", "shipping", false));

        assertThat(byId.get("mc1").getAnswers())
                .extracting(AgentAnswer::getAgentId, AgentAnswer::getOutput)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("m-a", "1000"),
                        org.assertj.core.groups.Tuple.tuple("m-b", "1000"),
                        org.assertj.core.groups.Tuple.tuple("m-collude", "colluded answer"));
        assertThat(byId.get("split1").getAgreement()).isEqualTo(1.0 / 3);
        assertThat(byId.get("split1").getAnswers())
                .extracting(AgentAnswer::getOutput)
                .containsExactly("colluded answer", "42", "43");
        assertThat(byId.get("fb1").getAgents()).containsExactly("fb-b");
        assertThat(byId.get("fb1").getAnswers().get(0).getAttempts()).isEqualTo(4);

        List<DeadLetter> dead = fixture.deadLetters();
        Map<Long, DeadLetter> deadByOffset =
                dead.stream()
                        .filter(d -> d.getTopic().equals(KafkaJobFixture.TASKS))
                        .collect(Collectors.toMap(DeadLetter::getOffset, Function.identity()));
        assertThat(dead).hasSize(6);
        assertThat(deadByOffset.keySet())
                .containsExactlyInAnyOrder(
                        g1.offset(), g2.offset(), g3.offset(), g4.offset(), g5.offset());
        for (DeadLetter letter : deadByOffset.values()) {
            assertThat(letter.getPartition()).isZero();
            assertThat(letter.getStage()).isEqualTo("decode-tasks");
        }
        assertThat(deadByOffset.get(g1.offset()).getReason())
                .startsWith("neither Avro single-object bytes nor valid JSON: ");
        assertThat(bytes(deadByOffset.get(g1.offset()))).isEqualTo(random);
        assertThat(deadByOffset.get(g2.offset()).getReason())
                .startsWith("truncated or corrupt Avro Task (20 bytes): ");
        assertThat(deadByOffset.get(g3.offset()).getReason())
                .isEqualTo("field 'replicas': expected a number, got \"three\"");
        assertThat(deadByOffset.get(g4.offset()).getReason())
                .isEqualTo("missing required field 'input'");
        assertThat(deadByOffset.get(g5.offset()).getReason())
                .isEqualTo(
                        "invalid task hivestream.tasks-0-"
                                + g5.offset()
                                + ": quorum is 1; with 3 replicas it must be 2..3 (a strict majority)");
        DeadLetter agentLetter =
                dead.stream()
                        .filter(d -> d.getTopic().equals(KafkaJobFixture.AGENTS))
                        .findFirst()
                        .orElseThrow();
        assertThat(agentLetter.getOffset()).isEqualTo(badAgent.offset());
        assertThat(agentLetter.getStage()).isEqualTo("decode-agents");
        assertThat(agentLetter.getReason())
                .startsWith("neither Avro single-object bytes nor valid JSON: ");

        List<Metric> metrics = fixture.metrics();
        assertThat(
                        metrics.stream()
                                .filter(m -> m.getKind() == MetricKind.TASK)
                                .map(Metric::getTaskId))
                .containsExactlyInAnyOrderElementsOf(expected.keySet());
        // One call per direct task, three per consensus task, two for the fallback, none when
        // unroutable.
        assertThat(metrics.stream().filter(m -> m.getKind() == MetricKind.CALL).count())
                .isEqualTo(9 + 3 + 4 + 3 * 3);
        assertThat(metrics.stream().filter(m -> m.getKind() == MetricKind.REPUTATION).count())
                .isEqualTo(6);
    }

    private static byte[] bytes(DeadLetter letter) {
        java.nio.ByteBuffer value = letter.getValue().duplicate();
        byte[] bytes = new byte[value.remaining()];
        value.get(bytes);
        return bytes;
    }
}
