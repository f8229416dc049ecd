package io.hivestream.operators.admit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RateWindowTest {
    /** A provider that answers 429 to a request over {@code limit} in the 60 seconds up to it. */
    static final class LimitedProvider {
        private final int limit;
        private final ArrayDeque<Long> accepted = new ArrayDeque<>();
        int ok;
        int tooMany;

        LimitedProvider(int limit) {
            this.limit = limit;
        }

        void request(long now) {
            while (!accepted.isEmpty() && accepted.getFirst() <= now - 60_000) {
                accepted.removeFirst();
            }
            if (accepted.size() >= limit) {
                tooMany++;
            } else {
                accepted.addLast(now);
                ok++;
            }
        }
    }

    @Test
    void aMatchedLimitMeansNo429OverMinutesOfBurstyCalls() {
        int rpm = 120;
        LimitedProvider provider = new LimitedProvider(rpm);
        // Three instances of the job, each with its share, call the same provider.
        RateWindow[] instances = {
            new RateWindow(rpm, 3), new RateWindow(rpm, 3), new RateWindow(rpm, 3)
        };
        Random random = new Random(7);
        long[] next = new long[3];
        int sent = 0;
        // Ten minutes of simulated time, every instance wanting to call every 50 ms or so.
        for (long now = 0; now < 600_000; now += 10) {
            for (int i = 0; i < 3; i++) {
                if (now >= next[i] && random.nextInt(5) == 0) {
                    long at = instances[i].acquire(1, now);
                    if (at == now) {
                        provider.request(now);
                        sent++;
                    } else {
                        next[i] = at;
                    }
                }
            }
        }
        assertThat(provider.tooMany).isZero();
        assertThat(provider.ok).isEqualTo(sent);
        // The limit is used, not just respected: 40 per instance per minute for ten minutes.
        assertThat(sent).isEqualTo(3 * 40 * 10);
    }

    @Test
    void aFullMinuteJustBeforeARefillKeepsTheNextCallsOut() {
        // A token bucket of 120 per minute would let 120 more through right after these.
        RateWindow rpm = new RateWindow(120, 1);
        for (int i = 0; i < 120; i++) {
            assertThat(rpm.acquire(1, 59_000)).isEqualTo(59_000);
        }
        assertThat(rpm.acquire(1, 60_000)).isEqualTo(119_000);
        assertThat(rpm.acquire(1, 118_999)).isEqualTo(119_000);
        assertThat(rpm.acquire(1, 119_000)).isEqualTo(119_000);
        assertThat(rpm.inWindow(119_000)).isEqualTo(1);
    }

    @Test
    void tokensPerMinuteWaitUntilEnoughOfTheOldestLeaveTheWindow() {
        RateWindow tpm = new RateWindow(1000, 1);
        assertThat(tpm.acquire(400, 0)).isEqualTo(0);
        assertThat(tpm.acquire(400, 10_000)).isEqualTo(10_000);
        // 800 used; 300 more fit when the first 400 leave at 60 s.
        assertThat(tpm.acquire(300, 20_000)).isEqualTo(60_000);
        assertThat(tpm.inWindow(20_000)).isEqualTo(800);
        assertThat(tpm.acquire(300, 59_999)).isEqualTo(60_000);
        assertThat(tpm.acquire(300, 60_000)).isEqualTo(60_000);
        assertThat(tpm.inWindow(60_000)).isEqualTo(700);
        // More than the whole limit fits only into an empty minute.
        assertThat(tpm.acquire(5000, 60_001)).isEqualTo(120_000);
        assertThat(tpm.acquire(5000, 120_000)).isEqualTo(120_000);
    }

    @Test
    void theLimitIsSharedBetweenInstancesRoundedDownButNeverToZero() {
        assertThat(new RateWindow(100, 3).share()).isEqualTo(33);
        assertThat(new RateWindow(2, 4).share()).isEqualTo(1);
        assertThatThrownBy(() -> new RateWindow(0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit and parallelism must be positive: 0, 1");
    }

    @Test
    void earliestAsksWithoutTaking() {
        RateWindow rpm = new RateWindow(2, 1);
        RateWindow tpm = new RateWindow(100, 1);
        assertThat(tpm.acquire(90, 0)).isEqualTo(0);
        // The request would fit, the tokens would not: neither window is used.
        assertThat(rpm.earliest(1, 1000)).isEqualTo(1000);
        assertThat(tpm.earliest(20, 1000)).isEqualTo(60_000);
        assertThat(rpm.inWindow(1000)).isEqualTo(0);
        assertThat(tpm.inWindow(1000)).isEqualTo(90);
    }
}
