package io.hivestream.operators.consensus;

import static io.hivestream.operators.consensus.Vote.Ballot.answered;
import static io.hivestream.operators.consensus.Vote.Ballot.failed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.operators.consensus.Vote.Outcome;
import io.hivestream.operators.consensus.Vote.Spec;
import io.hivestream.operators.consensus.Vote.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class SemanticVoteTest {
    private static final TableEmbedder EMBEDDER =
            new TableEmbedder(3)
                    .put("Paris is the capital.", 1f, 0.1f, 0f)
                    .put("The capital is Paris.", 1f, 0f, 0.1f)
                    .put("It's Paris", 0.9f, 0.1f, 0.1f)
                    .put("Lyon", 0f, 1f, 0f)
                    .put("Lyon, surely", 0.1f, 1f, 0f)
                    .put("Marseille", 0f, 0f, 1f);

    private final Vote vote = new SemanticVote(EMBEDDER);

    @Test
    void paraphrasesFormOneClusterAndTheBestConnectedAnswerWins() {
        Outcome outcome =
                vote.decide(
                        List.of(
                                answered(0, "a0", "Paris is the capital."),
                                answered(1, "a1", "Lyon"),
                                answered(2, "a2", "The capital is Paris."),
                                answered(3, "a3", "It's Paris")),
                        Spec.of(4, 3));

        assertThat(outcome.winner()).isEqualTo("It's Paris");
        assertThat(outcome.agreeing()).containsExactly("a0", "a2", "a3");
        assertThat(outcome.support()).isEqualTo(3);
        assertThat(outcome.verdicts())
                .containsExactly(
                        Verdict.AGREED,
                        new Verdict(false, "similarity 0.11 to the winner is below 0.85"),
                        Verdict.AGREED,
                        Verdict.AGREED);
    }

    @Test
    void twoClustersOfEqualSizeBelowTheQuorumHaveNoWinner() {
        Outcome outcome =
                vote.decide(
                        List.of(
                                answered(0, "a0", "Paris is the capital."),
                                answered(1, "a1", "Lyon"),
                                answered(2, "a2", "The capital is Paris."),
                                answered(3, "a3", "Lyon, surely")),
                        Spec.of(4, 3));

        assertThat(outcome.decided()).isFalse();
        assertThat(outcome.why())
                .isEqualTo("no answer reached the quorum of 3 (largest agreement: 2 of 4)");
    }

    @Test
    void aLowerThresholdJoinsWhatAHigherOneKeepsApart() {
        List<Vote.Ballot> ballots =
                List.of(
                        answered(0, "a0", "Lyon"),
                        answered(1, "a1", "Lyon, surely"),
                        answered(2, "a2", "Marseille"));

        assertThat(vote.decide(ballots, Spec.of(3, 2).withThreshold(0.999)).decided()).isFalse();
        assertThat(vote.decide(ballots, Spec.of(3, 2)).winner()).isEqualTo("Lyon");
    }

    @Test
    void answersWithoutAnEmbeddingAndFailuresDoNotCount() {
        Outcome outcome =
                vote.decide(
                        List.of(
                                answered(0, "a0", "\u0000garbage"),
                                failed(1, "a1", "down"),
                                answered(2, "a2", "")),
                        Spec.of(3, 2));

        assertThat(outcome.decided()).isFalse();
        assertThat(outcome.verdicts())
                .containsExactly(
                        new Verdict(null, "the answer has no embedding"),
                        new Verdict(null, "failed: down"),
                        new Verdict(null, "empty answer"));
        assertThat(vote.decide(List.of(), Spec.of(3, 2)).why())
                .isEqualTo("no answer reached the quorum of 2 (largest agreement: 0 of 3)");
    }

    @Test
    void aLateAnswerAgreesWhenItIsCloseToTheWinner() {
        Spec spec = Spec.of(3, 2);

        assertThat(vote.agrees("Paris is the capital.", "It's Paris", spec)).isTrue();
        assertThat(vote.agrees("Paris is the capital.", "Lyon", spec)).isFalse();
        assertThat(vote.agrees("Paris is the capital.", "unknown text", spec)).isFalse();
    }

    @Test
    void vectorsOfDifferentLengthsAreAnError() {
        assertThatThrownBy(() -> SemanticVote.cosine(new float[2], new float[3]))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the embedder returned vectors of lengths 2 and 3");
    }

    @Test
    void theBagOfWordsEmbedderMakesAnswersWithTheSameWordsAlike() {
        BagOfWordsEmbedder words = new BagOfWordsEmbedder();

        assertThat(SemanticVote.cosine(words.embed("Paris, France"), words.embed("france PARIS")))
                .isEqualTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(words.embed("!!!")).containsOnly(0f);
    }
}
