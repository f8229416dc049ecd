package io.hivestream.operators.consensus;

import static io.hivestream.operators.consensus.Vote.Ballot.answered;
import static io.hivestream.operators.consensus.Vote.Ballot.failed;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.consensus.Vote.Outcome;
import io.hivestream.operators.consensus.Vote.Spec;
import io.hivestream.operators.consensus.Vote.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class NumericVoteTest {
    private final Vote vote = new NumericVote();

    @Test
    void theMedianWinsWithTheAnswersWithinTheTolerance() {
        Outcome outcome =
                vote.decide(
                        List.of(
                                answered(0, "a0", "99.5"),
                                answered(1, "a1", "100"),
                                answered(2, "a2", "1e6"),
                                answered(3, "a3", "100.4")),
                        Spec.of(4, 3).withTolerance(0.5));

        assertThat(outcome)
                .isEqualTo(
                        new Outcome(
                                "100",
                                List.of(
                                        Verdict.AGREED,
                                        Verdict.AGREED,
                                        new Verdict(
                                                false,
                                                "1000000 is 999900 from the median 100 (tolerance"
                                                        + " 0.5)"),
                                        Verdict.AGREED),
                                List.of("a0", "a1", "a3"),
                                3,
                                null));
    }

    @Test
    void differentSpellingsOfOneNumberAgreeWithoutTolerance() {
        Outcome outcome =
                vote.decide(
                        List.of(
                                answered(0, "a0", "84."),
                                answered(1, "a1", "+84.00"),
                                answered(2, "a2", "8.4e1")),
                        Spec.of(3, 2));

        assertThat(outcome.winner()).isEqualTo("84");
        assertThat(outcome.support()).isEqualTo(3);
    }

    @Test
    void decimalRoundingDoesNotSplitEqualSums() {
        assertThat(vote.agrees("0.3", String.valueOf(0.1 + 0.2), Spec.of(3, 2))).isTrue();
    }

    @Test
    void twoGroupsBelowTheQuorumHaveNoWinner() {
        Outcome outcome =
                vote.decide(
                        List.of(
                                answered(0, "a0", "1"),
                                answered(1, "a1", "2"),
                                answered(2, "a2", "1"),
                                answered(3, "a3", "2")),
                        Spec.of(4, 3));

        assertThat(outcome.decided()).isFalse();
        assertThat(outcome.why())
                .isEqualTo("no answer reached the quorum of 3 (largest agreement: 2 of 4)");
    }

    @Test
    void answersThatAreNoNumbersDoNotCount() {
        Outcome outcome =
                vote.decide(
                        List.of(
                                answered(0, "a0", "about twelve"),
                                answered(1, "a1", "NaN"),
                                failed(2, "a2", "down")),
                        Spec.of(3, 2));

        assertThat(outcome.decided()).isFalse();
        assertThat(outcome.verdicts())
                .containsExactly(
                        new Verdict(null, "'about twelve' is not a number"),
                        new Verdict(null, "'NaN' is not a number"),
                        new Verdict(null, "failed: down"));
        assertThat(outcome.why())
                .isEqualTo("no answer reached the quorum of 2 (largest agreement: 0 of 3)");
        assertThat(vote.decide(List.of(), Spec.of(3, 2)).decided()).isFalse();
    }

    @Test
    void theLowerMedianOfAnEvenCountIsANumberSomeAgentGave() {
        Outcome outcome =
                vote.decide(
                        List.of(answered(0, "a0", "10"), answered(1, "a1", "12")),
                        Spec.of(2, 2).withTolerance(2));

        assertThat(outcome.winner()).isEqualTo("10");
    }

    @Test
    void numbersAreParsedAndWrittenPlainly() {
        assertThat(NumericVote.parse(" -0.50 ")).isEqualTo(-0.5);
        assertThat(NumericVote.parse("1,000")).isNull();
        assertThat(NumericVote.parse("Infinity")).isNull();
        assertThat(NumericVote.parse(".")).isNull();
        assertThat(NumericVote.format(1e21)).isEqualTo("1000000000000000000000");
        assertThat(NumericVote.format(-0.0)).isEqualTo("0");
        assertThat(NumericVote.format(2.50)).isEqualTo("2.5");
    }
}
