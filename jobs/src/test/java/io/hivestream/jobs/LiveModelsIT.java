package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.connectors.analyse.ComplexityTrainer.Model;
import io.hivestream.connectors.analyse.OnnxLiveModels;
import io.hivestream.jobs.cli.CliRunner;
import io.hivestream.operators.analyse.TaskFeatures;
import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.RouterModel;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.codec.Codecs;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new complexity model reaching the running job, on a real broker and a MiniCluster: published
 * with {@code ./hivestream models publish}, it analyses the tasks after it, each result naming its
 * version; a bad model is refused with the reason and the model in use stays.
 */
class LiveModelsIT extends KafkaJobCase {
    private static final String INPUT = "What is the capital of Peru?";

    private static String task(String id) {
        return "{\"taskId\":\"" + id + "\",\"kind\":\"chat\",\"input\":\"" + INPUT + "\"}";
    }

    /** Sends tasks with these ids and returns their results once all are there. */
    private List<TaskResult> run(String prefix, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            fixture.sendJson(KafkaJobFixture.TASKS, prefix + i, task(prefix + i));
        }
        await().pollInterval(Duration.ofMillis(300))
                .atMost(Duration.ofMinutes(2))
                .until(() -> resultsOf(prefix).size() == count);
        return resultsOf(prefix);
    }

    private List<TaskResult> resultsOf(String prefix) {
        return fixture.results().stream().filter(r -> r.getTaskId().startsWith(prefix)).toList();
    }

    /** The result of a task sent to {@code partition}, once it is there. */
    private Optional<TaskResult> probe(int partition, int n) throws Exception {
        String id = "probe-" + partition + "-" + n;
        fixture.send(KafkaJobFixture.TASKS, partition, id, task(id).getBytes());
        await().pollInterval(Duration.ofMillis(200))
                .atMost(Duration.ofMinutes(1))
                .until(() -> !resultsOf(id).isEmpty());
        return resultsOf(id).stream().findFirst();
    }

    @Test
    void aPublishedModelAnalysesTheNextTasksAndABadOneIsRefused(@TempDir Path dir)
            throws Exception {
        fixture.register(Agents.simulated("edge-chat", List.of("chat"), 0.0001));
        fixture.register(Agents.cloud("cloud-chat", "chat"));
        Configuration conf = fixture.jobConf(dir.resolve("checkpoints"), false, false);
        conf.set(HivestreamOptions.LIVE_MODELS, true);
        // The feature model's slot: its models are the smallest to write here.
        conf.set(HivestreamOptions.ANALYZER, "onnx");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(
                env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());
        JobClient job = env.executeAsync("live-models-it");
        String bootstrap = fixture.kafka.bootstrapServers();

        // Before any model is published: the shipped feature model, which finds the question easy.
        for (TaskResult result : run("before-", 6)) {
            assertThat(result.getAnalyzerModel()).isEqualTo("shipped-features");
            assertThat(result.getTier()).isEqualTo(Tier.EDGE);
        }

        // A model that finds every task hard.
        Path cloudy = dir.resolve("cloudy.onnx");
        Files.write(
                cloudy,
                new Model(new float[TaskFeatures.SIZE], (float) Math.log(0.95 / 0.05))
                        .toOnnx(Map.of()));
        CliRunner.Run published =
                CliRunner.run(
                        "models",
                        "publish",
                        "--bootstrap",
                        bootstrap,
                        "--analyzer",
                        "onnx",
                        "--version",
                        "cloudy-1",
                        cloudy.toString());
        assertThat(published.exitCode()).as(published.err()).isZero();
        assertThat(published.out()).startsWith("published onnx  cloudy-1  ");

        // Each analyse instance reads one of the two partitions; once a task of each partition
        // carries the new version, both instances have the model.
        for (int partition = 0; partition < 2; partition++) {
            int n = 0;
            while (!"cloudy-1".equals(probe(partition, n).orElseThrow().getAnalyzerModel())) {
                n++;
                assertThat(n)
                        .as("probes of partition %d before the model arrived", partition)
                        .isLessThan(100);
            }
        }
        for (TaskResult result : run("after-", 6)) {
            assertThat(result.getAnalyzerModel()).isEqualTo("cloudy-1");
            assertThat(result.getTier()).isEqualTo(Tier.CLOUD);
            assertThat(result.getComplexity())
                    .isEqualTo(0.95, org.assertj.core.data.Offset.offset(1e-6));
        }

        // A model of the wrong width: publish checks it first and refuses it ...
        Path narrow = dir.resolve("narrow.onnx");
        Files.write(narrow, new Model(new float[5], 0f).toOnnx(Map.of()));
        CliRunner.Run refused =
                CliRunner.run(
                        "models",
                        "publish",
                        "--bootstrap",
                        bootstrap,
                        "--analyzer",
                        "onnx",
                        narrow.toString());
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.err())
                .contains(
                        narrow
                                + " cannot be published for onnx: complexity model narrow-"
                                + OnnxLiveModels.sha256(Files.readAllBytes(narrow)).substring(0, 8)
                                + " cannot be used: its input features has"
                                + " the shape [-1, 5], expected floats of shape [N, "
                                + TaskFeatures.SIZE
                                + "]");

        // ... and when it reaches the topic another way, the job refuses it with the reason.
        byte[] bytes = Files.readAllBytes(narrow);
        RouterModel bad =
                RouterModel.newBuilder()
                        .setAnalyzer("onnx")
                        .setVersion("narrow-1")
                        .setOnnx(ByteBuffer.wrap(bytes))
                        .setSha256(OnnxLiveModels.sha256(bytes))
                        .build();
        fixture.send(KafkaJobFixture.MODELS, null, "onnx", Codecs.ROUTER_MODEL.encodeAvro(bad));
        await().pollInterval(Duration.ofMillis(300))
                .atMost(Duration.ofMinutes(1))
                .until(() -> !fixture.deadLetters().isEmpty());
        DeadLetter dead = fixture.deadLetters().get(0);
        assertThat(dead.getTopic()).isEqualTo(KafkaJobFixture.MODELS);
        assertThat(dead.getStage()).isEqualTo("check-models");
        assertThat(dead.getReason())
                .isEqualTo(
                        "model narrow-1 for onnx refused, the models in use stay: complexity model"
                                + " narrow-1 cannot be used: its input"
                                + " features has the shape [-1, 5], expected floats of shape [N, "
                                + TaskFeatures.SIZE
                                + "]");

        for (TaskResult result : run("later-", 6)) {
            assertThat(result.getAnalyzerModel()).isEqualTo("cloudy-1");
            assertThat(result.getTier()).isEqualTo(Tier.CLOUD);
        }

        CliRunner.Run listed = CliRunner.run("models", "list", "--bootstrap", bootstrap);
        assertThat(listed.exitCode()).isZero();
        assertThat(listed.out()).startsWith("onnx  narrow-1  ");
        assertThat(listed.out()).contains("  refused: ");
        stop(job);

        // Every task has one result.
        assertThat(fixture.results().stream().map(TaskResult::getTaskId).distinct().count())
                .isEqualTo(fixture.results().size());
    }
}
