package io.hivestream.operators.analyse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.hivestream.operators.analyse.CostAwareThreshold.Choice;
import io.hivestream.operators.analyse.CostAwareThreshold.Tier;
import org.junit.jupiter.api.Test;

class CostAwareThresholdTest {
    // EDGE: right on every easy task and never on a hard one, at cost 1; CLOUD always right, 10.
    private static final Tier EDGE = new Tier(1, 1, 1);
    private static final Tier CLOUD = new Tier(1, 0, 10);

    @Test
    void choosesTheCheapestThresholdThatKeepsTheTargetQuality() {
        // Two easy tasks scored 0.1 and 0.45, two hard ones 0.3 and 0.8.
        double[] scores = {0.1, 0.45, 0.3, 0.8};
        boolean[] cloud = {false, false, true, true};

        // Full quality needs both hard tasks at CLOUD: 0.11 to 0.30 send 0.3, 0.45 and 0.8 there.
        Choice full = CostAwareThreshold.choose(scores, cloud, 1.0, EDGE, CLOUD);
        assertThat(full.threshold()).isEqualTo(0.11);
        assertThat(full.quality()).isEqualTo(1.0);
        assertThat(full.cost()).isEqualTo((1 + 10 + 10 + 10) / 4.0);

        // 75% lets one hard task go to EDGE: from 0.46 only 0.8 is at CLOUD.
        Choice three = CostAwareThreshold.choose(scores, cloud, 0.75, EDGE, CLOUD);
        assertThat(three.threshold()).isEqualTo(0.46);
        assertThat(three.quality()).isEqualTo(0.75);
        assertThat(three.cost()).isEqualTo((1 + 1 + 1 + 10) / 4.0);
        assertThat(three.saved()).isCloseTo(1 - 13 / 40.0, within(1e-12));
        assertThat(three.toString())
                .isEqualTo(
                        "cloud threshold 0.46 for 75% of always-CLOUD quality: quality 0.750"
                                + " (always-CLOUD 1.000), cost saved 67.5%");
    }

    @Test
    void aHardTaskScoredZeroLeavesOnlyAlwaysCloudAtFullQuality() {
        Choice all =
                CostAwareThreshold.choose(
                        new double[] {0.0, 0.9}, new boolean[] {true, false}, 1.0, EDGE, CLOUD);
        assertThat(all.threshold()).isEqualTo(0.0);
        assertThat(all.saved()).isEqualTo(0.0);
    }

    @Test
    void refusesMismatchedInputsAndTargetsOutsideTheRange() {
        assertThatThrownBy(
                        () ->
                                CostAwareThreshold.choose(
                                        new double[] {0.5}, new boolean[0], 0.9, EDGE, CLOUD))
                .hasMessage("need as many labels as scores, and at least one: 1 scores, 0 labels");
        assertThatThrownBy(
                        () ->
                                CostAwareThreshold.choose(
                                        new double[] {0.5}, new boolean[] {true}, 1.5, EDGE, CLOUD))
                .hasMessage("target quality must be in (0, 1]: 1.5");
    }
}
