package io.hivestream.operators.consensus;

import java.util.ArrayList;
import java.util.List;

/**
 * Exact majority on normalised answers ({@link MajorityVote}): the answer given by at least a
 * quorum of agents wins. With a quorum above half the replicas no later reply can change a winner,
 * so a decision on part of the replies is final.
 */
public final class ExactVote implements Vote {
    private static final long serialVersionUID = 1L;

    @Override
    public Outcome decide(List<Ballot> ballots, Spec spec) {
        List<MajorityVote.Ballot> plain = new ArrayList<>(ballots.size());
        for (Ballot ballot : ballots) {
            plain.add(new MajorityVote.Ballot(ballot.agentId(), ballot.output()));
        }
        MajorityVote.Outcome outcome = MajorityVote.decide(plain, spec.quorum());
        List<Verdict> verdicts = new ArrayList<>(ballots.size());
        for (Ballot ballot : ballots) {
            Verdict unusable = Votes.unusable(ballot, outcome.decided());
            if (unusable != null) {
                verdicts.add(unusable);
            } else if (!outcome.decided()) {
                verdicts.add(Verdict.UNDECIDED);
            } else if (outcome.isWinner(ballot.output())) {
                verdicts.add(Verdict.AGREED);
            } else {
                verdicts.add(
                        new Verdict(
                                false,
                                Votes.quote(ballot.output())
                                        + " differs from the winner "
                                        + Votes.quote(outcome.winner())));
            }
        }
        return new Outcome(
                outcome.winner(),
                verdicts,
                outcome.agreeing(),
                outcome.support(),
                outcome.decided()
                        ? null
                        : Votes.noQuorum(spec.quorum(), outcome.support(), spec.replicas()));
    }

    @Override
    public boolean agrees(String winner, String output, Spec spec) {
        return output != null
                && !output.isBlank()
                && MajorityVote.normalise(output).equals(MajorityVote.normalise(winner));
    }
}
