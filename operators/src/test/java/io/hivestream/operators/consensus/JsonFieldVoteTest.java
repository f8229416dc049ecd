package io.hivestream.operators.consensus;

import static io.hivestream.operators.consensus.Vote.Ballot.answered;
import static io.hivestream.operators.consensus.Vote.Ballot.failed;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.consensus.Vote.Outcome;
import io.hivestream.operators.consensus.Vote.Spec;
import io.hivestream.operators.consensus.Vote.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonFieldVoteTest {
    private final Vote vote = new JsonFieldVote();

    @Test
    void eachFieldIsVotedOnByItself() {
        Outcome outcome =
                vote.decide(
                        List.of(
                                answered(0, "a0", "{\"name\": \"Ada\", \"age\": 36}"),
                                answered(1, "a1", "{\"age\":36,\"name\":\"Ada\",\"x\":1}"),
                                answered(2, "a2", "{\"name\": \"Ada\", \"age\": 37}"),
                                answered(3, "a3", "{\"name\": \"Bob\", \"age\": 36}")),
                        Spec.of(4, 3));

        assertThat(outcome.winner()).isEqualTo("{\"name\":\"Ada\",\"age\":36}");
        assertThat(outcome.agreeing()).containsExactly("a0", "a1");
        assertThat(outcome.support()).isEqualTo(2);
        assertThat(outcome.verdicts())
                .containsExactly(
                        Verdict.AGREED,
                        Verdict.AGREED,
                        new Verdict(false, "differs from the winner in field age"),
                        new Verdict(false, "differs from the winner in field name"));
    }

    @Test
    void aFieldGivenOftenEnoughWithoutAQuorumOnItsValueLeavesTheVoteUndecided() {
        Outcome outcome =
                vote.decide(
                        List.of(
                                answered(0, "a0", "{\"a\": 1, \"b\": 1}"),
                                answered(1, "a1", "{\"a\": 1, \"b\": 2}"),
                                answered(2, "a2", "{\"a\": 1, \"b\": 3}")),
                        Spec.of(3, 2));

        assertThat(outcome.decided()).isFalse();
        assertThat(outcome.why())
                .isEqualTo(
                        "no value of field 'b' reached the quorum of 2 (largest agreement: 1 of"
                                + " 3)");
    }

    @Test
    void aFieldThatPendingRepliesCouldStillGiveKeepsTheWindowOpen() {
        List<Vote.Ballot> ballots =
                List.of(answered(0, "a0", "{\"a\": 1}"), answered(1, "a1", "{\"a\": 1, \"b\": 2}"));

        assertThat(vote.decide(ballots, Spec.of(4, 3).withPending(2)).decided()).isFalse();
        assertThat(vote.decide(ballots, Spec.of(2, 2)).winner()).isEqualTo("{\"a\":1}");
    }

    @Test
    void answersThatAreNoObjectsDoNotCount() {
        Outcome outcome =
                vote.decide(
                        List.of(
                                answered(0, "a0", "[1, 2]"),
                                answered(1, "a1", "{\"a\": 1} trailing"),
                                answered(2, "a2", "not json"),
                                failed(3, "a3", "down")),
                        Spec.of(4, 3));

        assertThat(outcome.decided()).isFalse();
        assertThat(outcome.verdicts())
                .containsExactly(
                        new Verdict(null, "'[1, 2]' is not a JSON object"),
                        new Verdict(null, "'{\"a\": 1} trailing' is not a JSON object"),
                        new Verdict(null, "'not json' is not a JSON object"),
                        new Verdict(null, "failed: down"));
        assertThat(outcome.why())
                .isEqualTo("no answer reached the quorum of 3 (largest agreement: 0 of 4)");
    }

    @Test
    void emptyObjectsDecideNothing() {
        Outcome outcome =
                vote.decide(
                        List.of(answered(0, "a0", "{}"), answered(1, "a1", "{}")), Spec.of(2, 2));

        assertThat(outcome.decided()).isFalse();
        assertThat(vote.decide(List.of(), Spec.of(3, 2)).decided()).isFalse();
    }

    @Test
    void fieldsDecidedByDifferentQuorumsStillMakeTheWinner() {
        Outcome outcome =
                vote.decide(
                        List.of(
                                answered(0, "a0", "{\"a\": 1, \"b\": 1}"),
                                answered(1, "a1", "{\"a\": 1, \"b\": 1}"),
                                answered(2, "a2", "{\"a\": 1, \"b\": 9}"),
                                answered(3, "a3", "{\"a\": 9, \"b\": 1}")),
                        Spec.of(4, 3));

        assertThat(outcome.winner()).isEqualTo("{\"a\":1,\"b\":1}");
        assertThat(outcome.agreeing()).containsExactly("a0", "a1");
    }

    @Test
    void aLateAnswerAgreesWhenItHasEveryWinningField() {
        Spec spec = Spec.of(3, 2);

        assertThat(vote.agrees("{\"a\":1}", "{\"b\": 2, \"a\": 1}", spec)).isTrue();
        assertThat(vote.agrees("{\"a\":1}", "{\"a\": 2}", spec)).isFalse();
        assertThat(vote.agrees("{\"a\":1}", "oops", spec)).isFalse();
    }
}
