package io.hivestream.operators.lineage;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.Lineage;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.SubtaskResult;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.internal.ChainHead;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each kind of tampering is caught, with its reason; untouched chains pass. */
class LineageVerifierTest {
    static final LineageKeys.SigningKey ED = key(SignatureAlgorithm.ED25519, "ed-1");
    static final LineageKeys.SigningKey ED_NEXT = key(SignatureAlgorithm.ED25519, "ed-2");
    static final LineageKeys.SigningKey ML = key(SignatureAlgorithm.ML_DSA_65, "");

    static LineageKeys.SigningKey key(SignatureAlgorithm algorithm, String id) {
        LineageKeys.Generated generated = LineageKeys.generate(algorithm, id, new SecureRandom());
        return LineageKeys.signingKey(generated.privatePem(), generated.keyId(), "test key");
    }

    static TaskResult result(String tenant, int i) {
        AgentAnswer a = answer("agent-a", "answer " + i, 0.001 * i);
        AgentAnswer b = answer("agent-b", "answer " + i, 0.002);
        return TaskResult.newBuilder()
                .setTaskId("task-" + i)
                .setTenant(tenant)
                .setKind("math")
                .setStatus(TaskStatus.COMPLETED)
                .setOutput("answer " + i)
                .setStrategy(Strategy.CONSENSUS)
                .setAgents(List.of("agent-a", "agent-b"))
                .setAnswers(List.of(a, b))
                .setAgreement(1.0)
                .setVote("exact")
                .setTokensIn(20)
                .setTokensOut(8)
                .setCostUsd(a.getCostUsd() + b.getCostUsd())
                .setLatencyMs(40)
                .setCompletedAt(1_700_000_000_000L + i)
                .setMetadata(Map.of("b", "2", "a", "1"))
                .setLineage(
                        Lineage.newBuilder()
                                .setTaskSha256(
                                        Canonical.hex(Canonical.sha256(new byte[] {(byte) i})))
                                .build())
                .build();
    }

    static AgentAnswer answer(String agent, String output, double cost) {
        return AgentAnswer.newBuilder()
                .setAgentId(agent)
                .setModel("m-1")
                .setOutput(output)
                .setAgreed(true)
                .setTokensIn(10)
                .setTokensOut(4)
                .setCostUsd(cost)
                .build();
    }

    /**
     * Results of one tenant chained and sealed by {@code key} in batches of {@code batch}, as the
     * signing stage does: the last result of each batch signed.
     */
    static List<TaskResult> chain(LineageKeys.SigningKey key, String tenant, int n, int batch) {
        return chain(key, tenant, n, batch, false);
    }

    /** The same, with every result a signed leaf of its batch when {@code everyOne}. */
    static List<TaskResult> chain(
            LineageKeys.SigningKey key, String tenant, int n, int batch, boolean everyOne) {
        LineageSigner signer = new LineageSigner(key);
        List<TaskResult> out = new ArrayList<>();
        List<TaskResult> pending = new ArrayList<>();
        ChainHead head = null;
        for (int i = 1; i <= n; i++) {
            LineageSigner.Linked linked = signer.link(result(tenant, i), head);
            head = linked.head();
            pending.add(linked.result());
            if (pending.size() == batch) {
                seal(signer, pending, everyOne);
                out.addAll(pending);
                pending = new ArrayList<>();
            }
        }
        if (!pending.isEmpty()) {
            seal(signer, pending, everyOne);
            out.addAll(pending);
        }
        return out;
    }

    static void seal(LineageSigner signer, List<TaskResult> batch, boolean everyOne) {
        if (everyOne) {
            signer.sign(batch);
        } else {
            signer.seal(List.of(batch));
        }
    }

