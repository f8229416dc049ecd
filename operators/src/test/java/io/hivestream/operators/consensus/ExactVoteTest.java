package io.hivestream.operators.consensus;

import static io.hivestream.operators.consensus.Vote.Ballot.answered;
import static io.hivestream.operators.consensus.Vote.Ballot.failed;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.consensus.Vote.Outcome;
import io.hivestream.operators.consensus.Vote.Spec;
import io.hivestream.operators.consensus.Vote.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExactVoteTest {
    private final Vote vote = new ExactVote();

    @Test
    void aQuorumOfEqualAnswersWinsAndTheOthersSayHowTheyDiffer() {
        Outcome outcome =
                vote.decide(
                        List.of(
                                answered(0, "a0", "Paris"),
                                answered(1, "a1", "Lyon"),
                                answered(2, "a2", "paris.")),
                        Spec.of(3, 2));

        assertThat(outcome)
                .isEqualTo(
                        new Outcome(
                                "Paris",
                                List.of(
                                        Verdict.AGREED,
                                        new Verdict(
                                                false, "'Lyon' differs from the winner 'Paris'"),
                                        Verdict.AGREED),
                                List.of("a0", "a2"),
                                2,
                                null));
    }

    @Test
    void aTieBelowTheQuorumHasNoWinner() {
        Outcome outcome =
                vote.decide(
                        List.of(
                                answered(0, "a0", "x"),
                                answered(1, "a1", "y"),
                                answered(2, "a2", "x"),
                                answered(3, "a3", "y")),
                        Spec.of(4, 3));

        assertThat(outcome.decided()).isFalse();
        assertThat(outcome.why())
                .isEqualTo("no answer reached the quorum of 3 (largest agreement: 2 of 4)");
        assertThat(outcome.verdicts()).containsOnly(Verdict.UNDECIDED);
        assertThat(outcome.agreeing()).isEmpty();
    }

    @Test
    void noBallotsHaveNoWinner() {
        Outcome outcome = vote.decide(List.of(), Spec.of(3, 2));

        assertThat(outcome)
                .isEqualTo(
                        new Outcome(
                                null,
                                List.of(),
                                List.of(),
                                0,
                                "no answer reached the quorum of 2 (largest agreement: 0 of 3)"));
    }

    @Test
    void failuresAndEmptyAnswersDoNotCountAndSayWhy() {
        Outcome outcome =
                vote.decide(
                        List.of(
                                failed(0, "a0", "timed out"),
                                answered(1, "a1", "  "),
                                failed(2, "a2", "429")),
                        Spec.of(3, 2));

        assertThat(outcome.decided()).isFalse();
        assertThat(outcome.verdicts())
                .containsExactly(
                        new Verdict(null, "failed: timed out"),
                        new Verdict(null, "empty answer"),
                        new Verdict(null, "failed: 429"));
    }

    @Test
    void oneAgentVotesOnceEvenForTwoReplicas() {
        Outcome outcome =
                vote.decide(
                        List.of(
                                answered(0, "s", "x"),
                                answered(1, "s", "x"),
                                answered(2, "b", "y")),
                        Spec.of(3, 2));

        assertThat(outcome.decided()).isFalse();
        assertThat(outcome.support()).isEqualTo(1);
    }

    @Test
    void aDecisionOnPartOfTheRepliesIsReachedAsSoonAsAQuorumAgrees() {
        Outcome early =
                vote.decide(
                        List.of(answered(0, "a0", "x"), answered(3, "a3", "X")),
                        Spec.of(3, 2).withPending(1));

        assertThat(early.winner()).isEqualTo("x");
        assertThat(vote.agrees("x", " X. ", Spec.of(3, 2))).isTrue();
        assertThat(vote.agrees("x", "y", Spec.of(3, 2))).isFalse();
        assertThat(vote.agrees("x", null, Spec.of(3, 2))).isFalse();
    }

    @Test
    void longAnswersAreQuotedShortInReasons() {
        String longAnswer = "word ".repeat(30);
        Outcome outcome =
                vote.decide(
                        List.of(
                                answered(0, "a0", "x"),
                                answered(1, "a1", "x"),
                                answered(2, "a2", longAnswer)),
                        Spec.of(3, 2));

        assertThat(outcome.verdicts().get(2).reason())
                .isEqualTo("'" + "word ".repeat(11) + "wo...' differs from the winner 'x'");
    }
}
