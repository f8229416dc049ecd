package io.hivestream.operators.lineage;

import io.hivestream.schemas.Lineage;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.internal.ChainHead;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Links results into their tenant's chain and signs them, one signature per batch over the Merkle
 * root of the hashes of its leaves. A tenant's last result in a batch is a leaf and carries the
 * proof and signature; the results before it carry none ({@link #cover}), since the chain links
 * each of them to that leaf. {@link #seal} does both for a batch given as chain segments; the
 * signing stage covers each result as soon as a newer one of its tenant is linked, and signs the
 * leaves ({@link #sign}). Plain logic: the signing stage calls it; tests and benchmarks call it
 * directly.
 */
public final class LineageSigner {
    private final LineageKeys.SigningKey key;

    public LineageSigner(LineageKeys.SigningKey key) {
        this.key = key;
    }

    public LineageKeys.SigningKey key() {
        return key;
    }

    /** A result linked after the tenant's chain head (null: the first of its chain). */
    public record Linked(TaskResult result, ChainHead head) {}

    /**
     * Computes the result's lineage hashes, links it after {@code head} and names the key; the
     * batch fields and signature come from {@link #seal} or {@link #sign}. The task hash, when the
     * result carries one, is kept. The lineage is set on {@code result} itself, which is returned:
     * the caller hands the record over.
     */
    public Linked link(TaskResult result, ChainHead head) {
        String taskSha256 =
                result.getLineage() == null ? null : result.getLineage().getTaskSha256();
        List<String> answers = LineageHashes.answerHashes(result, taskSha256);
        long seq = head == null ? 1 : head.getSeq() + 1;
        Lineage lineage = TaskHash.LINEAGES.make();
        lineage.setVersion(LineageHashes.VERSION);
        lineage.setTaskSha256(taskSha256);
        // answerHashes made the list for this result alone.
        lineage.setAnswerSha256(answers);
        lineage.setVoteSha256(LineageHashes.voteHash(result, answers));
        lineage.setStepsSha256(LineageHashes.stepsRoot(result.getSubtasks()));
        lineage.setSeq(seq);
        lineage.setPreviousSha256(head == null ? Canonical.GENESIS : head.getResultSha256());
        lineage.setKeyId(key.keyId());
        lineage.setAlgorithm(key.algorithm().recordedName());
        result.setLineage(lineage);
        String hash = LineageHashes.resultHash(result);
        lineage.setResultSha256(hash);
        return new Linked(result, new ChainHead(seq, hash));
    }

    /**
     * Signs a batch given as chain segments, each one tenant's linked results in chain order: one
     * signature over the Merkle root of the segments' last results, which carry their proofs and
     * the signature. The others get batch size 0, no proof and no signature: the result after each
     * names its hash, up to the segment's signed last result.
     */
    public void seal(List<List<TaskResult>> segments) {
        List<TaskResult> leaves = new ArrayList<>(segments.size());
        for (List<TaskResult> segment : segments) {
            if (segment.isEmpty()) {
                continue;
            }
            for (TaskResult covered : segment.subList(0, segment.size() - 1)) {
                cover(covered);
            }
            leaves.add(segment.get(segment.size() - 1));
        }
        sign(leaves);
    }

    /**
     * Marks a linked result as covered through its chain: batch size 0, no proof, no signature. A
     * newer result of its tenant names its hash, up to the tenant's leaf in the batch, so it needs
     * nothing from the batch's signature and can be written before the batch is signed.
     */
    public static void cover(TaskResult result) {
        Lineage lineage = result.getLineage();
        lineage.setBatchSize(0);
        lineage.setBatchIndex(0);
        lineage.setProof(List.of());
        lineage.setSignature("");
    }

    /**
     * Signs linked results as one batch, each a leaf: sets each one's proof and the shared
     * signature.
     */
    public void sign(List<TaskResult> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<String> leaves = new ArrayList<>(batch.size());
        for (TaskResult result : batch) {
            leaves.add(result.getLineage().getResultSha256());
        }
        Merkle.Tree tree = Merkle.tree(leaves);
        String signature =
                Base64.getEncoder()
                        .encodeToString(
                                key.sign(
                                        LineageHashes.batchBytes(
                                                key.keyId(),
                                                key.algorithm().recordedName(),
                                                batch.size(),
                                                tree.root())));
        for (int i = 0; i < batch.size(); i++) {
            Lineage lineage = batch.get(i).getLineage();
            lineage.setBatchSize(batch.size());
            lineage.setBatchIndex(i);
            lineage.setProof(tree.proofs().get(i));
            lineage.setSignature(signature);
        }
    }
}
