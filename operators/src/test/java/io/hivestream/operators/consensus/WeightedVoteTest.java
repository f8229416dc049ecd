package io.hivestream.operators.consensus;

import static io.hivestream.operators.consensus.Vote.Ballot.answered;
import static io.hivestream.operators.consensus.Vote.Ballot.failed;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.consensus.Vote.Outcome;
import io.hivestream.operators.consensus.Vote.Spec;
import io.hivestream.operators.consensus.Vote.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightedVoteTest {
    private final Vote vote = new WeightedVote();

    @Test
    void withoutReputationsEveryAgentWeighsTheSame() {
        Outcome outcome =
                vote.decide(
                        List.of(
                                answered(0, "a0", "x"),
                                answered(1, "a1", "y"),
                                answered(2, "a2", "X")),
                        Spec.of(3, 2));

        assertThat(outcome)
                .isEqualTo(
                        new Outcome(
                                "x",
                                List.of(
                                        Verdict.AGREED,
                                        new Verdict(false, "'y' differs from the winner 'x'"),
                                        Verdict.AGREED),
                                List.of("a0", "a2"),
                                2,
                                null));
    }

    @Test
    void trustedAgentsOutweighAMajorityWithAPoorRecord() {
        Spec spec =
                Spec.of(5, 3)
                        .withWeights(Map.of("t1", 1.0, "t2", 1.0, "p1", 0.5, "p2", 0.5, "p3", 0.5));

        Outcome outcome =
                vote.decide(
                        List.of(
                                answered(0, "t1", "x"),
                                answered(1, "t2", "x"),
                                answered(2, "p1", "y"),
                                answered(3, "p2", "z"),
                                answered(4, "p3", "w")),
                        spec);

        assertThat(outcome.winner()).isEqualTo("x");
        assertThat(outcome.agreeing()).containsExactly("t1", "t2");
    }

    @Test
    void aTieOfEqualWeightsHasNoWinner() {
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
                .isEqualTo(
                        "no answer carried more than half of the replicas' weight (largest: 1.50 of"
                                + " 3.00, from 2 of 4 agents)");
    }

    @Test
    void repliesStillPendingCountAtTheHighestWeight() {
        Spec spec = Spec.of(4, 3).withWeights(Map.of("a0", 1.0, "a1", 1.0)).withPending(2);

        Outcome early = vote.decide(List.of(answered(0, "a0", "x"), answered(1, "a1", "x")), spec);

        // 2.0 of 4.0 is no majority: the two pending replicas might both disagree.
        assertThat(early.decided()).isFalse();
    }

    @Test
    void weightsOutsideTheRangeAreClamped() {
        Spec spec = Spec.of(3, 2).withWeights(Map.of("big", 50.0, "tiny", 0.0, "nan", Double.NaN));

        assertThat(spec.weight("big")).isEqualTo(1.0);
        assertThat(spec.weight("tiny")).isEqualTo(0.5);
        assertThat(spec.weight("nan")).isEqualTo(0.75);
        assertThat(spec.weight("unknown")).isEqualTo(0.75);
        Outcome outcome =
                vote.decide(
                        List.of(
                                answered(0, "big", "x"),
                                answered(1, "tiny", "y"),
                                answered(2, "nan", "z")),
                        spec);
        assertThat(outcome.decided()).isFalse();
    }

    @Test
    void noBallotsAndOnlyFailuresHaveNoWinner() {
        assertThat(vote.decide(List.of(), Spec.of(3, 2)).why())
                .isEqualTo(
                        "no answer carried more than half of the replicas' weight (largest: 0.00 of"
                                + " 3.00, from 0 of 3 agents)");
        Outcome failures =
                vote.decide(List.of(failed(0, "a0", "down"), answered(1, "a1", "")), Spec.of(2, 2));
        assertThat(failures.verdicts())
                .containsExactly(
                        new Verdict(null, "failed: down"), new Verdict(null, "empty answer"));
    }

    @Test
    void reputationsMapToWeightsBetweenAHalfAndOne() {
        assertThat(Reputation.weight(0.0)).isEqualTo(0.5);
        assertThat(Reputation.weight(1.0)).isEqualTo(1.0);
        assertThat(Reputation.weight(Reputation.PRIOR)).isEqualTo(0.75);
        assertThat(Reputation.update(0.5, true)).isEqualTo(0.55);
        assertThat(Reputation.update(0.5, false)).isEqualTo(0.45);
    }
}
