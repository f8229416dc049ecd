package io.hivestream.operators.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CacheBudgetTest {
    @Test
    void storesUpToTheBoundWithinATtl() {
        CacheBudget budget = new CacheBudget(1_000, 3);

        assertThat(budget.tryStore(0)).isTrue();
        assertThat(budget.tryStore(10)).isTrue();
        assertThat(budget.tryStore(999)).isTrue();
        assertThat(budget.tryStore(999)).isFalse();
        assertThat(budget.liveAtMost(999)).isEqualTo(3);
    }

    @Test
    void theEntriesOfTheWindowBeforeStillCountAndThoseBeforeItDoNot() {
        CacheBudget budget = new CacheBudget(1_000, 3);
        budget.tryStore(900);
        budget.tryStore(950);

        // Stored at 900 and 950, alive until 1900 and 1950: they still count in the next window.
        assertThat(budget.tryStore(1_100)).isTrue();
        assertThat(budget.tryStore(1_200)).isFalse();
        assertThat(budget.liveAtMost(1_999)).isEqualTo(3);
        // Two windows on, only what the last window stored counts.
        assertThat(budget.liveAtMost(2_000)).isEqualTo(1);
        assertThat(budget.tryStore(2_000)).isTrue();
        assertThat(budget.liveAtMost(5_000)).isEqualTo(0);
    }

    @Test
    void zeroKeepsNothing() {
        assertThat(new CacheBudget(1_000, 0).tryStore(0)).isFalse();
    }

    @Test
    void theTtlMustBePositiveAndTheBoundNotNegative() {
        assertThatThrownBy(() -> new CacheBudget(0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the cache TTL must be positive: 0 ms");
        assertThatThrownBy(() -> new CacheBudget(1, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the cache's max entries must not be negative: -1");
    }
}
