package io.hivestream.loadtests;

import io.hivestream.operators.lineage.LineageKeys;
import io.hivestream.operators.lineage.LineageSigner;
import io.hivestream.operators.lineage.LineageVerifier;
import io.hivestream.operators.lineage.SignatureAlgorithm;
import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.Lineage;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.codec.Codecs;
import io.hivestream.schemas.codec.WireFormat;
import io.hivestream.schemas.internal.ChainHead;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cost of signed lineage on one thread, in CPU time of that thread:
 *
 * <pre>
 * SigningBenchmark [seconds per measurement, default 2]
 * </pre>
 *
 * For ML-DSA-65 and Ed25519: signatures and verifications per second per core; then, for a result
 * like scenario a's (one answer, about 100 characters of output), the CPU microseconds per result
 * of linking (hashing it into its chain) and of signing at batch sizes 1, 16, 256 and 4096 (as the
 * signing stage seals a batch: one signature, carried with its inclusion proof by each tenant's
 * last result in the batch; the results come from 4 tenants), the bytes the lineage adds to a
 * result in Avro (the mean over the results), and verification per result at those batch sizes.
 */
public final class SigningBenchmark {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private SigningBenchmark() {}

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
        long budget = (long) (seconds * 1e9);
        byte[] message = new byte[120];
        new SecureRandom().nextBytes(message);
        System.out.printf(
                Locale.ROOT, "%-10s %14s %14s%n", "algorithm", "signatures/s", "verifications/s");
        for (SignatureAlgorithm algorithm : SignatureAlgorithm.values()) {
            LineageKeys.Generated generated =
                    LineageKeys.generate(algorithm, "bench", new SecureRandom());
            LineageKeys.SigningKey key =
                    LineageKeys.signingKey(generated.privatePem(), "bench", "bench key");
            LineageKeys.VerifyingKey publicKey = LineageKeys.publicKeyOf(key);
            byte[] signature = key.sign(message);
            double signs = rate(budget, () -> key.sign(message));
            double verifies = rate(budget, () -> publicKey.verify(message, signature));
            System.out.printf(
                    Locale.ROOT,
                    "%-10s %,14.0f %,14.0f%n",
                    algorithm.recordedName(),
                    signs,
                    verifies);
        }
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "%-10s %6s %12s %12s %12s %12s%n",
                "algorithm",
                "batch",
                "link µs/res",
                "sign µs/res",
                "verify µs/res",
                "+bytes/res");
        // Warm up hashing, proofs and both signers before anything is timed.
        for (SignatureAlgorithm algorithm : SignatureAlgorithm.values()) {
            LineageKeys.Generated warm =
                    LineageKeys.generate(algorithm, "warm", new SecureRandom());
            LineageSigner warmSigner =
                    new LineageSigner(LineageKeys.signingKey(warm.privatePem(), "warm", "warm"));
            for (int round = 0; round < 20; round++) {
                List<TaskResult> batch = new ArrayList<>();
                ChainHead head = null;
                for (int i = 0; i < 256; i++) {
                    LineageSigner.Linked l = warmSigner.link(scenarioAResult(i), head);
                    head = l.head();
                    batch.add(l.result());
                }
                warmSigner.seal(byTenant(batch));
            }
        }
        for (SignatureAlgorithm algorithm : SignatureAlgorithm.values()) {
            LineageKeys.Generated generated =
                    LineageKeys.generate(algorithm, "bench", new SecureRandom());
            LineageKeys.SigningKey key =
                    LineageKeys.signingKey(generated.privatePem(), "bench", "bench key");
            LineageSigner signer = new LineageSigner(key);
            for (int batch : new int[] {1, 16, 256, 4096}) {
                int n = Math.max(batch, algorithm == SignatureAlgorithm.ML_DSA_65 ? 512 : 4096);
                n = (n / batch) * batch;
                List<TaskResult> inputs = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    inputs.add(scenarioAResult(i));
                }
                List<TaskResult> linked = new ArrayList<>(n);
                long t0 = cpu();
                Map<String, ChainHead> heads = new HashMap<>();
                for (TaskResult input : inputs) {
                    LineageSigner.Linked l = signer.link(input, heads.get(input.getTenant()));
                    heads.put(input.getTenant(), l.head());
                    linked.add(l.result());
                }
                long t1 = cpu();
                for (int from = 0; from < n; from += batch) {
                    signer.seal(byTenant(linked.subList(from, from + batch)));
                }
                long t2 = cpu();
                LineageVerifier verifier =
                        new LineageVerifier(List.of(LineageKeys.publicKeyOf(key)));
                for (int i = 0; i < n; i++) {
                    verifier.accept("bench", "record " + i, linked.get(i));
                }
                LineageVerifier.Report report = verifier.finish();
                long t3 = cpu();
                if (!report.ok()) {
                    throw new IllegalStateException(report.summary());
                }
                long signedBytes = 0;
                for (TaskResult result : linked) {
                    signedBytes += Codecs.TASK_RESULT.encode(result, WireFormat.AVRO).length;
                }
                System.out.printf(
                        Locale.ROOT,
                        "%-10s %6d %12.1f %12.1f %12.1f %12.0f%n",
                        algorithm.recordedName(),
                        batch,
                        (t1 - t0) / 1e3 / n,
                        (t2 - t1) / 1e3 / n,
                        (t3 - t2) / 1e3 / n,
                        (double) signedBytes / n - plain(n));
            }
        }
        System.out.printf(
                Locale.ROOT, "(result without lineage: %.0f bytes in Avro)%n", plain(4096));
    }

    /** The mean size in Avro of the first {@code n} results without lineage. */
    private static double plain(int n) {
        long total = 0;
        for (int i = 0; i < n; i++) {
            total += Codecs.TASK_RESULT.encode(scenarioAResult(i), WireFormat.AVRO).length;
        }
        return (double) total / n;
    }

    /** A batch as the signing stage seals it: each tenant's results together, in their order. */
    static List<List<TaskResult>> byTenant(List<TaskResult> batch) {
        Map<String, List<TaskResult>> segments = new LinkedHashMap<>();
        for (TaskResult result : batch) {
            segments.computeIfAbsent(result.getTenant(), t -> new ArrayList<>()).add(result);
        }
        return new ArrayList<>(segments.values());
    }

    /** Like scenario a's results: one instant simulated agent, a short answer. */
    static TaskResult scenarioAResult(int i) {
        AgentAnswer answer =
                AgentAnswer.newBuilder()
                        .setAgentId("sim-" + (i % 8))
                        .setModel("simulated")
                        .setOutput("The answer to task " + i + " is " + (i * 7) + ", as asked.")
                        .setTokensIn(42)
                        .setTokensOut(17)
                        .setCostUsd(0.000012)
                        .setSimulated(true)
                        .build();
        return TaskResult.newBuilder()
                .setTaskId("bench-" + i)
                .setTenant("tenant-" + (i % 4))
                .setKind("chat")
                .setStatus(TaskStatus.COMPLETED)
                .setOutput(answer.getOutput())
                .setStrategy(Strategy.DIRECT)
                .setTier(Tier.EDGE)
                .setComplexity(0.2)
                .setAgents(List.of(answer.getAgentId()))
                .setAnswers(List.of(answer))
                .setTokensIn(42)
                .setTokensOut(17)
                .setCostUsd(0.000012)
                .setLatencyMs(3)
                .setSimulated(true)
                .setCompletedAt(1_700_000_000_000L + i)
                .setMetadata(Map.of())
                .setLineage(
                        Lineage.newBuilder()
                                .setTaskSha256(
                                        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
                                .build())
                .build();
    }

    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    private static double rate(long budgetNanos, Runnable op) {
        for (int i = 0; i < 50; i++) {
            op.run();
        }
        long start = cpu();
        long count = 0;
        while (cpu() - start < budgetNanos) {
            for (int i = 0; i < 20; i++) {
                op.run();
            }
            count += 20;
        }
        return count / ((cpu() - start) / 1e9);
    }
}
