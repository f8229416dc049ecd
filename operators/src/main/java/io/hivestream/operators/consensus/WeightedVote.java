package io.hivestream.operators.consensus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reputation-weighted majority on normalised answers: an answer wins when the weights of the agents
 * behind it add up to more than half of the weight of all replicas. Replicas that have not answered
 * (yet, or at all) count at {@link Reputation#MAX_WEIGHT}, so a decision on part of the replies is
 * final and absent replicas cannot help a minority. The task's count quorum does not apply: a
 * trusted minority may outvote agents with a poor record, but, as weights stay within [{@link
 * Reputation#MIN_WEIGHT}, {@link Reputation#MAX_WEIGHT}], never when it is f of 3f+1.
 */
public final class WeightedVote implements Vote {
    private static final long serialVersionUID = 1L;

    @Override
    public Outcome decide(List<Ballot> ballots, Spec spec) {
        boolean[] votes = Votes.firstPerAgent(ballots);
        Set<String> replied = Votes.agents(ballots);
        double total = 0;
        for (String agent : replied) {
            total += spec.weight(agent);
        }
        total += Math.max(0, spec.replicas() - replied.size()) * Reputation.MAX_WEIGHT;

        Map<String, Set<String>> groups = new LinkedHashMap<>();
        Map<String, String> firstSpelling = new LinkedHashMap<>();
        for (int i = 0; i < ballots.size(); i++) {
            Ballot ballot = ballots.get(i);
            if (votes[i] && ballot.hasAnswer()) {
                String key = MajorityVote.normalise(ballot.output());
                groups.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(ballot.agentId());
                firstSpelling.putIfAbsent(key, ballot.output());
            }
        }
        String best = null;
        double bestWeight = 0;
        for (Map.Entry<String, Set<String>> group : groups.entrySet()) {
            double weight = 0;
            for (String agent : group.getValue()) {
                weight += spec.weight(agent);
            }
            if (weight > bestWeight) {
                best = group.getKey();
                bestWeight = weight;
            }
        }
        boolean decided = best != null && bestWeight > total / 2;
        String winner = decided ? firstSpelling.get(best) : null;
        List<Verdict> verdicts = new ArrayList<>(ballots.size());
        for (Ballot ballot : ballots) {
            Verdict unusable = Votes.unusable(ballot, decided);
            if (unusable != null) {
                verdicts.add(unusable);
            } else if (!decided) {
                verdicts.add(Verdict.UNDECIDED);
            } else if (MajorityVote.normalise(ballot.output()).equals(best)) {
                verdicts.add(Verdict.AGREED);
            } else {
                verdicts.add(
                        new Verdict(
                                false,
                                Votes.quote(ballot.output())
                                        + " differs from the winner "
                                        + Votes.quote(winner)));
            }
        }
        List<String> agreeing = best == null ? List.of() : List.copyOf(groups.get(best));
        return new Outcome(
                winner,
                verdicts,
                decided ? agreeing : List.of(),
                agreeing.size(),
                decided
                        ? null
                        : String.format(
                                Locale.ROOT,
                                "no answer carried more than half of the replicas' weight"
                                        + " (largest: %.2f of %.2f, from %d of %d agents)",
                                bestWeight,
                                total,
                                agreeing.size(),
                                spec.replicas()));
    }

    @Override
    public boolean agrees(String winner, String output, Spec spec) {
        return new ExactVote().agrees(winner, output, spec);
    }
}
