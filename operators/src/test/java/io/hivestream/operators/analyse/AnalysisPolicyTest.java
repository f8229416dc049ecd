package io.hivestream.operators.analyse;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.Analysis;
import org.junit.jupiter.api.Test;

class AnalysisPolicyTest {
    /** Five step cues: First, then, After that, Finally, and "steps". */
    private static final String MULTI_STEP =
            "First collect the data, then clean it. After that fit a model. Finally report the"
                    + " steps.";

    private final AnalysisPolicy decomposing = new AnalysisPolicy(0.5, true, 0.8);

    @Test
    void theScoreAgainstTheCloudThresholdDecidesTheTier() {
        AnalysisPolicy policy = new AnalysisPolicy(0.5, false, 0.8);
        Task plain = task("t", "chat", "hello").build();

        assertThat(policy.decide(plain, 0.5).getTier()).isEqualTo(Tier.CLOUD);
        assertThat(policy.decide(plain, 0.4999).getTier()).isEqualTo(Tier.EDGE);
        assertThat(policy.decide(plain, 0.4999).getComplexity()).isEqualTo(0.4999);
    }

    @Test
    void withoutAutoDecomposeAComplexMultiStepTaskStaysDirect() {
        Task task = task("t", "chat", MULTI_STEP).build();

        assertThat(new AnalysisPolicy().decide(task, 0.99).getStrategy())
                .isEqualTo(Strategy.DIRECT);
    }

    @Test
    void autoDecomposeSplitsOnlyVeryComplexMultiStepTasks() {
        Task multiStep = task("t", "chat", MULTI_STEP).build();
        Task oneStep = task("t", "chat", "Prove the Riemann hypothesis.").build();

        Analysis decomposed = decomposing.decide(multiStep, 0.8);
        assertThat(decomposed.getStrategy()).isEqualTo(Strategy.DECOMPOSE);
        assertThat(decomposed.getReplicas()).isEqualTo(1);
        assertThat(decomposed.getQuorum()).isEqualTo(1);
        assertThat(decomposing.decide(multiStep, 0.79).getStrategy()).isEqualTo(Strategy.DIRECT);
        assertThat(decomposing.decide(oneStep, 0.99).getStrategy()).isEqualTo(Strategy.DIRECT);
    }

    @Test
    void autoDecomposeLeavesHintsConsensusAndSubtasksAlone() {
        Task hinted = task("t", "chat", MULTI_STEP).setStrategy(Strategy.DIRECT).build();
        Task voted = task("t", "chat", MULTI_STEP).setReplicas(3).build();
        Task subtask = task("t", "chat", MULTI_STEP).setParentId("root").build();

        assertThat(decomposing.decide(hinted, 0.99).getStrategy()).isEqualTo(Strategy.DIRECT);
        assertThat(decomposing.decide(voted, 0.99).getStrategy()).isEqualTo(Strategy.CONSENSUS);
        assertThat(decomposing.decide(voted, 0.99).getReplicas()).isEqualTo(3);
        assertThat(decomposing.decide(subtask, 0.99).getStrategy()).isEqualTo(Strategy.DIRECT);
    }

    @Test
    void thresholdsOutsideZeroToOneAreRefused() {
        assertThatThrownBy(() -> new AnalysisPolicy(1.5, false, 0.8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cloudThreshold must be in [0, 1]: 1.5");
        assertThatThrownBy(() -> new AnalysisPolicy(0.5, true, -0.1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("decomposeThreshold must be in [0, 1]: -0.1");
    }
}
