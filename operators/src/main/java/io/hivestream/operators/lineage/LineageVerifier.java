package io.hivestream.operators.lineage;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.Lineage;
import io.hivestream.schemas.TaskResult;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks signed results as a reader sees them: each result's hashes against its content, the
 * inclusion proof and signature of a signed one against the public key it names, and each tenant's
 * chain: no result replayed, none out of order within one lane (a topic partition or a file), no
 * two at one position (a fork), no gap, every link to the result before, and every result that
 * carries no signature (batch size 0) followed, over unbroken links, by one that does: that
 * signature covers it through the chain; and, reading every tenant, every leaf of each signed
 * batch. Results are fed in the order read with {@link #accept}; {@link #finish} checks the chains
 * and reports. A batch's signature is checked once and remembered, so verifying costs one signature
 * check per batch.
 */
public final class LineageVerifier {
    /** One result that failed, where it was read and why. */
    public record Failure(String position, String taskId, String tenant, String reason) {
        @Override
        public String toString() {
            return position + " (task " + taskId + ", tenant " + tenant + "): " + reason;
        }
    }

    /** What a verification found. */
    public record Report(
            long results, int tenants, long signaturesChecked, List<Failure> failures) {
        public boolean ok() {
            return failures.isEmpty() && results > 0;
        }

        public String summary() {
            String counts =
                    results
                            + " results of "
                            + tenants
                            + " tenants, "
                            + signaturesChecked
                            + " signatures checked";
            if (results == 0) {
                return "FAILED: no results to verify";
            }
            return failures.isEmpty()
                    ? "OK: " + counts + ", every hash, proof, signature and chain link holds"
                    : "FAILED: "
                            + failures.size()
                            + " problems in "
                            + counts
                            + "; first: "
                            + failures.get(0);
        }
    }

    private record Link(
            String hash, String previous, String position, String taskId, boolean signed) {}

    private final Map<String, LineageKeys.VerifyingKey> keys;
    private final Map<String, Boolean> signatures = new HashMap<>();

    /** A signed batch as read: how many leaves it has, which were read, and where it was first. */
    private record Batch(
            int size, Set<Integer> read, String position, String taskId, String tenant) {}

    private final boolean wholeBatches;
    private final Map<String, Batch> batches = new HashMap<>();
    private final Map<String, TreeMap<Long, Link>> chains = new HashMap<>();
    private final Map<String, Long> seen = new HashMap<>();
    private final Map<String, Long> lastInLane = new HashMap<>();
    private final List<Failure> failures = new ArrayList<>();
    private long results;
    private boolean authentic;
    private boolean signed;
    private boolean repeated;

    /** A verifier that reads every result of the topic or file: every leaf of a batch. */
    public LineageVerifier(List<LineageKeys.VerifyingKey> keys) {
        this(keys, true);
    }

    /**
     * @param wholeBatches whether every result is read (not one tenant's alone), so that every leaf
     *     of each signed batch should be: a batch with a leaf missing shows a tenant's last results
     *     of the batch dropped, which its own chain cannot show when they were its newest
     */
    public LineageVerifier(List<LineageKeys.VerifyingKey> keys, boolean wholeBatches) {
        this.keys = new HashMap<>();
        for (LineageKeys.VerifyingKey key : keys) {
            this.keys.put(key.keyId(), key);
        }
        this.wholeBatches = wholeBatches;
    }

    /**
     * Checks one result, read from {@code lane} (null: none) at {@code position} (for the report).
     */
    public void accept(String lane, String position, TaskResult result) {
        results++;
        authentic = false;
        signed = false;
        repeated = false;
        String reason = check(lane, position, result);
        if (reason != null) {
            failures.add(new Failure(position, result.getTaskId(), result.getTenant(), reason));
        }
        Lineage l = result.getLineage();
        // A result that is authentic but out of order still holds its place in the chain; a
        // changed one does not, so its place shows as a gap too.
        if (authentic && !repeated && l.getSeq() > 0) {
            chains.computeIfAbsent(result.getTenant(), t -> new TreeMap<>())
                    .put(
                            l.getSeq(),
                            new Link(
                                    l.getResultSha256(),
                                    l.getPreviousSha256(),
                                    position,
                                    result.getTaskId(),
                                    signed));
            seen.put(result.getTenant() + "\n" + l.getResultSha256(), l.getSeq());
            if (lane != null) {
                lastInLane.merge(lane + "\n" + result.getTenant(), l.getSeq(), Math::max);
            }
        }
    }

    /** Counts a record that is not a result at all as a failure. */
    public void reject(String position, String reason) {
        results++;
        failures.add(new Failure(position, "?", "?", reason));
    }

    /**
     * Checks every tenant's chain for gaps, broken links and results no signature covers, and
     * reports.
     */
    public Report finish() {
        for (Map.Entry<String, TreeMap<Long, Link>> chain : chains.entrySet()) {
            String tenant = chain.getKey();
            Link before = null;
            long expected = 1;
            // The results since the last signed one: covered only by a signed one after them.
            List<Link> uncovered = new ArrayList<>();
            for (Map.Entry<Long, Link> entry : chain.getValue().entrySet()) {
                long seq = entry.getKey();
                Link link = entry.getValue();
                boolean broken = false;
                if (seq != expected) {
                    broken = true;
                    failures.add(
                            new Failure(
                                    link.position(),
                                    link.taskId(),
                                    tenant,
                                    (seq - expected == 1
                                                    ? "result " + expected + " of the chain is"
                                                    : "results "
                                                            + expected
                                                            + " to "
                                                            + (seq - 1)
                                                            + " of the chain are")
                                            + " missing (dropped) before this one, seq "
                                            + seq));
                } else {
                    String previous = before == null ? Canonical.GENESIS : before.hash();
                    if (!link.previous().equals(previous)) {
                        broken = true;
                        failures.add(
                                new Failure(
                                        link.position(),
                                        link.taskId(),
                                        tenant,
                                        "previousSha256 of seq "
                                                + seq
                                                + " is "
                                                + link.previous()
                                                + " but the result before it hashes to "
                                                + previous
                                                + ": the chain is broken"));
                    }
                }
                if (broken) {
                    uncovered(tenant, uncovered, "the chain breaks after it");
                }
                if (link.signed()) {
                    uncovered.clear();
                } else {
                    uncovered.add(link);
                }
                before = link;
                expected = seq + 1;
            }
            uncovered(tenant, uncovered, "no signed result of the chain follows it");
        }
        if (wholeBatches) {
            for (Batch batch : batches.values()) {
                if (batch.read().size() < batch.size()) {
                    failures.add(
                            new Failure(
                                    batch.position(),
                                    batch.taskId(),
                                    batch.tenant(),
                                    "the batch this result's signature covers has "
                                            + batch.size()
                                            + " leaves but "
                                            + batch.read().size()
                                            + " were read: the newest results of another tenant"
                                            + " in that batch are missing (dropped)"));
                }
            }
        }
        return new Report(results, chains.size(), signatures.size(), List.copyOf(failures));
    }

    /** Reports results that carry no signature and that no signed one covers, then forgets them. */
    private void uncovered(String tenant, List<Link> links, String why) {
        if (links.isEmpty()) {
            return;
        }
        Link first = links.get(0);
        failures.add(
                new Failure(
                        first.position(),
                        first.taskId(),
                        tenant,
                        (links.size() == 1
                                        ? "this result carries no signature and no signed"
                                                + " result covers it: "
                                        : "this result and the "
                                                + (links.size() - 1)
                                                + " after it carry no signature and no signed"
                                                + " result covers them: ")
                                + why
                                + " (the result that signs a batch may be missing)"));
        links.clear();
    }

    private String check(String lane, String position, TaskResult result) {
        Lineage l = result.getLineage();
        if (l == null) {
            return "not signed: the result carries no lineage";
        }
        if (l.getVersion() != LineageHashes.VERSION) {
            return "lineage version "
                    + l.getVersion()
                    + " is not one this verifier knows ("
                    + LineageHashes.VERSION
                    + ")";
        }
        LineageKeys.VerifyingKey key = keys.get(l.getKeyId());
        if (key == null) {
            return "signed with key "
                    + l.getKeyId()
                    + ", which is not among the public keys given "
                    + keys.keySet();
        }
        if (!key.algorithm().recordedName().equals(l.getAlgorithm())) {
            return "says algorithm "
                    + l.getAlgorithm()
                    + " but key "
                    + l.getKeyId()
                    + " is "
                    + key.algorithm().recordedName();
        }
        String content;
        try {
            content = contentProblem(result, l);
        } catch (IllegalArgumentException e) {
            return "malformed lineage: " + e.getMessage();
        }
        if (content != null) {
            return content;
        }
        if (l.getBatchSize() == 0
                && l.getBatchIndex() == 0
                && l.getSignature().isEmpty()
                && l.getProof().isEmpty()) {
            // Covered by the signed result its chain leads to, which finish() looks for. Any
            // other result is checked as a leaf.
            authentic = true;
            return chainProblem(lane, result.getTenant(), l);
        }
        String signature = signatureProblem(key, l);
        if (signature != null) {
            return signature;
        }
        batches.computeIfAbsent(
                        batchKey(l),
                        k ->
                                new Batch(
                                        l.getBatchSize(),
                                        new HashSet<>(),
                                        position,
                                        result.getTaskId(),
                                        result.getTenant()))
                .read()
                .add(l.getBatchIndex());
        authentic = true;
        signed = true;
        return chainProblem(lane, result.getTenant(), l);
    }

    private static String contentProblem(TaskResult result, Lineage l) {
        List<String> answers = LineageHashes.answerHashes(result, l.getTaskSha256());
        if (answers.size() != l.getAnswerSha256().size()) {
            return "has "
                    + answers.size()
                    + " answers but "
                    + l.getAnswerSha256().size()
                    + " answer hashes: an answer was added or removed";
        }
        for (int i = 0; i < answers.size(); i++) {
            if (!answers.get(i).equalsIgnoreCase(l.getAnswerSha256().get(i))) {
                AgentAnswer answer = result.getAnswers().get(i);
                return "answer "
                        + i
                        + " (agent "
                        + answer.getAgentId()
                        + ") does not match answerSha256["
                        + i
                        + "]: the answer was changed";
            }
        }
        if (!Objects.equals(LineageHashes.voteHash(result, answers), l.getVoteSha256())) {
            return "the vote does not match voteSha256: the vote was changed";
        }
        if (!Objects.equals(LineageHashes.stepsRoot(result.getSubtasks()), l.getStepsSha256())) {
            return "the plan's steps do not match stepsSha256: a step was changed";
        }
        String hash = LineageHashes.resultHash(result);
        if (!hash.equalsIgnoreCase(l.getResultSha256())) {
            return "the result hashes to "
                    + hash
                    + ", not to its resultSha256 "
                    + l.getResultSha256()
                    + ": a field of the result was changed";
        }
        return null;
    }

    private String signatureProblem(LineageKeys.VerifyingKey key, Lineage l) {
        String root =
                Merkle.rootFromProof(
                        l.getResultSha256(), l.getBatchIndex(), l.getBatchSize(), l.getProof());
        if (root == null) {
            return "the inclusion proof does not fit leaf "
                    + l.getBatchIndex()
                    + " of a batch of "
                    + l.getBatchSize();
        }
        // The root belongs in the key: a copied signature over another root must not hit.
        String cacheKey = batchKey(l) + "\n" + root;
        Boolean valid = signatures.get(cacheKey);
        if (valid == null) {
            byte[] signature;
            try {
                signature = Base64.getDecoder().decode(l.getSignature());
            } catch (IllegalArgumentException e) {
                return "the signature is not Base64: " + e.getMessage();
            }
            valid =
                    key.verify(
                            LineageHashes.batchBytes(
                                    l.getKeyId(), l.getAlgorithm(), l.getBatchSize(), root),
                            signature);
            signatures.put(cacheKey, valid);
        }
        return valid
                ? null
                : "the signature does not verify with key "
                        + l.getKeyId()
                        + ": not signed by that key, or the result was changed and rehashed";
    }

    /**
     * What identifies the batch of a leaf whose signature verified: its key, size and signature
     * (which covers its root).
     */
    private static String batchKey(Lineage l) {
        return l.getKeyId() + "\n" + l.getBatchSize() + "\n" + l.getSignature();
    }

    private String chainProblem(String lane, String tenant, Lineage l) {
        if (l.getSeq() < 1) {
            return "seq " + l.getSeq() + " is not a position in a chain (they start at 1)";
        }
        Long earlier = seen.get(tenant + "\n" + l.getResultSha256());
        if (earlier != null) {
            repeated = true;
            return "replayed: the same result as seq "
                    + earlier
                    + " of tenant "
                    + tenant
                    + ", read before";
        }
        TreeMap<Long, Link> chain = chains.get(tenant);
        Link sameSeq = chain == null ? null : chain.get(l.getSeq());
        if (sameSeq != null) {
            repeated = true;
            return "fork: a second result at seq "
                    + l.getSeq()
                    + " of tenant "
                    + tenant
                    + " (the first is task "
                    + sameSeq.taskId()
                    + " at "
                    + sameSeq.position()
                    + ")";
        }
        Long last = lane == null ? null : lastInLane.get(lane + "\n" + tenant);
        if (last != null && last > l.getSeq()) {
            return "out of order: seq "
                    + l.getSeq()
                    + " of tenant "
                    + tenant
                    + " after seq "
                    + last
                    + " in "
                    + lane;
        }
        return null;
    }
}