    static LineageVerifier.Report verify(List<TaskResult> results, LineageKeys.SigningKey... keys) {
        List<LineageKeys.VerifyingKey> publicKeys = new ArrayList<>();
        for (LineageKeys.SigningKey key : keys) {
            publicKeys.add(LineageKeys.publicKeyOf(key));
        }
        LineageVerifier verifier = new LineageVerifier(publicKeys);
        for (int i = 0; i < results.size(); i++) {
            verifier.accept("partition 0", "line " + (i + 1), results.get(i));
        }
        return verifier.finish();
    }

    static TaskResult copy(TaskResult result) {
        return TaskResult.newBuilder(result)
                .setLineage(Lineage.newBuilder(result.getLineage()).build())
                .build();
    }

    @Test
    void anUntouchedChainPassesWithEitherAlgorithmAndAnyBatchSize() {
        for (LineageKeys.SigningKey key : List.of(ED, ML)) {
            for (int batch : List.of(1, 3, 10)) {
                LineageVerifier.Report report = verify(chain(key, "acme", 7, batch), key);
                assertThat(report.failures()).as("%s, batch %d", key, batch).isEmpty();
                assertThat(report.results()).isEqualTo(7);
                assertThat(report.tenants()).isEqualTo(1);
                assertThat(report.signaturesChecked()).isEqualTo((7 + batch - 1) / batch);
                assertThat(report.ok()).isTrue();
            }
        }
    }

