package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
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
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions at parallelism 4: the turns of 50 sessions, published back to back and keyed by their
 * session, are each answered with every earlier turn of their session in memory, in the order they
 * were sent, although their calls complete in any order (the agent's latency jitters).
 */
class SessionOrderIT extends KafkaJobCase {
    private static final int SESSIONS = 50;
    private static final int TURNS = 5;

    @Test
    void everyTurnOfEverySessionIsAnsweredInOrderWithItsMemory(@TempDir Path checkpoints)
            throws Exception {
        fixture.register(Agents.memoryChat("chat-1"));
        Configuration conf = fixture.jobConf(checkpoints, false, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(4);
        HivestreamJob.build(
                env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());
        JobClient job = env.executeAsync("session-order-it");
        try {
            // Turn after turn of every session, without waiting for any answer.
            for (int turn = 1; turn <= TURNS; turn++) {
                for (int s = 0; s < SESSIONS; s++) {
                    String session = "s-" + s;
                    String json =
                            "{\"taskId\":\""
                                    + id(s, turn)
                                    + "\",\"sessionId\":\""
                                    + session
                                    + "\",\"input\":\"turn "
                                    + turn
                                    + " of "
                                    + session
                                    + "\"}";
                    fixture.producer.send(
                            new ProducerRecord<>(
                                    KafkaJobFixture.TASKS,
                                    session.getBytes(StandardCharsets.UTF_8),
                                    json.getBytes(StandardCharsets.UTF_8)));
                }
            }
            fixture.producer.flush();
            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> fixture.results().size() >= SESSIONS * TURNS);
        } finally {
            stop(job);
        }

        List<TaskResult> results = fixture.results();
        assertThat(results).hasSize(SESSIONS * TURNS);
        Map<String, TaskResult> byId =
                results.stream()
                        .collect(Collectors.toMap(TaskResult::getTaskId, Function.identity()));
        for (int s = 0; s < SESSIONS; s++) {
            for (int turn = 1; turn <= TURNS; turn++) {
                TaskResult result = byId.get(id(s, turn));
                assertThat(result.getStatus()).as(id(s, turn)).isEqualTo(TaskStatus.COMPLETED);
                assertThat(result.getOutput())
                        .isEqualTo(
                                "[turn "
                                        + turn
                                        + "] simulated chat reply to: turn "
                                        + turn
                                        + " of s-"
                                        + s);
            }
        }
    }

    private static String id(int session, int turn) {
        return "s-" + session + "-t" + turn;
    }
}
