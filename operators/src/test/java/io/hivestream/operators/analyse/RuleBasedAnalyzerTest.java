package io.hivestream.operators.analyse;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.Analysis;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleBasedAnalyzerTest {
    private static final String QUESTION = "What is the capital of France?";

    /** 261 characters: four steps, code, three questions. */
    private static final String CODE_PLAN =
            "First, read the CSV file. Then parse every row. After that, group the rows by"
                    + " customer. Finally, write the totals to a new file.\n"
                    + "```\n"
                    + "def total(rows):\n"
                    + "    return sum(r.amount for r in rows)\n"
                    + "```\n"
                    + "Which library should I use? How do I handle bad rows? Can it stream?";

    private final RuleBasedAnalyzer analyzer = new RuleBasedAnalyzer();

    @Test
    void aShortQuestionScoresItsLengthAndOneQuestion() {
        // 0.45 * ln(1 + 30) / ln(1 + 4000) + 0.1 * (1 / 3) = 0.45 * 0.414017 + 0.033333
        assertThat(analyzer.score(task("t", "chat", QUESTION).build()))
                .isCloseTo(0.219641, within(0.000001));
    }

    @Test
    void aShortQuestionGoesToTheEdgeDirectly() {
        Analysis analysis = analyzer.analyse(task("t", "chat", QUESTION).build());

        assertThat(analysis.getComplexity()).isCloseTo(0.219641, within(0.000001));
        assertThat(analysis.getTier()).isEqualTo(Tier.EDGE);
        assertThat(analysis.getStrategy()).isEqualTo(Strategy.DIRECT);
        assertThat(analysis.getReplicas()).isEqualTo(1);
        assertThat(analysis.getQuorum()).isEqualTo(1);
        assertThat(analysis.getCapabilities()).containsExactly("chat");
    }

    @Test
    void aLongMultiStepCodePromptGoesToTheCloud() {
        // 0.45 * ln(262) / ln(4001) + 0.25 (code) + 0.1 (3 questions) + 0.2 (4 steps)
        Analysis analysis = analyzer.analyse(task("t", "code", CODE_PLAN).build());

        assertThat(CODE_PLAN).hasSize(261);
        assertThat(analysis.getComplexity()).isCloseTo(0.852106, within(0.000001));
        assertThat(analysis.getTier()).isEqualTo(Tier.CLOUD);
    }

    @Test
    void everyTermAtItsMaximumScoresOne() {
        String longest = CODE_PLAN + " ".repeat(4000);

        assertThat(analyzer.score(task("t", "code", longest).build())).isEqualTo(1.0);
    }

    @Test
    void theThresholdDecidesTheTier() {
        Task question = task("t", "chat", QUESTION).build();

        assertThat(new RuleBasedAnalyzer(0.2).analyse(question).getTier()).isEqualTo(Tier.CLOUD);
        assertThat(new RuleBasedAnalyzer(0.22).analyse(question).getTier()).isEqualTo(Tier.EDGE);
    }

    @Test
    void theTierHintWinsOverTheScore() {
        Analysis edge = analyzer.analyse(task("t", "code", CODE_PLAN).setTier(Tier.EDGE).build());
        Analysis cloud = analyzer.analyse(task("t", "chat", QUESTION).setTier(Tier.CLOUD).build());

        assertThat(edge.getTier()).isEqualTo(Tier.EDGE);
        assertThat(cloud.getTier()).isEqualTo(Tier.CLOUD);
    }

    @Test
    void theStrategyHintWinsOverTheReplicas() {
        Analysis direct =
                analyzer.analyse(
                        task("t", "chat", QUESTION)
                                .setReplicas(5)
                                .setQuorum(3)
                                .setStrategy(Strategy.DIRECT)
                                .build());

        assertThat(direct.getStrategy()).isEqualTo(Strategy.DIRECT);
        assertThat(direct.getReplicas()).isEqualTo(1);
        assertThat(direct.getQuorum()).isEqualTo(1);
    }

    @Test
    void aTaskToDecomposeKeepsItsStrategyWithOneReplica() {
        Analysis plan =
                analyzer.analyse(
                        task("t", "code", QUESTION).setStrategy(Strategy.DECOMPOSE).build());

        assertThat(plan.getStrategy()).isEqualTo(Strategy.DECOMPOSE);
        assertThat(plan.getReplicas()).isEqualTo(1);
        assertThat(plan.getQuorum()).isEqualTo(1);
    }

    @Test
    void aSubtaskOfAPlanIsNotDecomposedAgain() {
        Analysis single =
                analyzer.analyse(
                        task("r/a", "code", QUESTION)
                                .setStrategy(Strategy.DECOMPOSE)
                                .setParentId("r")
                                .setRootId("r")
                                .build());
        Analysis voted =
                analyzer.analyse(
                        task("r/b", "code", QUESTION)
                                .setStrategy(Strategy.DECOMPOSE)
                                .setReplicas(3)
                                .setParentId("r")
                                .build());

        assertThat(single.getStrategy()).isEqualTo(Strategy.DIRECT);
        assertThat(voted.getStrategy()).isEqualTo(Strategy.CONSENSUS);
        assertThat(voted.getReplicas()).isEqualTo(3);
        assertThat(voted.getQuorum()).isEqualTo(2);
    }

    @Test
    void consensusWithoutReplicasGetsThreeReplicasAndAQuorumOfTwo() {
        Analysis analysis =
                analyzer.analyse(
                        task("t", "chat", QUESTION).setStrategy(Strategy.CONSENSUS).build());

        assertThat(analysis.getStrategy()).isEqualTo(Strategy.CONSENSUS);
        assertThat(analysis.getReplicas()).isEqualTo(3);
        assertThat(analysis.getQuorum()).isEqualTo(2);
    }

    @Test
    void consensusWithoutReplicasIgnoresAQuorumMeantForOneReplica() {
        // A quorum of 1 is valid for the one replica the task asked for, not for the three it
        // gets: it would let a single answer win a vote.
        Analysis analysis =
                analyzer.analyse(
                        task("t", "chat", QUESTION)
                                .setStrategy(Strategy.CONSENSUS)
                                .setQuorum(1)
                                .build());

        assertThat(analysis.getReplicas()).isEqualTo(3);
        assertThat(analysis.getQuorum()).isEqualTo(2);
    }

    @Test
    void moreThanOneReplicaMeansConsensusWithAStrictMajority() {
        Analysis analysis = analyzer.analyse(task("t", "chat", QUESTION).setReplicas(4).build());

        assertThat(analysis.getStrategy()).isEqualTo(Strategy.CONSENSUS);
        assertThat(analysis.getReplicas()).isEqualTo(4);
        assertThat(analysis.getQuorum()).isEqualTo(3);
    }

    @Test
    void theTasksQuorumIsKeptForConsensus() {
        Analysis analysis =
                analyzer.analyse(task("t", "chat", QUESTION).setReplicas(5).setQuorum(5).build());

        assertThat(analysis.getReplicas()).isEqualTo(5);
        assertThat(analysis.getQuorum()).isEqualTo(5);
    }

    @Test
    void capabilitiesDefaultToTheKind() {
        Analysis byKind = analyzer.analyse(task("t", "summarize", QUESTION).build());
        Analysis given =
                analyzer.analyse(
                        task("t", "summarize", QUESTION)
                                .setCapabilities(List.of("summarize", "french"))
                                .build());

        assertThat(byKind.getCapabilities()).containsExactly("summarize");
        assertThat(given.getCapabilities()).containsExactly("summarize", "french");
    }

    @Test
    void theThresholdMustBeAShare() {
        assertThatThrownBy(() -> new RuleBasedAnalyzer(1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cloudThreshold must be in [0, 1]: 1.5");
        assertThatThrownBy(() -> new RuleBasedAnalyzer(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cloudThreshold must be in [0, 1]: NaN");
    }
}
