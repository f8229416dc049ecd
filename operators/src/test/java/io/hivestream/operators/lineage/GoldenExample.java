package io.hivestream.operators.lineage;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.Lineage;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.codec.Codecs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The golden example of docs/lineage.md: one consensus result of two answers, signed alone (a batch
 * of one) as the first of its tenant's chain, with the committed test keys. {@link #main} writes
 * the files that {@code LineageGoldenTest} checks against; it is run by hand only when the format
 * changes, which also changes {@link LineageHashes#VERSION}.
 */
public final class GoldenExample {
    /** The task as a producer wrote it, whose bytes the result's taskSha256 covers. */
    static final String TASK =
            "{\"taskId\":\"golden-1\",\"tenant\":\"acme\",\"kind\":\"math\","
                    + "\"input\":\"What is 6 * 7?\",\"replicas\":2}";

    private GoldenExample() {}

    static TaskResult unsigned() {
        AgentAnswer a =
                AgentAnswer.newBuilder()
                        .setAgentId("calc-1")
                        .setModel("calculator")
                        .setOutput("42")
                        .setAgreed(true)
                        .setLatencyMs(3)
                        .setTokensIn(12)
                        .setTokensOut(1)
                        .setCostUsd(0.0001)
                        .build();
        AgentAnswer b =
                AgentAnswer.newBuilder(a)
                        .setAgentId("gpt-mini")
                        .setModel("gpt-4o-mini")
                        .setConfidence(0.9)
                        .setLatencyMs(480)
                        .setCostUsd(0.00025)
                        .build();
        return TaskResult.newBuilder()
                .setTaskId("golden-1")
                .setTenant("acme")
                .setKind("math")
                .setStatus(TaskStatus.COMPLETED)
                .setOutput("42")
                .setStrategy(Strategy.CONSENSUS)
                .setTier(Tier.EDGE)
                .setAgentTier(Tier.EDGE)
                .setComplexity(0.25)
                .setAgents(List.of("calc-1", "gpt-mini"))
                .setAnswers(List.of(a, b))
                .setAgreement(1.0)
                .setVote("exact")
                .setTokensIn(24)
                .setTokensOut(2)
                .setCostUsd(0.00035)
                .setLatencyMs(512)
                .setCompletedAt(1_767_225_600_000L)
                .setMetadata(new TreeMap<>(Map.of("team", "finance", "priority", "high")))
                .setLineage(
                        Lineage.newBuilder()
                                .setTaskSha256(
                                        Canonical.hex(
                                                Canonical.sha256(
                                                        TASK.getBytes(StandardCharsets.UTF_8))))
                                .build())
                .build();
    }

    static LineageKeys.SigningKey key(Path dir, String name) throws Exception {
        return LineageKeys.signingKey(
                Files.readString(dir.resolve(name + ".key.pem")), "golden-" + name, name);
    }

    static TaskResult signed(LineageKeys.SigningKey key) {
        LineageSigner signer = new LineageSigner(key);
        TaskResult result = signer.link(unsigned(), null).result();
        signer.sign(List.of(result));
        return result;
    }

    /** Every value the document shows, one {@code name: value} a line. */
    static String values(TaskResult signed) {
        Lineage l = signed.getLineage();
        StringBuilder out = new StringBuilder();
        line(out, "task bytes (UTF-8)", TASK);
        line(out, "taskSha256", l.getTaskSha256());
        for (int i = 0; i < signed.getAnswers().size(); i++) {
            line(
                    out,
                    "answer " + i + " canonical bytes",
                    Canonical.hex(
                            LineageHashes.answerBytes(
                                    signed.getAnswers().get(i), l.getTaskSha256())));
            line(out, "answerSha256[" + i + "]", l.getAnswerSha256().get(i));
        }
        line(out, "voteSha256", l.getVoteSha256());
        line(out, "result canonical bytes", Canonical.hex(LineageHashes.resultBytes(signed)));
        line(out, "resultSha256", l.getResultSha256());
        String root = Merkle.root(List.of(l.getResultSha256()));
        line(out, "batch root", root);
        line(
                out,
                "signed bytes",
                Canonical.hex(
                        LineageHashes.batchBytes(
                                l.getKeyId(), l.getAlgorithm(), l.getBatchSize(), root)));
        line(out, "signature (Base64)", l.getSignature());
        return out.toString();
    }

    private static void line(StringBuilder out, String name, String value) {
        out.append(name).append(": ").append(value).append('\n');
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        for (String name : List.of("ed25519", "ml-dsa-65")) {
            TaskResult signed = signed(key(dir, name));
            Files.writeString(
                    dir.resolve("golden-" + name + ".json"),
                    Codecs.TASK_RESULT.toJsonString(signed) + "\n");
            Files.writeString(dir.resolve("golden-" + name + ".txt"), values(signed));
        }
    }
}