    @Test
    void aBatchIsSignedOnceByTheLastResultOfEachTenant() {
        LineageSigner signer = new LineageSigner(ML);
        List<TaskResult> acme = new ArrayList<>();
        List<TaskResult> globex = new ArrayList<>();
        ChainHead acmeHead = null;
        for (int i = 1; i <= 3; i++) {
            LineageSigner.Linked linked = signer.link(result("acme", i), acmeHead);
            acmeHead = linked.head();
            acme.add(linked.result());
        }
        globex.add(signer.link(result("globex", 4), null).result());

        signer.seal(List.of(acme, globex));

        assertThat(acme)
                .extracting(
                        r -> r.getLineage().getBatchSize(),
                        r -> r.getLineage().getBatchIndex(),
                        r -> r.getLineage().getProof().size(),
                        r -> r.getLineage().getSignature().isEmpty())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(0, 0, 0, true),
                        org.assertj.core.groups.Tuple.tuple(0, 0, 0, true),
                        org.assertj.core.groups.Tuple.tuple(2, 0, 1, false));
        assertThat(globex.get(0).getLineage().getBatchIndex()).isEqualTo(1);
        assertThat(globex.get(0).getLineage().getSignature())
                .isEqualTo(acme.get(2).getLineage().getSignature());
        List<TaskResult> all = new ArrayList<>(acme);
        all.addAll(globex);
        LineageVerifier.Report report = verify(all, ML);
        assertThat(report.failures()).isEmpty();
        assertThat(report.signaturesChecked()).isEqualTo(1);
        assertThat(report.tenants()).isEqualTo(2);
    }

    @Test
    void resultsEachSignedAsALeafVerifyToo() {
        for (int batch : List.of(1, 3)) {
            List<TaskResult> results = chain(ED, "acme", 5, batch, true);
            assertThat(results).allMatch(r -> !r.getLineage().getSignature().isEmpty());
            assertThat(verify(results, ED).failures()).isEmpty();
        }
    }

    @Test
    void resultsWhoseSigningResultIsMissingAreCaught() {
        List<TaskResult> results = chain(ED, "acme", 6, 4);
        results.remove(3);

        LineageVerifier.Report report = verify(results, ED);

        assertThat(report.failures())
                .extracting(LineageVerifier.Failure::toString)
                .containsExactly(
                        "line 4 (task task-5, tenant acme): result 4 of the chain is missing"
                                + " (dropped) before this one, seq 5",
                        "line 1 (task task-1, tenant acme): this result and the 2 after it carry"
                                + " no signature and no signed result covers them: the chain"
                                + " breaks after it (the result that signs a batch may be"
                                + " missing)");
    }

    @Test
    void aTenantsNewestResultsDroppedFromASharedBatchAreCaught() {
        LineageSigner signer = new LineageSigner(ED);
        List<TaskResult> acme = new ArrayList<>();
        List<TaskResult> globex = new ArrayList<>();
        ChainHead acmeHead = null;
        ChainHead globexHead = null;
        for (int i = 1; i <= 2; i++) {
            LineageSigner.Linked a = signer.link(result("acme", i), acmeHead);
            acmeHead = a.head();
            acme.add(a.result());
            LineageSigner.Linked g = signer.link(result("globex", 10 + i), globexHead);
            globexHead = g.head();
            globex.add(g.result());
        }
        signer.seal(List.of(acme, globex));

        // globex's whole chain so far is gone: nothing of its own shows it.
        LineageVerifier.Report report = verify(acme, ED);
        LineageVerifier oneTenant =
                new LineageVerifier(List.of(LineageKeys.publicKeyOf(ED)), false);
        for (int i = 0; i < acme.size(); i++) {
            oneTenant.accept("partition 0", "line " + (i + 1), acme.get(i));
        }

        assertThat(report.failures())
                .extracting(LineageVerifier.Failure::toString)
                .containsExactly(
                        "line 2 (task task-2, tenant acme): the batch this result's signature"
                                + " covers has 2 leaves but 1 were read: the newest results of"
                                + " another tenant in that batch are missing (dropped)");
        assertThat(oneTenant.finish().failures()).isEmpty();
        List<TaskResult> all = new ArrayList<>(acme);
        all.addAll(globex);
        assertThat(verify(all, ED).failures()).isEmpty();
    }

    @Test
    void aForgedResultLinkedAfterTheChainWithoutASignatureIsCaught() {
        List<TaskResult> results = chain(ED, "acme", 3, 3);
        ChainHead head = new ChainHead(3L, results.get(2).getLineage().getResultSha256());
        // Anyone can compute the hashes and the link; only the key holder can sign.
        LineageSigner forger = new LineageSigner(ED);
        TaskResult forged = forger.link(result("acme", 4), head).result();
        forged.getLineage().setBatchSize(0);
        results.add(forged);
        List<TaskResult> invented = new ArrayList<>();
        invented.add(new LineageSigner(ED).link(result("globex", 1), null).result());
        invented.get(0).getLineage().setBatchSize(0);
        results.addAll(invented);

        LineageVerifier.Report report = verify(results, ED);

        assertThat(report.failures())
                .extracting(LineageVerifier.Failure::toString)
                .containsExactlyInAnyOrder(
                        "line 4 (task task-4, tenant acme): this result carries no signature and"
                                + " no signed result covers it: no signed result of the chain"
                                + " follows it (the result that signs a batch may be missing)",
                        "line 5 (task task-1, tenant globex): this result carries no signature"
                                + " and no signed result covers it: no signed result of the chain"
                                + " follows it (the result that signs a batch may be missing)");
    }

    @Test
    void aResultWithoutALeafsBatchSizeButWithASignatureIsCheckedAsALeaf() {
        List<TaskResult> results = chain(ED, "acme", 2, 2);
        TaskResult odd = copy(results.get(1));
        odd.getLineage().setBatchSize(0);
        results.set(1, odd);

        LineageVerifier.Report report = verify(results, ED);

        assertThat(report.failures())
                .extracting(LineageVerifier.Failure::reason)
                .startsWith("the inclusion proof does not fit leaf 0 of a batch of 0");
    }

    @Test
    void aStrippedSignatureIsCaught() {
        List<TaskResult> results = chain(ED, "acme", 2, 2);
        TaskResult stripped = copy(results.get(1));
        stripped.getLineage().setBatchSize(0);
        stripped.getLineage().setProof(List.of());
        stripped.getLineage().setSignature("");
        results.set(1, stripped);

        LineageVerifier.Report report = verify(results, ED);

        assertThat(report.failures())
                .extracting(LineageVerifier.Failure::toString)
                .containsExactly(
                        "line 1 (task task-1, tenant acme): this result and the 1 after it carry"
                                + " no signature and no signed result covers them: no signed"
                                + " result of the chain follows it (the result that signs a batch"
                                + " may be missing)");
    }

    @Test
    void theChainLinksEachResultToTheOneBefore() {
        List<TaskResult> chain = chain(ED, "acme", 3, 1);

        assertThat(chain.get(0).getLineage().getSeq()).isEqualTo(1);
        assertThat(chain.get(0).getLineage().getPreviousSha256()).isEqualTo(Canonical.GENESIS);
        assertThat(chain.get(1).getLineage().getPreviousSha256())
                .isEqualTo(chain.get(0).getLineage().getResultSha256());
        assertThat(chain.get(2).getLineage().getSeq()).isEqualTo(3);
        assertThat(chain.get(2).getLineage().getKeyId()).isEqualTo("ed-1");
        assertThat(ML.keyId()).matches("sha256:[0-9a-f]{16}");
    }

    @Test
    void aChangedOutputIsCaught() {
        List<TaskResult> results = chain(ED, "acme", 4, 2);
        TaskResult changed = copy(results.get(1));
        changed.setOutput("forged");
        results.set(1, changed);

        LineageVerifier.Report report = verify(results, ED);

        assertThat(report.ok()).isFalse();
        // The changed result does not count as the chain's second: its place shows as a gap.
        assertThat(report.failures())
                .extracting(LineageVerifier.Failure::toString)
                .containsExactly(
                        "line 2 (task task-2, tenant acme): the vote does not match voteSha256:"
                                + " the vote was changed",
                        "line 3 (task task-3, tenant acme): result 2 of the chain is missing"
                                + " (dropped) before this one, seq 3",
                        // Result 1 was signed by result 2's signature, through the chain.
                        "line 1 (task task-1, tenant acme): this result carries no signature and"
                                + " no signed result covers it: the chain breaks after it (the"
                                + " result that signs a batch may be missing)");
    }

    @Test
    void aChangedOutputOfADirectResultIsCaughtByTheResultHash() {
        TaskResult direct =
                TaskResult.newBuilder(result("acme", 1)).setVote(null).setAgreement(null).build();
        LineageSigner signer = new LineageSigner(ED);
        TaskResult signed = signer.link(direct, null).result();
        signer.sign(List.of(signed));
        TaskResult changed = copy(signed);
        changed.setOutput("forged");

        LineageVerifier.Report report = verify(List.of(changed), ED);

        assertThat(report.failures().get(0).reason())
                .startsWith("the result hashes to ")
                .endsWith(
                        ", not to its resultSha256 "
                                + signed.getLineage().getResultSha256()
                                + ": a field of the result was changed");
    }

    @Test
    void aChangedCostOfAnAnswerIsCaught() {
        List<TaskResult> results = chain(ML, "acme", 3, 1);
        TaskResult changed = copy(results.get(2));
        List<AgentAnswer> answers = new ArrayList<>(changed.getAnswers());
        answers.set(0, AgentAnswer.newBuilder(answers.get(0)).setCostUsd(0.0).build());
        changed.setAnswers(answers);
        results.set(2, changed);

        LineageVerifier.Report report = verify(results, ML);

        assertThat(report.failures())
                .extracting(LineageVerifier.Failure::toString)
                .containsExactly(
                        "line 3 (task task-3, tenant acme): answer 0 (agent agent-a) does not"
                                + " match answerSha256[0]: the answer was changed");
    }

    @Test
    void aChangedTotalCostRehashedIsCaughtByTheSignature() {
        List<TaskResult> results = chain(ED, "acme", 2, 1);
        TaskResult changed = copy(results.get(0));
        changed.setCostUsd(0.0);
        changed.getLineage().setResultSha256(LineageHashes.resultHash(changed));
        results.set(0, changed);

        LineageVerifier.Report report = verify(results, ED);

        assertThat(report.failures().get(0).reason())
                .isEqualTo(
                        "the signature does not verify with key ed-1: not signed by that key, or"
                                + " the result was changed and rehashed");
    }

    @Test
    void aDroppedResultIsCaught() {
        List<TaskResult> results = chain(ED, "acme", 5, 2);
        TaskResult dropped = results.remove(2);

        LineageVerifier.Report report = verify(results, ED);

        assertThat(dropped.getLineage().getSeq()).isEqualTo(3);
        assertThat(report.failures())
                .extracting(LineageVerifier.Failure::toString)
                .containsExactly(
                        "line 3 (task task-4, tenant acme): result 3 of the chain is missing"
                                + " (dropped) before this one, seq 4");
    }

    @Test
    void twoResultsSwappedInAPartitionAreCaught() {
        List<TaskResult> results = chain(ED, "acme", 4, 4);
        Collections.swap(results, 1, 2);

        LineageVerifier.Report report = verify(results, ED);

        assertThat(report.failures())
                .extracting(LineageVerifier.Failure::toString)
                .containsExactly(
                        "line 3 (task task-2, tenant acme): out of order: seq 2 of tenant acme"
                                + " after seq 3 in partition 0");
    }

    @Test
    void resultsReadWithoutAnOrderAreCheckedBySeq() {
        List<TaskResult> results = chain(ED, "acme", 4, 4);
        Collections.swap(results, 1, 2);
        LineageVerifier verifier = new LineageVerifier(List.of(LineageKeys.publicKeyOf(ED)));
        for (int i = 0; i < results.size(); i++) {
            verifier.accept(null, "line " + (i + 1), results.get(i));
        }

        assertThat(verifier.finish().failures()).isEmpty();
    }

    @Test
    void twoResultsSwappedInTheChainAreCaught() {
        List<TaskResult> results = chain(ED, "acme", 4, 4);
        TaskResult second = copy(results.get(1));
        TaskResult third = copy(results.get(2));
        // Each takes the other's place in the chain.
        second.getLineage().setSeq(3);
        second.getLineage().setPreviousSha256(third.getLineage().getResultSha256());
        third.getLineage().setSeq(2);
        third.getLineage().setPreviousSha256(results.get(0).getLineage().getResultSha256());
        results.set(1, third);
        results.set(2, second);

        LineageVerifier.Report report = verify(results, ED);

        assertThat(report.failures()).extracting(LineageVerifier.Failure::reason).hasSize(4);
        assertThat(report.failures().get(0).toString())
                .startsWith("line 2 (task task-3, tenant acme): the result hashes to ")
                .endsWith(": a field of the result was changed");
        assertThat(report.failures().get(1).toString())
                .startsWith("line 3 (task task-2, tenant acme): the result hashes to ");
        assertThat(report.failures().get(2).toString())
                .isEqualTo(
                        "line 4 (task task-4, tenant acme): results 2 to 3 of the chain are"
                                + " missing (dropped) before this one, seq 4");
        assertThat(report.failures().get(3).toString())
                .startsWith(
                        "line 1 (task task-1, tenant acme): this result carries no signature and"
                                + " no signed result covers it: the chain breaks after it");
    }

    @Test
    void aReplayedResultIsCaught() {
        List<TaskResult> results = chain(ED, "acme", 3, 1);
        results.add(copy(results.get(0)));

        LineageVerifier.Report report = verify(results, ED);

        assertThat(report.failures())
                .extracting(LineageVerifier.Failure::toString)
                .containsExactly(
                        "line 4 (task task-1, tenant acme): replayed: the same result as seq 1"
                                + " of tenant acme, read before");
    }

    @Test
    void aForkIsCaught() {
        List<TaskResult> first = chain(ED, "acme", 2, 1);
        List<TaskResult> second = chain(ED, "acme", 1, 1);
        second.get(0).setTaskId("task-other");
        LineageSigner signer = new LineageSigner(ED);
        TaskResult other = signer.link(result("acme", 9), null).result();
        signer.sign(List.of(other));
        List<TaskResult> results = new ArrayList<>(first);
        results.add(other);

        LineageVerifier.Report report = verify(results, ED);

        assertThat(report.failures())
                .extracting(LineageVerifier.Failure::reason)
                .containsExactly(
                        "fork: a second result at seq 1 of tenant acme (the first is task task-1"
                                + " at line 1)");
    }

    @Test
    void aWrongKeyIsCaught() {
        List<TaskResult> results = chain(ED, "acme", 2, 1);
        LineageKeys.SigningKey impostor = key(SignatureAlgorithm.ED25519, "ed-1");

        LineageVerifier.Report report = verify(results, impostor);

        assertThat(report.failures()).hasSize(2);
        assertThat(report.failures().get(0).reason())
                .isEqualTo(
                        "the signature does not verify with key ed-1: not signed by that key, or"
                                + " the result was changed and rehashed");
        assertThat(report.summary())
                .startsWith("FAILED: 2 problems in 2 results of 0 tenants, 2 signatures checked;");
    }

    @Test
    void aRotatedKeyVerifiesWithBothPublicKeysAndNamesTheMissingOne() {
        List<TaskResult> before = chain(ED, "acme", 2, 1);
        LineageSigner next = new LineageSigner(ED_NEXT);
        ChainHead head = new ChainHead(2L, before.get(1).getLineage().getResultSha256());
        TaskResult third = next.link(result("acme", 3), head).result();
        next.sign(List.of(third));
        List<TaskResult> results = new ArrayList<>(before);
        results.add(third);

        assertThat(verify(results, ED, ED_NEXT).failures()).isEmpty();
        assertThat(third.getLineage().getKeyId()).isEqualTo("ed-2");
        assertThat(verify(results, ED_NEXT).failures())
                .extracting(LineageVerifier.Failure::toString)
                .containsExactly(
                        "line 1 (task task-1, tenant acme): signed with key ed-1, which is not"
                                + " among the public keys given [ed-2]",
                        "line 2 (task task-2, tenant acme): signed with key ed-1, which is not"
                                + " among the public keys given [ed-2]",
                        "line 3 (task task-3, tenant acme): results 1 to 2 of the chain are"
                                + " missing (dropped) before this one, seq 3");
    }

    @Test
    void anUnsignedResultIsCaught() {
        TaskResult unsigned = TaskResult.newBuilder(result("acme", 1)).setLineage(null).build();

        assertThat(verify(List.of(unsigned), ED).failures().get(0).reason())
                .isEqualTo("not signed: the result carries no lineage");
    }

    @Test
    void aChangedStepOfAPlanIsCaught() {
        SubtaskResult design =
                SubtaskResult.newBuilder()
                        .setTaskId("t-design")
                        .setStep("design")
                        .setRole("architect")
                        .setKind("chat")
                        .setStatus(TaskStatus.COMPLETED)
                        .setOutput("a design")
                        .build();
        SubtaskResult code =
                SubtaskResult.newBuilder(design)
                        .setTaskId("t-code")
                        .setStep("code")
                        .setRole("coder")
                        .setDependsOn(List.of("design"))
                        .setOutput("the code")
                        .build();
        TaskResult plan =
                TaskResult.newBuilder(result("acme", 1))
                        .setStrategy(Strategy.DECOMPOSE)
                        .setVote(null)
                        .setSubtasks(List.of(design, code))
                        .build();
        LineageSigner signer = new LineageSigner(ED);
        TaskResult signed = signer.link(plan, null).result();
        signer.sign(List.of(signed));
        assertThat(signed.getLineage().getStepsSha256()).hasSize(64);
        assertThat(verify(List.of(signed), ED).failures()).isEmpty();

        TaskResult changed = copy(signed);
        changed.setSubtasks(
                List.of(SubtaskResult.newBuilder(design).setOutput("another").build(), code));

        assertThat(verify(List.of(changed), ED).failures().get(0).reason())
                .isEqualTo("the plan's steps do not match stepsSha256: a step was changed");
    }
}
