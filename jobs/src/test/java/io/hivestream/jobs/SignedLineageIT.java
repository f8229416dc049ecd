package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.jobs.cli.CliRunner;
import io.hivestream.operators.lineage.Canonical;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.codec.Codecs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Results signed end to end with an ML-DSA-65 key that {@code keys generate} wrote: the job fails
 * once after a completed checkpoint and restores, and {@code verify} finds every tenant's chain
 * whole (no fork, no gap, no second head) on the topic and in a file of its results; tampered
 * copies of the file fail with the reason.
 */
class SignedLineageIT extends KafkaJobCase {
    @Test
    void resultsAreSignedAndChainedThroughAFailureAndVerifyFindsTampering(
            @TempDir Path checkpoints, @TempDir Path keys, @TempDir Path files) throws Exception {
        FailOnce.reset();
        CliRunner.Run generated = CliRunner.run("keys", "generate", "--out", keys.toString());
        assertThat(generated.exitCode()).as(generated.err()).isZero();
        assertThat(generated.out()).contains("algorithm:   ML-DSA-65");
        String keyId = keyId(generated);
        Path publicKey = keys.resolve("lineage.pub.pem");

        fixture.register(Agents.simulated("m-a", List.of("math"), 0.001));
        int perHalf = 60;
        publish(0, perHalf);
        Configuration conf = fixture.jobConf(checkpoints, false, true);
        conf.set(HivestreamOptions.LINEAGE_ENABLED, true);
        conf.set(HivestreamOptions.LINEAGE_KEY_FILE, keys.resolve("lineage.key.pem").toString());
        conf.set(HivestreamOptions.LINEAGE_BATCH_SIZE, 8);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(
                env,
                conf,
                new AgentRuntimes(),
                Clock.systemUTC(),
                tasks ->
                        tasks.map(new FailOnce(), new AvroTypeInfo<>(Task.class))
                                .uid("fail-once")
                                .name("fail once"));
        JobClient job = env.executeAsync("signed-lineage-it");
        try {
            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> fixture.results().size() >= perHalf);
            FailOnce.arm();
            publish(perHalf, perHalf);
            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofMinutes(3))
                    .until(() -> fixture.results().size() >= 2 * perHalf);
            long seen = FailOnce.completedCheckpoints.get();
            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofMinutes(1))
                    .until(() -> FailOnce.completedCheckpoints.get() >= seen + 2);
        } finally {
            stop(job);
        }
        assertThat(FailOnce.failures.get()).isEqualTo(1);

        List<TaskResult> results = fixture.results();
        assertThat(results).hasSize(2 * perHalf);
        Map<String, List<Long>> seqs = new TreeMap<>();
        for (TaskResult result : results) {
            assertThat(result.getLineage().getAlgorithm()).isEqualTo("ML-DSA-65");
            assertThat(result.getLineage().getKeyId()).isEqualTo(keyId);
            // The hash of the bytes of the task as published.
            int i = Integer.parseInt(result.getTaskId().substring("sl-".length()));
            assertThat(result.getLineage().getTaskSha256())
                    .as(result.getTaskId())
                    .isEqualTo(
                            Canonical.hex(
                                    Canonical.sha256(
                                            taskJson(i).getBytes(StandardCharsets.UTF_8))));
            seqs.computeIfAbsent(result.getTenant(), t -> new ArrayList<>())
                    .add(result.getLineage().getSeq());
            // A batch's signature is carried by its leaves only; the others are covered through
            // the chain.
            if (result.getLineage().getSignature().isEmpty()) {
                assertThat(result.getLineage().getBatchSize()).isZero();
                assertThat(result.getLineage().getProof()).isEmpty();
            } else {
                assertThat(result.getLineage().getBatchSize()).isBetween(1, 2);
            }
        }
        // A tenant's newest result is the last of its last batch: a leaf.
        for (String tenant : List.of("acme", "initech")) {
            assertThat(
                            results.stream()
                                    .filter(r -> r.getTenant().equals(tenant))
                                    .filter(r -> r.getLineage().getSeq() == perHalf)
                                    .map(r -> r.getLineage().getSignature().isEmpty())
                                    .toList())
                    .as(tenant)
                    .containsExactly(false);
        }
        // Each tenant's chain: 1..n, each position once, across the failure and restore.
        assertThat(seqs.keySet()).containsExactly("acme", "initech");
        for (List<Long> chain : seqs.values()) {
            assertThat(chain.stream().sorted().toList())
                    .isEqualTo(LongStream.rangeClosed(1, perHalf).boxed().toList());
        }

        CliRunner.Run onTopic =
                CliRunner.run(
                        "verify",
                        "--bootstrap",
                        fixture.kafka.bootstrapServers(),
                        "--public-key",
                        publicKey.toString());
        assertThat(onTopic.exitCode()).as(onTopic.out() + onTopic.err()).isZero();
        assertThat(onTopic.out()).startsWith("OK: 120 results of 2 tenants, ");

        CliRunner.Run oneTenant =
                CliRunner.run(
                        "verify",
                        "--bootstrap",
                        fixture.kafka.bootstrapServers(),
                        "--public-key",
                        publicKey.toString(),
                        "--tenant",
                        "initech");
        assertThat(oneTenant.out()).startsWith("OK: 60 results of 1 tenants, ");

        List<String> lines = results.stream().map(Codecs.TASK_RESULT::toJsonString).toList();
        Path file = write(files, "results.jsonl", lines);
        CliRunner.Run inFile =
                CliRunner.run("verify", "--public-key", publicKey.toString(), file.toString());
        assertThat(inFile.exitCode()).as(inFile.out()).isZero();

        TaskResult victim = Codecs.TASK_RESULT.decode(lines.get(5).getBytes());
        TaskResult forged = TaskResult.newBuilder(victim).setOutput("forged").build();
        List<String> changed = new ArrayList<>(lines);
        changed.set(5, Codecs.TASK_RESULT.toJsonString(forged));
        CliRunner.Run tampered =
                CliRunner.run(
                        "verify",
                        "--public-key",
                        publicKey.toString(),
                        write(files, "changed.jsonl", changed).toString());
        assertThat(tampered.exitCode()).isEqualTo(1);
        assertThat(tampered.out())
                .contains(
                        "first bad result: "
                                + files.resolve("changed.jsonl")
                                + " line 6 (task "
                                + victim.getTaskId()
                                + ", tenant "
                                + victim.getTenant()
                                + "): the result hashes to ");

        List<String> dropped = new ArrayList<>(lines);
        TaskResult gone = Codecs.TASK_RESULT.decode(dropped.remove(7).getBytes());
        CliRunner.Run withGap =
                CliRunner.run(
                        "verify",
                        "--public-key",
                        publicKey.toString(),
                        write(files, "dropped.jsonl", dropped).toString());
        assertThat(withGap.exitCode()).isEqualTo(1);
        long missing = gone.getLineage().getSeq();
        assertThat(withGap.out())
                .contains(
                        "result "
                                + missing
                                + " of the chain is missing (dropped) before this one, seq "
                                + (missing + 1));

        List<String> replayed = new ArrayList<>(lines);
        replayed.add(lines.get(3));
        CliRunner.Run withReplay =
                CliRunner.run(
                        "verify",
                        "--public-key",
                        publicKey.toString(),
                        write(files, "replayed.jsonl", replayed).toString());
        assertThat(withReplay.exitCode()).isEqualTo(1);
        TaskResult again = Codecs.TASK_RESULT.decode(lines.get(3).getBytes());
        assertThat(withReplay.out())
                .contains(
                        "line 121 (task "
                                + again.getTaskId()
                                + ", tenant "
                                + again.getTenant()
                                + "): replayed: the same result as seq "
                                + again.getLineage().getSeq()
                                + " of tenant "
                                + again.getTenant()
                                + ", read before");

        CliRunner.Run otherKey =
                CliRunner.run("keys", "generate", "--out", keys.resolve("other").toString());
        assertThat(otherKey.exitCode()).isZero();
        String otherKeyId = keyId(otherKey);
        CliRunner.Run wrongKey =
                CliRunner.run(
                        "verify",
                        "--public-key",
                        keys.resolve("other").resolve("lineage.pub.pem").toString(),
                        file.toString());
        assertThat(wrongKey.exitCode()).isEqualTo(1);
        assertThat(wrongKey.out())
                .contains(
                        "signed with key "
                                + keyId
                                + ", which is not among the public keys given ["
                                + otherKeyId
                                + "]");
    }

    private static Path write(Path dir, String name, List<String> lines) throws Exception {
        return Files.write(dir.resolve(name), lines);
    }

    /** The id {@code keys generate} printed. */
    private static String keyId(CliRunner.Run generated) {
        String marker = "key id:      ";
        String out = generated.out();
        int from = out.indexOf(marker) + marker.length();
        return out.substring(from, out.indexOf('\n', from));
    }

    private static String taskJson(int i) {
        // At parallelism 2, acme is signed by the first subtask and initech by the second.
        String tenant = i % 2 == 0 ? "acme" : "initech";
        return "{\"taskId\":\"sl-"
                + i
                + "\",\"tenant\":\""
                + tenant
                + "\",\"kind\":\"math\",\"input\":\""
                + i
                + " + 1000\"}";
    }

    private static void publish(int from, int count) throws Exception {
        for (int i = from; i < from + count; i++) {
            fixture.sendJson(KafkaJobFixture.TASKS, "sl-" + i, taskJson(i));
        }
    }
}
