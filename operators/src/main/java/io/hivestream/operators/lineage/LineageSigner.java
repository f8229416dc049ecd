package io.hivestream.operators.lineage;

import io.hivestream.schemas.Lineage;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.internal.ChainHead;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Links results into their tenant's chain and signs them, one signature per batch over the Merkle
 * root of the batch's result hashes (a batch of one signs its single result). Plain logic: the
 * signing stage calls it; tests and benchmarks call it directly.
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
     * batch fields and signature come from {@link #sign}. The task hash, when the result carries
     * one, is kept. The lineage is set on {@code result} itself, which is returned: the caller
     * hands the record over.
     */
    public Linked link(TaskResult result, ChainHead head) {
        String taskSha256 =
                result.getLineage() == null ? null : result.getLineage().getTaskSha256();
        List<String> answers = LineageHashes.answerHashes(result, taskSha256);
        long seq = head == null ? 1 : head.getSeq() + 1;
        Lineage lineage =
                Lineage.newBuilder()
                        .setVersion(LineageHashes.VERSION)
                        .setTaskSha256(taskSha256)
                        .setAnswerSha256(new ArrayList<>(answers))
                        .setVoteSha256(LineageHashes.voteHash(result, answers))
                        .setStepsSha256(LineageHashes.stepsRoot(result.getSubtasks()))
                        .setSeq(seq)
                        .setPreviousSha256(
                                head == null ? Canonical.GENESIS : head.getResultSha256())
                        .setKeyId(key.keyId())
                        .setAlgorithm(key.algorithm().recordedName())
                        .build();
        result.setLineage(lineage);
        String hash = LineageHashes.resultHash(result);
        lineage.setResultSha256(hash);
        return new Linked(result, new ChainHead(seq, hash));
    }

    /** Signs linked results as one batch: sets each one's proof and the shared signature. */
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
