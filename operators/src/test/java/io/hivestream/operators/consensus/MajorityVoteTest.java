package io.hivestream.operators.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.operators.consensus.MajorityVote.Ballot;
import io.hivestream.operators.consensus.MajorityVote.Outcome;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MajorityVoteTest {
    private static List<Ballot> ballots(String... outputs) {
        return IntStream.range(0, outputs.length)
                .mapToObj(i -> new Ballot("a" + i, outputs[i]))
                .toList();
    }

    @Test
    void normaliseIgnoresCaseSurroundingAndRepeatedSpacesAndAFinalFullStop() {
        assertThat(MajorityVote.normalise("  The  Answer\tis\n42. ")).isEqualTo("the answer is 42");
        assertThat(MajorityVote.normalise("Paris .")).isEqualTo("paris");
        assertThat(MajorityVote.normalise("Paris")).isEqualTo("paris");
    }

    @Test
    void normaliseKeepsOtherPunctuationAndOnlyOneFinalFullStop() {
        assertThat(MajorityVote.normalise("Paris!")).isEqualTo("paris!");
        assertThat(MajorityVote.normalise("etc..")).isEqualTo("etc.");
        assertThat(MajorityVote.normalise("3.14")).isEqualTo("3.14");
    }

    @Test
    void differentlyWrittenSameAnswersReachTheQuorum() {
        Outcome outcome = MajorityVote.decide(ballots("Paris.", "  paris", "Lyon"), 2);

        assertThat(outcome).isEqualTo(new Outcome("Paris.", List.of("a0", "a1"), 2));
        assertThat(outcome.decided()).isTrue();
    }

    @Test
    void theWinnerIsTheFirstSpellingGiven() {
        Outcome outcome = MajorityVote.decide(ballots("Lyon", "PARIS", "Paris.", "paris"), 3);

        assertThat(outcome.winner()).isEqualTo("PARIS");
        assertThat(outcome.agreeing()).containsExactly("a1", "a2", "a3");
        assertThat(outcome.support()).isEqualTo(3);
    }

    @Test
    void anAgentThatAnsweredSeveralReplicasVotesOnce() {
        List<Ballot> ballots =
                List.of(
                        new Ballot("primary-0", "wrong"),
                        new Ballot("spare", "right"),
                        new Ballot("spare", "right"));

        Outcome outcome = MajorityVote.decide(ballots, 2);

        assertThat(outcome).isEqualTo(new Outcome(null, List.of(), 1));
    }

    @Test
    void tooFewAgreeingAnswersDecideNothing() {
        Outcome outcome = MajorityVote.decide(ballots("4", "4", "5", "6", "7"), 3);

        assertThat(outcome).isEqualTo(new Outcome(null, List.of(), 2));
        assertThat(outcome.decided()).isFalse();
    }

    @Test
    void aTieWithoutQuorumDecidesNothing() {
        Outcome outcome = MajorityVote.decide(ballots("yes", "no", "Yes", "No"), 3);

        assertThat(outcome).isEqualTo(new Outcome(null, List.of(), 2));
    }

    @Test
    void noBallotsDecideNothing() {
        assertThat(MajorityVote.decide(List.of(), 1)).isEqualTo(new Outcome(null, List.of(), 0));
    }

    @Test
    void failedBlankAndEmptyAnswersDoNotVote() {
        List<Ballot> ballots =
                Arrays.asList(new Ballot("a0", null), new Ballot("a1", "  "), new Ballot("a2", ""));

        assertThat(MajorityVote.decide(ballots, 1)).isEqualTo(new Outcome(null, List.of(), 0));
    }

    @Test
    void malformedAnswersThatDifferDecideNothing() {
        Outcome outcome =
                MajorityVote.decide(ballots("\u0000<<malformed 1>>", "\u0000<<malformed 2>>"), 2);

        assertThat(outcome).isEqualTo(new Outcome(null, List.of(), 1));
    }

    @Test
    void failuresDoNotCountAgainstTheAnswersThatAgree() {
        List<Ballot> ballots =
                List.of(new Ballot("a0", null), new Ballot("a1", "42"), new Ballot("a2", "42"));

        assertThat(MajorityVote.decide(ballots, 2))
                .isEqualTo(new Outcome("42", List.of("a1", "a2"), 2));
    }

    @Test
    void anOutputIsTheWinnerWhenItNormalisesToTheWinningAnswer() {
        Outcome outcome = MajorityVote.decide(ballots("Paris", "paris.", "Lyon"), 2);

        assertThat(outcome.isWinner(" PARIS ")).isTrue();
        assertThat(outcome.isWinner("Lyon")).isFalse();
        assertThat(outcome.isWinner(null)).isFalse();
        assertThat(outcome.isWinner(" ")).isFalse();
    }

    @Test
    void withoutAWinnerNoOutputIsTheWinner() {
        Outcome outcome = MajorityVote.decide(ballots("Paris", "Lyon"), 2);

        assertThat(outcome.isWinner("Paris")).isFalse();
    }

    @Test
    void quorumMustBeAtLeastOne() {
        assertThatThrownBy(() -> MajorityVote.decide(ballots("x"), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("quorum must be at least 1: 0");
    }
}
