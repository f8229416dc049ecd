package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upgrade by savepoint: the job stops with a savepoint, a changed job (one more operator) starts
 * from it, and every session still remembers its earlier turn.
 */
class SavepointUpgradeIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static KafkaJobFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = new KafkaJobFixture();
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static JobClient startJob(Configuration conf, UnaryOperator<DataStream<Task>> change)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(env, conf, new AgentRuntimes(), Clock.systemUTC(), change);
        return env.executeAsync("savepoint-upgrade-it");
    }

    @Test
    void sessionMemorySurvivesAStopWithSavepointAndAChangedJob(
            @TempDir Path checkpoints, @TempDir Path savepoints) throws Exception {
        AgentEvent agent = Agents.simulated("chat-1", List.of("chat"), 0.0, "memory", "true");
        fixture.register(agent);
        int sessions = 6;
        JobClient v1 =
                startJob(fixture.jobConf(checkpoints, false, true), UnaryOperator.identity());
        for (int s = 0; s < sessions; s++) {
            turn("a-" + s, "s-" + s, "hello from session " + s);
        }
        await().pollInterval(Duration.ofMillis(300))
                .atMost(Duration.ofMinutes(2))
                .until(() -> fixture.results().size() >= sessions);
        String savepoint =
                v1.stopWithSavepoint(
                                false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get();

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
                    .until(() -> fixture.results().size() >= 2 * sessions);
        } finally {
            v2.cancel().get();
        }

        Map<String, String> outputs =
                fixture.results().stream()
                        .collect(Collectors.toMap(TaskResult::getTaskId, TaskResult::getOutput));
        assertThat(outputs).hasSize(2 * sessions);
        for (int s = 0; s < sessions; s++) {
            assertThat(outputs.get("a-" + s))
                    .isEqualTo("[turn 1] simulated chat reply to: hello from session " + s);
            assertThat(outputs.get("b-" + s))
                    .isEqualTo("[turn 2] simulated chat reply to: and again from session " + s);
        }
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
