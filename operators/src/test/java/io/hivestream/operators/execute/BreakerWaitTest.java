package io.hivestream.operators.execute;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BreakerWaitTest {
    private final BreakerWait wait = new BreakerWait(Duration.ofSeconds(30), Duration.ofSeconds(2));

    @Test
    void theWaitEndsAfterTheAgentWaitOrAtTheTasksDeadlineIfEarlier() {
        assertThat(wait.waitEnds(1_000, null)).isEqualTo(31_000);
        assertThat(wait.waitEnds(1_000, 5_000L)).isEqualTo(5_000);
        assertThat(wait.waitEnds(1_000, 90_000L)).isEqualTo(31_000);
    }

    @Test
    void aWaitingCallTriesAgainAtAQuarterOfTheOpenTimeUntilItsWaitEnds() {
        assertThat(wait.nextTry(1_000, 31_000)).isEqualTo(500);
        assertThat(wait.nextTry(30_800, 31_000)).isEqualTo(200);
        assertThat(wait.nextTry(31_000, 31_000)).isEqualTo(-1);
    }

    @Test
    void theIntervalStaysBetweenTenMillisecondsAndOneSecond() {
        assertThat(
                        new BreakerWait(Duration.ofSeconds(30), Duration.ofMinutes(5))
                                .nextTry(0, 60_000))
                .isEqualTo(1_000);
        assertThat(new BreakerWait(Duration.ofSeconds(30), Duration.ofMillis(8)).nextTry(0, 60_000))
                .isEqualTo(10);
    }
}
