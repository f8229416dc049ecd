package io.hivestream.operators.lineage;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.Lineage;
import io.hivestream.schemas.SubtaskResult;
import io.hivestream.schemas.TaskResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The hashes of a result's lineage, each over the canonical bytes that docs/lineage.md specifies
 * field by field: of an answer, of the vote, of a plan's steps (a Merkle DAG: each step's hash
 * covers the hashes of the steps it depends on, the root is a Merkle tree over them) and of the
 * whole result. The signing stage computes them; the verifier recomputes them from a result as
 * read.
 */
public final class LineageHashes {
    public static final String ANSWER = "hivestream/answer/1";
    public static final String VOTE = "hivestream/vote/1";
    public static final String STEP = "hivestream/step/1";
    public static final String RESULT = "hivestream/result/1";
    public static final String BATCH = "hivestream/batch/1";
    public static final int VERSION = 1;

    private LineageHashes() {}

    /**
     * An answer to the task whose bytes hash to {@code requestSha256} (null when unknown). A cached
     * answer ends with {@code bool(true)}; an answer that is not cached ends at {@code simulated},
     * so the answers of results signed before the flag existed hash as they did.
     */
    public static byte[] answerBytes(AgentAnswer a, String requestSha256) {
        return answer(a, requestSha256).toByteArray();
    }

    private static Canonical answer(AgentAnswer a, String requestSha256) {
        Canonical bytes =
                new Canonical(ANSWER)
                        .optHash(requestSha256)
                        .str(a.getAgentId())
                        .optStr(a.getModel())
                        .optStr(a.getOutput())
                        .optStr(a.getError())
                        .optBool(a.getAgreed())
                        .optStr(a.getReason())
                        .optF64(a.getConfidence())
                        .i64(a.getLatencyMs())
                        .i64(a.getTokensIn())
                        .i64(a.getTokensOut())
                        .f64(a.getCostUsd())
                        .u32(a.getAttempts())
                        .bool(a.getSimulated());
        if (a.getCached()) {
            bytes.bool(true);
        }
        return bytes;
    }

    public static List<String> answerHashes(TaskResult result, String taskSha256) {
        List<String> hashes = new ArrayList<>(result.getAnswers().size());
        for (AgentAnswer answer : result.getAnswers()) {
            hashes.add(answer(answer, taskSha256).sha256());
        }
        return hashes;
    }

    /** The vote of a consensus result, over the answers it counted; null without a vote. */
    public static String voteHash(TaskResult result, List<String> answerHashes) {
        if (result.getVote() == null) {
            return null;
        }
        return new Canonical(VOTE)
                .str(result.getVote())
                .optF64(result.getAgreement())
                .strs(result.getAgents())
                .optStr(result.getOutput())
                .hashes(answerHashes)
                .sha256();
    }

    /** The Merkle root over a plan's step hashes; null for a result without steps. */
    public static String stepsRoot(List<SubtaskResult> steps) {
        if (steps.isEmpty()) {
            return null;
        }
        Map<String, SubtaskResult> byId = new HashMap<>();
        for (SubtaskResult step : steps) {
            byId.put(step.getStep(), step);
        }
        Map<String, String> memo = new HashMap<>();
        List<String> leaves = new ArrayList<>(steps.size());
        for (SubtaskResult step : steps) {
            leaves.add(stepHash(step, byId, memo, new ArrayList<>()));
        }
        return Merkle.root(leaves);
    }

    private static String stepHash(
            SubtaskResult step,
            Map<String, SubtaskResult> byId,
            Map<String, String> memo,
            List<String> path) {
        String known = memo.get(step.getStep());
        if (known != null) {
            return known;
        }
        if (path.contains(step.getStep())) {
            throw new IllegalArgumentException(
                    "the steps of the plan form a cycle through " + step.getStep());
        }
        path.add(step.getStep());
        List<String> dependencies = new ArrayList<>();
        for (String id : step.getDependsOn()) {
            SubtaskResult dependency = byId.get(id);
            if (dependency == null) {
                throw new IllegalArgumentException(
                        "step " + step.getStep() + " depends on " + id + ", which is not a step");
            }
            dependencies.add(stepHash(dependency, byId, memo, path));
        }
        path.remove(path.size() - 1);
        String hash =
                new Canonical(STEP)
                        .str(step.getTaskId())
                        .str(step.getStep())
                        .str(step.getRole())
                        .str(step.getKind())
                        .strs(step.getDependsOn())
                        .optEnum(step.getStatus())
                        .optStr(step.getOutput())
                        .optStr(step.getError())
                        .strs(step.getAgents())
                        .i64(step.getTokensIn())
                        .i64(step.getTokensOut())
                        .f64(step.getCostUsd())
                        .i64(step.getLatencyMs())
                        .hashes(dependencies)
                        .sha256();
        memo.put(step.getStep(), hash);
        return hash;
    }

    /**
     * The canonical bytes of a result whose lineage has its hashes, chain link, key id and
     * algorithm set; resultSha256, the batch fields and the signature are not part of them.
     */
    public static byte[] resultBytes(TaskResult r) {
        return result(r).toByteArray();
    }

    private static Canonical result(TaskResult r) {
        Lineage l = r.getLineage();
        Canonical bytes =
                new Canonical(RESULT)
                        .u32(l.getVersion())
                        .str(r.getTaskId())
                        .str(r.getTenant())
                        .optStr(r.getSessionId())
                        .str(r.getKind())
                        .str(r.getStatus().name())
                        .optStr(r.getOutput())
                        .optStr(r.getError())
                        .str(r.getStrategy().name())
                        .optEnum(r.getTier())
                        .optEnum(r.getAgentTier())
                        .optF64(r.getComplexity())
                        .strs(r.getAgents())
                        .hashes(l.getAnswerSha256())
                        .optF64(r.getAgreement())
                        .optStr(r.getVote())
                        .i64(r.getTokensIn())
                        .i64(r.getTokensOut())
                        .f64(r.getCostUsd())
                        .i64(r.getLatencyMs())
                        .bool(r.getSimulated())
                        .optStr(r.getParentId())
                        .optStr(r.getRootId())
                        .i64(r.getCompletedAt())
                        .optHash(l.getStepsSha256())
                        .map(r.getMetadata())
                        .optHash(l.getTaskSha256())
                        .optHash(l.getVoteSha256())
                        .i64(l.getSeq())
                        .hash(l.getPreviousSha256())
                        .str(l.getKeyId())
                        .str(l.getAlgorithm());
        // Results of an analyser that names no model end at the algorithm, as before the field.
        if (r.getAnalyzerModel() != null) {
            bytes.str(r.getAnalyzerModel());
        }
        return bytes;
    }

    public static String resultHash(TaskResult result) {
        return result(result).sha256();
    }

    /** The bytes one signature covers: a batch of results by the Merkle root of their hashes. */
    public static byte[] batchBytes(String keyId, String algorithm, int size, String root) {
        return new Canonical(BATCH).str(keyId).str(algorithm).u32(size).hash(root).toByteArray();
    }
}
