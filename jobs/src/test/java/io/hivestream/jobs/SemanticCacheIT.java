package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.kafka.KafkaConnection;
import io.hivestream.connectors.loopback.ChatCompletionsServer;
import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The semantic cache end to end, on a real broker and a MiniCluster with a provider on loopback: a
 * question answered once is given again to its paraphrase, never to a question that names another
 * country, and never to another tenant.
 */
class SemanticCacheIT extends KafkaJobCase {
    static final String ASKED = "What is the capital of Portugal?";
    static final String PARAPHRASE = "Which city is the capital of Portugal?";
    static final String OTHER = "What is the capital of Spain?";

    static ChatCompletionsServer provider;

    @BeforeAll
    static void startProvider() throws Exception {
        provider = new ChatCompletionsServer(user -> "answer to " + user, user -> 0);
    }

    @AfterAll
    static void stopProvider() {
        if (provider != null) {
            provider.close();
        }
    }

    private static int received(String prompt) {
        AtomicInteger count = provider.received().get(prompt);
        return count == null ? 0 : count.get();
    }

    private static Map<String, TaskResult> results() {
        return fixture.results().stream()
                .collect(Collectors.toMap(TaskResult::getTaskId, Function.identity(), (a, b) -> a));
    }

    private static void publish(String taskId, String tenant, String input, String cache)
            throws Exception {
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                taskId,
                "{\"taskId\":\""
                        + taskId
                        + "\",\"tenant\":\""
                        + tenant
                        + "\",\"kind\":\"chat\",\"input\":\""
                        + input
                        + "\",\"metadata\":{\"cache\":\""
                        + cache
                        + "\"}}");
    }

    /** Whether the job's semantic cache stage has read the journal past {@code fill}. */
    private static boolean readPast(ConsumerRecord<byte[], byte[]> fill) throws Exception {
        try (Admin admin =
                KafkaClients.admin(KafkaConnection.of(fixture.kafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets("hivestream-cache")
                            .partitionsToOffsetAndMetadata()
                            .get();
            OffsetAndMetadata offset =
                    committed.get(new TopicPartition(fill.topic(), fill.partition()));
            return offset != null && offset.offset() > fill.offset();
        }
    }

    private static ConsumerRecord<byte[], byte[]> fillOf(String taskId) {
        String key = "fill/default/" + taskId;
        return fixture.read(KafkaJobFixture.CALLS).stream()
                .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals(key))
                .findFirst()
                .orElse(null);
    }

    @Test
    void aParaphraseGetsTheAnswerOfItsQuestionAndAnotherQuestionDoesNot(@TempDir Path checkpoints)
            throws Exception {
        fixture.register(provider.agent("loopback-llm", "chat").build());
        Configuration conf = fixture.jobConf(checkpoints, false, false);
        conf.set(HivestreamOptions.CACHE_SEMANTIC, true);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(env, conf, new AgentRuntimes(), Clock.systemUTC(), t -> t);
        JobClient job = env.executeAsync("semantic-cache-it");
        try {
            publish("s1", "default", ASKED, "semantic");
            await().pollInterval(Duration.ofMillis(300))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> results().containsKey("s1") && fillOf("s1") != null);
            ConsumerRecord<byte[], byte[]> fill = fillOf("s1");
            // A checkpoint after the stage took the fill: its offset is committed then.
            await().pollInterval(Duration.ofMillis(300))
                    .atMost(Duration.ofMinutes(1))
                    .until(() -> readPast(fill));

            publish("p1", "default", PARAPHRASE, "semantic");
            publish("o1", "default", OTHER, "semantic");
            publish("b1", "beta", PARAPHRASE, "semantic");
            publish("x1", "default", PARAPHRASE, "exact");
            await().pollInterval(Duration.ofMillis(300))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> results().keySet().containsAll(List.of("p1", "o1", "b1", "x1")));
        } finally {
            stop(job);
        }

        // The paraphrase of tenant default in semantic mode is the only task not called.
        assertThat(received(ASKED)).isEqualTo(1);
        assertThat(received(OTHER)).isEqualTo(1);
        assertThat(received(PARAPHRASE)).isEqualTo(2); // b1 (another tenant) and x1 (exact mode)
        Map<String, TaskResult> results = results();
        TaskResult p1 = results.get("p1");
        assertThat(p1.getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(p1.getOutput()).isEqualTo("answer to " + ASKED);
        assertThat(p1.getCostUsd()).isEqualTo(0.0);
        AgentAnswer answer = p1.getAnswers().get(0);
        assertThat(answer.getCached()).isTrue();
        assertThat(answer.getAgentId()).isEqualTo("loopback-llm");
        assertThat(answer.getTier()).isEqualTo(Tier.CLOUD);
        assertThat(results.get("o1").getOutput()).isEqualTo("answer to " + OTHER);
        assertThat(results.get("b1").getOutput()).isEqualTo("answer to " + PARAPHRASE);
        assertThat(results.get("x1").getOutput()).isEqualTo("answer to " + PARAPHRASE);
        assertThat(results.values())
                .filteredOn(r -> !r.getTaskId().equals("p1"))
                .allMatch(r -> !r.getAnswers().get(0).getCached());

        List<Metric> p1Calls =
                fixture.metrics().stream()
                        .filter(m -> m.getKind() == MetricKind.CALL)
                        .filter(m -> m.getTaskId().equals("p1"))
                        .toList();
        assertThat(p1Calls).hasSize(1);
        assertThat(p1Calls.get(0).getCall().getCached()).isTrue();
        assertThat(p1Calls.get(0).getCall().getCostUsd()).isEqualTo(0.0);
        // What s1's call cost: 12 prompt and 3 completion tokens.
        assertThat(p1Calls.get(0).getCall().getSavedUsd()).isCloseTo(0.000018, offset(1e-12));
    }
}
