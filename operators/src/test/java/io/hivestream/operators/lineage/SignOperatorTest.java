package io.hivestream.operators.lineage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.operators.testing.Harnesses;
import io.hivestream.schemas.TaskResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignOperatorTest {
    @TempDir static Path dir;
    static KeySource source;
    static LineageKeys.VerifyingKey publicKey;

    @BeforeAll
    static void writeKey() throws Exception {
        LineageKeys.Generated key =
                LineageKeys.generate(SignatureAlgorithm.ED25519, "", new SecureRandom());
        Files.writeString(dir.resolve("lineage.key.pem"), key.privatePem());
        source = new KeySource(dir.resolve("lineage.key.pem").toString(), null, null);
        publicKey = LineageKeys.verifyingKey(key.publicPem(), null, "public key");
    }

    static KeyedOneInputStreamOperatorTestHarness<String, TaskResult, TaskResult> harness(
            int batchSize) throws Exception {
        return harness(batchSize, Duration.ofSeconds(5));
    }

    static KeyedOneInputStreamOperatorTestHarness<String, TaskResult, TaskResult> harness(
            int batchSize, Duration maxDelay) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new SignOperator(source, batchSize, maxDelay), TaskResult::getTenant, Types.STRING);
    }

    static List<TaskResult> output(
            KeyedOneInputStreamOperatorTestHarness<String, TaskResult, TaskResult> harness) {
        List<TaskResult> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord<?> record) {
                out.add((TaskResult) record.getValue());
            }
        }
        harness.getOutput().clear();
        return out;
    }

    static LineageVerifier.Report verify(List<TaskResult> results) {
        LineageVerifier verifier = new LineageVerifier(List.of(publicKey));
        for (int i = 0; i < results.size(); i++) {
            verifier.accept("topic", "record " + i, results.get(i));
        }
        return verifier.finish();
    }

    @Test
    void aBatchIsSignedWhenFullAndEachTenantHasItsOwnChain() throws Exception {
        try (var harness = harness(3)) {
            harness.open();
            harness.processElement(LineageVerifierTest.result("acme", 1), 0);
            harness.processElement(LineageVerifierTest.result("globex", 2), 0);
            assertThat(output(harness)).isEmpty();
            harness.processElement(LineageVerifierTest.result("acme", 3), 0);
            List<TaskResult> out = output(harness);

            // Each tenant's results together, in chain order; the last of each carries the
            // batch's one signature, the one before it is covered through the chain.
            assertThat(out)
                    .extracting(TaskResult::getTaskId)
                    .containsExactly("task-1", "task-3", "task-2");
            assertThat(out).extracting(r -> r.getLineage().getSeq()).containsExactly(1L, 2L, 1L);
            assertThat(out).extracting(r -> r.getLineage().getBatchSize()).containsExactly(0, 2, 2);
            assertThat(out)
                    .extracting(r -> r.getLineage().getBatchIndex())
                    .containsExactly(0, 0, 1);
            assertThat(out.get(0).getLineage().getSignature()).isEmpty();
            assertThat(out.get(2).getLineage().getSignature())
                    .isEqualTo(out.get(1).getLineage().getSignature())
                    .isNotEmpty();
            assertThat(Harnesses.keyedStateEntries(harness)).isEqualTo(2);
            assertThat(verify(out).failures()).isEmpty();
            assertThat(verify(out).tenants()).isEqualTo(2);
        }
    }

    @Test
    void theBatchIsSignedAfterTheMaxDelay() throws Exception {
        try (var harness = harness(100)) {
            harness.open();
            harness.setProcessingTime(1_000);
            harness.processElement(LineageVerifierTest.result("acme", 1), 0);
            harness.setProcessingTime(5_999);
            assertThat(output(harness)).isEmpty();
            harness.setProcessingTime(6_000);

            assertThat(output(harness))
                    .extracting(r -> r.getLineage().getBatchSize())
                    .containsExactly(1);
        }
    }

    @Test
    void withoutAMaxDelayTheBatchWaitsForTheBarrier() throws Exception {
        try (var harness = harness(100, null)) {
            harness.open();
            harness.setProcessingTime(1_000);
            harness.processElement(LineageVerifierTest.result("acme", 1), 0);
            harness.processElement(LineageVerifierTest.result("acme", 2), 0);
            harness.setProcessingTime(3_600_000);
            // The first result went out as soon as the second named it; the second, the leaf,
            // waits for the signature.
            List<TaskResult> out = output(harness);
            assertThat(out)
                    .extracting(r -> r.getLineage().getSeq() + "/" + r.getLineage().getBatchSize())
                    .containsExactly("1/0");
            assertThat(harness.numProcessingTimeTimers()).isZero();

            harness.prepareSnapshotPreBarrier(1);
            out.addAll(output(harness));

            assertThat(out).extracting(r -> r.getLineage().getSeq()).containsExactly(1L, 2L);
            assertThat(out).extracting(r -> r.getLineage().getBatchSize()).containsExactly(0, 1);
            assertThat(verify(out).failures()).isEmpty();
        }
    }

    @Test
    void onlyEachTenantsNewestResultWaitsForTheSignature() throws Exception {
        try (var harness = harness(100, null)) {
            harness.open();
            for (int i = 1; i <= 7; i++) {
                harness.processElement(
                        LineageVerifierTest.result(i % 3 == 0 ? "globex" : "acme", i), 0);
            }
            // acme has 1, 2, 4, 5, 7 and globex 3, 6: all but 7 and 6 are out, covered.
            List<TaskResult> early = output(harness);
            assertThat(early)
                    .extracting(TaskResult::getTaskId)
                    .containsExactly("task-1", "task-2", "task-4", "task-3", "task-5");
            assertThat(early)
                    .extracting(r -> r.getLineage().getBatchSize())
                    .containsOnly(0)
                    .hasSize(5);
            assertThat(early).extracting(r -> r.getLineage().getSignature()).containsOnly("");

            harness.prepareSnapshotPreBarrier(1);
            List<TaskResult> leaves = output(harness);

            assertThat(leaves)
                    .extracting(r -> r.getTaskId() + " " + r.getLineage().getSeq())
                    .containsExactly("task-7 5", "task-6 2");
            assertThat(leaves)
                    .extracting(r -> r.getLineage().getBatchIndex())
                    .containsExactly(0, 1);
            List<TaskResult> all = new ArrayList<>(early);
            all.addAll(leaves);
            LineageVerifier.Report report = verify(all);
            assertThat(report.failures()).isEmpty();
            assertThat(report.signaturesChecked()).isEqualTo(1);
        }
    }

    @Test
    void aRestoreGoesOnFromTheCheckpointedHeadWithNoForkAndNoGap() throws Exception {
        List<TaskResult> committed = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var harness = harness(100)) {
            harness.open();
            harness.processElement(LineageVerifierTest.result("acme", 1), 0);
            harness.processElement(LineageVerifierTest.result("acme", 2), 0);
            // The barrier signs and emits what is pending before the snapshot is taken.
            harness.prepareSnapshotPreBarrier(1);
            snapshot = harness.snapshot(1, 0);
            committed.addAll(output(harness));
            // Results after the checkpoint, lost with the transaction that the failure aborts.
            harness.processElement(LineageVerifierTest.result("acme", 3), 0);
            harness.prepareSnapshotPreBarrier(2);
            assertThat(output(harness)).hasSize(1);
        }
        try (var restored = harness(100)) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement(LineageVerifierTest.result("acme", 3), 0);
            restored.processElement(LineageVerifierTest.result("acme", 4), 0);
            restored.endInput();
            committed.addAll(output(restored));
        }

        assertThat(committed)
                .extracting(r -> r.getLineage().getSeq())
                .containsExactly(1L, 2L, 3L, 4L);
        LineageVerifier.Report report = verify(committed);
        assertThat(report.failures()).isEmpty();
        assertThat(report.signaturesChecked()).isEqualTo(2);
    }

    @Test
    void eachTenantGoesOnFromItsOwnHeadAfterARestore() throws Exception {
        List<TaskResult> committed = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var harness = harness(3)) {
            harness.open();
            harness.processElement(LineageVerifierTest.result("acme", 1), 0);
            harness.processElement(LineageVerifierTest.result("acme", 2), 0);
            // globex's result fills the batch: the flush writes both tenants' heads.
            harness.processElement(LineageVerifierTest.result("globex", 3), 0);
            harness.processElement(LineageVerifierTest.result("globex", 4), 0);
            harness.endInput();
            snapshot = harness.snapshot(1, 0);
            committed.addAll(output(harness));
        }
        try (var restored = harness(3)) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement(LineageVerifierTest.result("globex", 5), 0);
            restored.processElement(LineageVerifierTest.result("acme", 6), 0);
            restored.endInput();
            committed.addAll(output(restored));
        }

        assertThat(committed)
                .extracting(r -> r.getTenant() + " " + r.getLineage().getSeq())
                .containsExactly("acme 1", "acme 2", "globex 1", "globex 2", "globex 3", "acme 3");
        LineageVerifier.Report report = verify(committed);
        assertThat(report.failures()).isEmpty();
        assertThat(report.signaturesChecked()).isEqualTo(3);
    }

    @Test
    void aMissingKeyIsRefusedWithWhereItLooked() {
        KeySource fromEnv = new KeySource(null, "HIVESTREAM_LINEAGE_KEY", null);

        assertThatThrownBy(() -> fromEnv.load(Map.of()))
                .hasMessage(
                        "environment variable HIVESTREAM_LINEAGE_KEY holds no signing key; set it"
                                + " to the PKCS#8 PEM of the key");
        assertThatThrownBy(() -> new KeySource("a.pem", "B", null))
                .hasMessageStartingWith(
                        "name the signing key with exactly one of a key file or an environment"
                                + " variable holding its PEM (got both)");
        assertThatThrownBy(
                        () ->
                                new KeySource(dir.resolve("none.pem").toString(), null, null)
                                        .load(Map.of()))
                .hasMessageStartingWith(
                        "cannot read the signing key file " + dir.resolve("none.pem"));
    }
}
