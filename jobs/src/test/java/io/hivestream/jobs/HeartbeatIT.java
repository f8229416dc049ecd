package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.AgentEventType;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.codec.Codecs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent that heartbeats, on a real broker and a MiniCluster: while it beats it gets the work (it
 * is the cheapest); when it stops, it leaves the rotation, the turns queued behind its call in
 * flight and new tasks go to the other agent, and a task only it can do waits; when it beats again,
 * it is back and the waiting task goes to it.
 */
class HeartbeatIT extends KafkaJobCase {
    private static final long INTERVAL_MS = 1_000;

    /** What the job did, read from its metrics: waits go on it rather than on time. */
    static final JobMetrics METRICS = jobMetrics("heartbeat-it");

    private static double metric(String name) throws Exception {
        return METRICS.sums().getOrDefault(name, 0.0);
    }

    private static void heartbeat() {
        try {
            // Keyed apart from the registration, which compaction must keep.
            fixture.send(
                    KafkaJobFixture.AGENTS,
                    null,
                    "beater/heartbeat",
                    Codecs.AGENT_EVENT.encodeAvro(
                            AgentEvent.newBuilder()
                                    .setAgentId("beater")
                                    .setType(AgentEventType.HEARTBEAT)
                                    .build()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String turn(String id, String session, String capability) {
        return "{\"taskId\":\""
                + id
                + "\","
                + (session == null ? "" : "\"sessionId\":\"" + session + "\",")
                + "\"input\":\"hello "
                + id
                + "\",\"capabilities\":[\""
                + capability
                + "\"]}";
    }

    @Test
    void anAgentThatStopsBeatingLeavesTheRotationAndItsQueuedWorkGoesElsewhere(
            @TempDir Path checkpoints) throws Exception {
        // beater is cheaper and slow, so that later turns of a session queue behind its call.
        fixture.register(
                AgentEvent.newBuilder(
                                Agents.simulated(
                                        "beater",
                                        List.of("chat", "solo"),
                                        0.0,
                                        "latencyMs",
                                        "8000"))
                        .setHeartbeatIntervalMs(INTERVAL_MS)
                        .build());
        fixture.register(Agents.simulated("steady", List.of("chat"), 0.001));
        ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
        ScheduledFuture<?> beating =
                beats.scheduleAtFixedRate(
                        HeartbeatIT::heartbeat, 0, INTERVAL_MS / 4, TimeUnit.MILLISECONDS);
        try {
            fixture.send(
                    KafkaJobFixture.AGENTS,
                    null,
                    "x",
                    "not an agent".getBytes(StandardCharsets.UTF_8));

            Configuration conf = fixture.jobConf(checkpoints, false, false);
            conf.set(HivestreamOptions.MISSED_HEARTBEATS, 2);
            conf.set(HivestreamOptions.AGENT_WAIT, Duration.ofMinutes(2));
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(2);
            HivestreamJob.build(
                    env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());
            JobClient job = env.executeAsync("heartbeat-it");
            await().pollInterval(Duration.ofMillis(200))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> fixture.deadLetters().size() == 1);
            // A task only beater can do shows that the route stage knows it.
            fixture.sendJson(KafkaJobFixture.TASKS, "probe", turn("probe", null, "solo"));
            await().pollInterval(Duration.ofMillis(200))
                    .atMost(Duration.ofMinutes(1))
                    .until(() -> fixture.results().size() == 1);

            // Three turns of one session go to beater: the first is called, two wait behind it.
            fixture.sendJson(KafkaJobFixture.TASKS, "t1", turn("t1", "s", "chat"));
            await().pollInterval(Duration.ofMillis(100))
                    .atMost(Duration.ofMinutes(1))
                    .until(() -> metric("callsInFlight") >= 1);
            fixture.sendJson(KafkaJobFixture.TASKS, "t2", turn("t2", "s", "chat"));
            fixture.sendJson(KafkaJobFixture.TASKS, "t3", turn("t3", "s", "chat"));
            beating.cancel(false);
            // Two missed intervals (2 s) later beater is out, while t1's call (8 s) is not done.
            await().pollInterval(Duration.ofMillis(100))
                    .atMost(Duration.ofMinutes(1))
                    .until(() -> metric("agentsLeftRotation") >= 1);
            // p1 only beater can do: it waits. t4, sent after it, is answered by steady.
            fixture.sendJson(KafkaJobFixture.TASKS, "p1", turn("p1", null, "solo"));
            fixture.sendJson(KafkaJobFixture.TASKS, "t4", turn("t4", null, "chat"));
            // beater stays out until t2 and t3, queued behind t1, have their results: each
            // partition is read at its own pace, so a turn sent before beater left could reach
            // the route stage after beater came back, were it back sooner.
            await().pollInterval(Duration.ofMillis(200))
                    .atMost(Duration.ofMinutes(1))
                    .until(
                            () ->
                                    fixture.results().stream()
                                                    .map(TaskResult::getTaskId)
                                                    .filter(List.of("t2", "t3", "t4")::contains)
                                                    .count()
                                            == 3);
            beating =
                    beats.scheduleAtFixedRate(
                            HeartbeatIT::heartbeat, 0, INTERVAL_MS / 4, TimeUnit.MILLISECONDS);

            await().pollInterval(Duration.ofMillis(300))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> fixture.results().size() >= 6);
            stop(job);

            Map<String, TaskResult> byId =
                    fixture.results().stream()
                            .collect(Collectors.toMap(TaskResult::getTaskId, Function.identity()));
            assertThat(byId.keySet())
                    .containsExactlyInAnyOrder("probe", "t1", "t2", "t3", "t4", "p1");
            // Heartbeats are registry records, not dead letters.
            assertThat(fixture.deadLetters()).hasSize(1);
            assertThat(byId.values())
                    .extracting(TaskResult::getStatus)
                    .containsOnly(TaskStatus.COMPLETED);
            // t1 was in flight and kept its agent; the queued turns and t4 went to steady; p1
            // waited for beater to come back.
            assertThat(byId.get("probe").getAgents()).containsExactly("beater");
            assertThat(byId.get("t1").getAgents()).as(byId.toString()).containsExactly("beater");
            assertThat(byId.get("t2").getAgents()).containsExactly("steady");
            assertThat(byId.get("t3").getAgents()).containsExactly("steady");
            assertThat(byId.get("t4").getAgents()).containsExactly("steady");
            assertThat(byId.get("p1").getAgents()).containsExactly("beater");
            assertThat(byId.get("p1").getOutput()).isEqualTo("simulated chat reply to: hello p1");
        } finally {
            beats.shutdownNow();
        }
    }
}
