package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.operators.decode.TenantSource;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tenant taken from the topic, on a real broker and a MiniCluster: the job subscribes to the
 * tasks topic and every {@code hivestream.tasks.TENANT} by pattern, and a task's forged tenant
 * field is ignored.
 */
class TenantTopicIT extends KafkaJobCase {
    @Test
    void aForgedTenantFieldIsIgnoredWhenTheTopicNamesTheTenant(@TempDir Path checkpoints)
            throws Exception {
        fixture.kafka.createTopic(KafkaJobFixture.TASKS + ".acme", 1);
        fixture.register(Agents.simulated("m-topic", List.of("math"), 0.001));
        Configuration conf = fixture.jobConf(checkpoints, false, false);
        conf.set(HivestreamOptions.AGENT_WAIT, Duration.ofMinutes(1));
        conf.set(HivestreamOptions.TENANT_SOURCE, TenantSource.Mode.TOPIC);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(
                env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());
        JobClient job = env.executeAsync("tenant-topic-it");

        fixture.sendJson(
                KafkaJobFixture.TASKS + ".acme",
                "forged",
                "{\"taskId\":\"forged\",\"tenant\":\"globex\",\"kind\":\"math\","
                        + "\"input\":\"What is 6 * 7?\"}");
        fixture.sendJson(
                KafkaJobFixture.TASKS,
                "own",
                "{\"taskId\":\"own\",\"tenant\":\"globex\",\"kind\":\"math\","
                        + "\"input\":\"What is 2 + 3?\"}");
        await().pollInterval(Duration.ofMillis(300))
                .atMost(Duration.ofMinutes(2))
                .until(() -> fixture.results().size() >= 2);
        stop(job);

        assertThat(fixture.results())
                .extracting(
                        TaskResult::getTaskId,
                        TaskResult::getTenant,
                        TaskResult::getStatus,
                        TaskResult::getOutput)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(
                                "forged", "acme", TaskStatus.COMPLETED, "42"),
                        // The tasks topic itself is the job's own (subtasks): its field stands.
                        org.assertj.core.groups.Tuple.tuple(
                                "own", "globex", TaskStatus.COMPLETED, "5"));
    }
}
