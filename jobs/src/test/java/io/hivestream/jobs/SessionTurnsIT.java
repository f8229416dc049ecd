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
 * Numbered turns that reach the job out of order, on a real broker and a MiniCluster: the turns of
 * 20 sessions, each published last turn first and spread over both partitions (so Kafka gives no
 * order between them), are answered in their numbered order, each with the memory of the turns
 * before it; a turn that never arrives is given up after the gap wait, the turn after it says so,
 * and the given-up turn, when it arrives after all, fails with the reason.
 */
class SessionTurnsIT extends KafkaJobCase {
    private static final int SESSIONS = 20;
    private static final int TURNS = 4;

    private static String turn(String session, long turn, String id) {
        return "{\"taskId\":\""
                + id
                + "\",\"sessionId\":\""
                + session
                + "\",\"turn\":"
                + turn
                + ",\"input\":\"turn "
                + turn
                + " of "
                + session
                + "\"}";
    }

    private void send(int partition, String session, long turn, String id) {
        fixture.producer.send(
                new ProducerRecord<>(
                        KafkaJobFixture.TASKS,
                        partition,
                        id.getBytes(StandardCharsets.UTF_8),
                        turn(session, turn, id).getBytes(StandardCharsets.UTF_8)));
    }

    private Map<String, TaskResult> results() {
        return fixture.results().stream()
                .collect(Collectors.toMap(TaskResult::getTaskId, Function.identity()));
    }

    @Test
    void numberedTurnsAreAnsweredInTheirOrderAndAGapIsGivenUpWithAReason(@TempDir Path checkpoints)
            throws Exception {
        fixture.register(Agents.memoryChat("chat-1"));
        Configuration conf = fixture.jobConf(checkpoints, false, false);
        conf.set(HivestreamOptions.SESSIONS_GAP_WAIT, Duration.ofSeconds(2));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(
                env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());
        JobClient job = env.executeAsync("session-turns-it");
        try {
            // Last turn first, alternating partitions: no order between them on the way.
            for (int turn = TURNS; turn >= 1; turn--) {
                for (int s = 0; s < SESSIONS; s++) {
                    send(turn % 2, "s-" + s, turn, id(s, turn));
                }
            }
            // A session whose turn 2 does not come in time.
            send(0, "gap", 3, "gap-t3");
            send(1, "gap", 1, "gap-t1");
            fixture.producer.flush();
            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> fixture.results().size() >= SESSIONS * TURNS + 2);
            // Turn 2 after all, once turn 3 has gone on without it.
            send(1, "gap", 2, "gap-t2");
            fixture.producer.flush();
            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofMinutes(1))
                    .until(() -> fixture.results().size() >= SESSIONS * TURNS + 3);
        } finally {
            stop(job);
        }

        Map<String, TaskResult> byId = results();
        assertThat(byId).hasSize(SESSIONS * TURNS + 3);
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
                assertThat(result.getMetadata()).doesNotContainKey("turnGap");
            }
        }
        assertThat(byId.get("gap-t1").getOutput())
                .isEqualTo("[turn 1] simulated chat reply to: turn 1 of gap");
        TaskResult third = byId.get("gap-t3");
        assertThat(third.getStatus()).isEqualTo(TaskStatus.COMPLETED);
        // Answered with the memory of turn 1 alone: the agent counts it as the second turn.
        assertThat(third.getOutput()).isEqualTo("[turn 2] simulated chat reply to: turn 3 of gap");
        assertThat(third.getMetadata())
                .containsEntry(
                        "turnGap",
                        "turn 2 of this session did not arrive within 2.0 s; answered without"
                                + " them");
        TaskResult late = byId.get("gap-t2");
        assertThat(late.getStatus()).isEqualTo(TaskStatus.FAILED);
        assertThat(late.getError())
                .contains(
                        "turn 2 of session gap arrived after turn 3 went on (its number was"
                                + " taken, or given up after the gap wait of 2.0 s,"
                                + " hivestream.sessions.gap-wait): answered now it would see turns"
                                + " it came before; send it again with a new task id and turn"
                                + " number");
    }

    private static String id(int session, int turn) {
        return "s-" + session + "-t" + turn;
    }
}
