package io.hivestream.operators.analyse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UncertainBandTest {
    @Test
    void theLowerEdgeIsInsideAndTheUpperEdgeOutside() {
        UncertainBand band = new UncertainBand(0.1, 0.9);

        assertThat(band.contains(0.1)).isTrue();
        assertThat(band.contains(Math.nextDown(0.1))).isFalse();
        assertThat(band.contains(Math.nextDown(0.9))).isTrue();
        assertThat(band.contains(0.9)).isFalse();
        assertThat(band.contains(0.0)).isFalse();
        assertThat(band.contains(1.0)).isFalse();
    }

    @Test
    void anEmptyBandContainsNothingAndTheWholeRangeAllButOne() {
        UncertainBand empty = new UncertainBand(0.5, 0.5);
        UncertainBand whole = new UncertainBand(0, 1);

        assertThat(empty.contains(0.5)).isFalse();
        assertThat(empty.contains(Math.nextDown(0.5))).isFalse();
        assertThat(whole.contains(0.0)).isTrue();
        assertThat(whole.contains(Math.nextDown(1.0))).isTrue();
        assertThat(whole.contains(1.0)).isFalse();
    }

    @Test
    void parsesLowerCommaUpperAndSaysWhatIsWrong() {
        assertThat(UncertainBand.parse("band", " 0.2 , 0.8 "))
                .isEqualTo(new UncertainBand(0.2, 0.8));
        assertThat(UncertainBand.parse("band", UncertainBand.DEFAULT.toString()))
                .isEqualTo(UncertainBand.DEFAULT);

        assertThatThrownBy(() -> UncertainBand.parse("band", "0.2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("band must be two scores LOWER,UPPER such as 0.1,0.9, got '0.2'");
        assertThatThrownBy(() -> UncertainBand.parse("band", "low,0.9"))
                .hasMessage("band must be two scores LOWER,UPPER such as 0.1,0.9, got 'low,0.9'");
        assertThatThrownBy(() -> UncertainBand.parse("band", "0.9,0.1"))
                .hasMessage(
                        "band: the uncertain band must satisfy 0 <= lower <= upper <= 1, got [0.9,"
                                + " 0.1)");
        assertThatThrownBy(() -> new UncertainBand(-0.1, 0.5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UncertainBand(0.5, 1.5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
