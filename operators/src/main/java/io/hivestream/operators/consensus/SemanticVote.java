package io.hivestream.operators.consensus;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Answers clustered by the cosine similarity of their embeddings: two answers are alike when their
 * similarity reaches the threshold. Each answer's cluster is the set of agents whose answers are
 * alike to it; the answer with the largest cluster wins when that cluster reaches the quorum (ties:
 * the higher summed similarity, then the earlier answer). As a quorum is more than half the
 * replicas, any larger cluster found later overlaps the winner's.
 */
public final class SemanticVote implements Vote {
    private static final long serialVersionUID = 1L;

    private final TextEmbedder embedder;

    public SemanticVote(TextEmbedder embedder) {
        this.embedder = Objects.requireNonNull(embedder, "embedder");
    }

    @Override
    public Outcome decide(List<Ballot> ballots, Spec spec) {
        boolean[] votes = Votes.firstPerAgent(ballots);
        float[][] vectors = new float[ballots.size()][];
        for (int i = 0; i < ballots.size(); i++) {
            Ballot ballot = ballots.get(i);
            if (ballot.hasAnswer()) {
                float[] vector = embedder.embed(ballot.output());
                vectors[i] = norm(vector) > 0 ? vector : null;
            }
        }
        int best = -1;
        Set<String> bestCluster = Set.of();
        double bestSum = -1;
        for (int i = 0; i < ballots.size(); i++) {
            if (!votes[i] || vectors[i] == null) {
                continue;
            }
            Set<String> cluster = new LinkedHashSet<>();
            double sum = 0;
            for (int j = 0; j < ballots.size(); j++) {
                if (votes[j] && vectors[j] != null) {
                    double similarity = cosine(vectors[i], vectors[j]);
                    if (similarity >= spec.threshold()) {
                        cluster.add(ballots.get(j).agentId());
                        sum += similarity;
                    }
                }
            }
            // Sums within rounding of each other are a tie, which the earlier answer wins.
            if (cluster.size() > bestCluster.size()
                    || (cluster.size() == bestCluster.size() && sum > bestSum + 1e-9)) {
                best = i;
                bestCluster = cluster;
                bestSum = sum;
            }
        }
        boolean decided = best >= 0 && bestCluster.size() >= spec.quorum();
        List<Verdict> verdicts = new ArrayList<>(ballots.size());
        for (int i = 0; i < ballots.size(); i++) {
            Ballot ballot = ballots.get(i);
            Verdict unusable = Votes.unusable(ballot, decided);
            if (unusable != null) {
                verdicts.add(unusable);
            } else if (vectors[i] == null) {
                verdicts.add(new Verdict(decided ? false : null, "the answer has no embedding"));
            } else if (!decided) {
                verdicts.add(Verdict.UNDECIDED);
            } else {
                double similarity = cosine(vectors[i], vectors[best]);
                verdicts.add(
                        similarity >= spec.threshold()
                                ? Verdict.AGREED
                                : new Verdict(
                                        false,
                                        String.format(
                                                Locale.ROOT,
                                                "similarity %.2f to the winner is below %.2f",
                                                similarity,
                                                spec.threshold())));
            }
        }
        return new Outcome(
                decided ? ballots.get(best).output() : null,
                verdicts,
                decided ? List.copyOf(bestCluster) : List.of(),
                bestCluster.size(),
                decided
                        ? null
                        : Votes.noQuorum(spec.quorum(), bestCluster.size(), spec.replicas()));
    }

    @Override
    public boolean agrees(String winner, String output, Spec spec) {
        if (output == null || output.isBlank()) {
            return false;
        }
        float[] a = embedder.embed(winner);
        float[] b = embedder.embed(output);
        return norm(a) > 0 && norm(b) > 0 && cosine(a, b) >= spec.threshold();
    }

    static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalStateException(
                    "the embedder returned vectors of lengths " + a.length + " and " + b.length);
        }
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
        }
        return dot / (norm(a) * norm(b));
    }

    private static double norm(float[] vector) {
        double sum = 0;
        for (float x : vector) {
            sum += (double) x * x;
        }
        return Math.sqrt(sum);
    }
}
