package io.hivestream.operators.execute;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.execute.PauseDetector.Pause;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pause detector on a ticker the test moves: no thread, no sleep. */
class PauseDetectorTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final AtomicLong now = new AtomicLong(0);
    private final List<String> reports = new ArrayList<>();

    /** Ticks every 100 ms, pauses beyond 1 s late, reported 2 s after their end, 3 kept. */
    private final PauseDetector detector =
            new PauseDetector(
                    now::get,
                    100 * MS,
                    1_000 * MS,
                    2_000 * MS,
                    3,
                    (pause, calls) -> reports.add(pause.millis() + " ms, " + calls + " calls"));

    /** Moves the ticker on by {@code ms} in ticks that come on time. */
    private void run(long ms) {
        for (long t = 0; t < ms; t += 100) {
            now.addAndGet(100 * MS);
            detector.tick();
        }
    }

    /** The JVM stops for {@code ms}: the ticker moves on, nothing ticks. */
    private void freeze(long ms) {
        now.addAndGet(ms * MS);
    }

    @Test
    void ticksOnTimeOrLateByAtMostTheThresholdAreNoPause() {
        run(1_000);
        freeze(1_100); // exactly one tick and the threshold since the last tick
        detector.tick();
        run(5_000);

        assertThat(detector.pauses()).isEmpty();
        assertThat(detector.pausedDuring(0, now.get())).isFalse();
        assertThat(reports).isEmpty();
    }

    @Test
    void aTickLaterThanTheThresholdRecordsThePauseFromTheTickBefore() {
        run(1_000);
        freeze(1_101);
        detector.tick();

        assertThat(detector.pauses()).containsExactly(new Pause(1_000 * MS, 2_101 * MS));
        assertThat(detector.pauses().get(0).millis()).isEqualTo(1_101);
    }

    @Test
    void aCallOverlapsAPauseWhenItStartedBeforeItsEndAndEndedAfterItsStart() {
        run(1_000);
        freeze(30_000);
        detector.tick(); // a pause from 1,000 to 31,000 ms
        run(1_000);

        assertThat(detector.pausedDuring(500 * MS, 31_000 * MS)).isTrue(); // across it
        assertThat(detector.pausedDuring(1_500 * MS, 2_000 * MS)).isTrue(); // inside it
        assertThat(detector.pausedDuring(30_999 * MS, 31_500 * MS)).isTrue(); // its last moment
        assertThat(detector.pausedDuring(0, 1_000 * MS)).isFalse(); // ended as it began
        assertThat(detector.pausedDuring(31_000 * MS, 31_900 * MS)).isFalse(); // began as it ended
        assertThat(detector.pausedDuring(0, 900 * MS)).isFalse(); // before it
    }

    @Test
    void aPauseNotYetTickedIsInProgressForCallsThatEndedAfterTheLastTick() {
        run(1_000);
        freeze(30_000); // resumed, and the detector's thread has not run yet

        assertThat(detector.pauses()).isEmpty();
        assertThat(detector.pausedDuring(500 * MS, 31_000 * MS)).isTrue();
        assertThat(detector.pausedDuring(1_050 * MS, 31_000 * MS)).isTrue();
        assertThat(detector.pausedDuring(0, 999 * MS)).isFalse(); // ended before the last tick
    }

    @Test
    void aLastTickOlderThanTheThresholdButNotBeyondItIsNoPauseInProgress() {
        run(1_000);
        freeze(1_100);

        assertThat(detector.pausedDuring(500 * MS, 2_100 * MS)).isFalse();
        freeze(1);
        assertThat(detector.pausedDuring(500 * MS, 2_101 * MS)).isTrue();
    }

    @Test
    void aTimeoutIsExcusedOnlyWhenTheJvmWasPausedForATenthOfTheCallOrMore() {
        run(1_000);
        freeze(2_000);
        detector.tick(); // a pause from 1,000 to 3,000 ms
        run(30_000); // now 33,000 ms

        // A call of 32 s with 2 s of it paused (6%): its agent had its time, the timeout counts.
        assertThat(detector.pausedDuring(1_000 * MS, 33_000 * MS)).isTrue();
        assertThat(detector.excuse(1_000 * MS, 33_000 * MS)).isFalse();
        // A call of 20 s with the same 2 s paused (10%): excused.
        assertThat(detector.excuse(0, 20_000 * MS)).isTrue();
        // A pause in progress counts from the last tick to the call's end: 1.5 s of 10 s.
        freeze(1_500);
        assertThat(detector.excuse(now.get() - 10_000 * MS, now.get())).isTrue();
        // The same 1.5 s in a call of 20 s is under a tenth.
        assertThat(detector.excuse(now.get() - 20_000 * MS, now.get())).isFalse();
    }

    @Test
    void eachPauseIsReportedOnceAfterItsEndWithTheCallsItExcused() {
        run(1_000);
        freeze(30_000);
        // Two calls time out at the resume, before the detector's thread runs.
        assertThat(detector.excuse(500 * MS, 31_000 * MS)).isTrue();
        assertThat(detector.excuse(800 * MS, 31_000 * MS)).isTrue();
        detector.tick();
        // One more after the tick, and one that ended before the pause, not excused.
        assertThat(detector.excuse(900 * MS, 31_000 * MS)).isTrue();
        assertThat(detector.excuse(100 * MS, 900 * MS)).isFalse();

        run(1_900);
        assertThat(reports).isEmpty();
        run(100);
        assertThat(reports).containsExactly("30000 ms, 3 calls");
        run(10_000);
        assertThat(reports).containsExactly("30000 ms, 3 calls");
    }

    @Test
    void aPauseWithoutCallsIsReportedToo() {
        run(500);
        freeze(5_000);
        detector.tick();
        run(2_000);

        assertThat(reports).containsExactly("5000 ms, 0 calls");
    }

    @Test
    void theHistoryKeepsTheLatestPausesAndReportsThoseItDropsAtOnce() {
        PauseDetector reportingLate =
                new PauseDetector(
                        now::get,
                        100 * MS,
                        1_000 * MS,
                        60_000 * MS,
                        3,
                        (pause, calls) -> reports.add(pause.startNanos() / MS + " dropped"));
        for (int i = 0; i < 4; i++) {
            now.addAndGet(100 * MS);
            reportingLate.tick();
            freeze(1_200);
            reportingLate.tick();
        }

        assertThat(reportingLate.pauses())
                .extracting(Pause::startNanos)
                .containsExactly(1_400 * MS, 2_700 * MS, 4_000 * MS);
        assertThat(reports).containsExactly("100 dropped");
        // A call that overlapped only the dropped pause is no longer excused.
        assertThat(reportingLate.pausedDuring(200 * MS, 1_000 * MS)).isFalse();
        assertThat(reportingLate.pausedDuring(1_500 * MS, 1_600 * MS)).isTrue();
    }

    @Test
    @Timeout(30)
    void aTickedDetectorRunsItsThreadWhileAnyoneHoldsIt() throws Exception {
        PauseDetector.Ticked ticked = new PauseDetector.Ticked();
        PauseDetector first = ticked.acquire();
        PauseDetector second = ticked.acquire();
        Thread thread = ticked.thread();

        assertThat(second).isSameAs(first);
        assertThat(thread.isDaemon()).isTrue();
        assertThat(thread.isAlive()).isTrue();

        ticked.release(first);
        assertThat(ticked.thread()).isSameAs(thread);
        ticked.release(second);
        assertThat(ticked.thread()).isNull();
        thread.join();

        PauseDetector third = ticked.acquire();
        assertThat(third).isNotSameAs(first);
        ticked.release(first); // an earlier detector: nothing happens
        assertThat(ticked.thread()).isNotNull();
        ticked.release(third);
        ticked.release(third); // once too often: nothing happens
        assertThat(ticked.thread()).isNull();
    }

    @Test
    void theSharedSourceHandsOutOneDetector() {
        PauseDetector first = PauseDetector.SHARED.acquire();
        try {
            PauseDetector second = PauseDetector.SHARED.acquire();
            assertThat(second).isSameAs(first);
            PauseDetector.SHARED.release(second);
        } finally {
            PauseDetector.SHARED.release(first);
        }
    }
}
