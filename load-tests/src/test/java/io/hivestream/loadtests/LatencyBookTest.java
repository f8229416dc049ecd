package io.hivestream.loadtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyBookTest {
    /**
     * 100 tasks visible in bursts, as at checkpoints: 30 at 1 s, 60 at 2 s, 95 at 3 s, 100 at 4 s.
     */
    private static final List<LatencyBook.Point> BURSTS =
            List.of(
                    new LatencyBook.Point(1_000, 30),
                    new LatencyBook.Point(2_000, 60),
                    new LatencyBook.Point(3_000, 95),
                    new LatencyBook.Point(4_000, 100));

    @Test
    void anExactlyOnceDrainMeasuresTheJobOnlyOverTwoCheckpointIntervalsOrMore() {
        // 10% at 1,000 ms, 90% at 3,000 ms.
        assertThat(LatencyBook.unmeasuredDrain(BURSTS, 100, Duration.ofSeconds(1))).isNull();
        assertThat(LatencyBook.unmeasuredDrain(BURSTS, 100, Duration.ofSeconds(10)))
                .isEqualTo(
                        "its 10%-90% window lasted 2000 ms, less than two checkpoint intervals"
                                + " (10000 ms each): its results became visible in one or two"
                                + " commits, so its tasks/s and the ratios built on it measure"
                                + " when those came, not the job. Run it with more --tasks or a"
                                + " shorter --checkpoint-interval.");
        // Everything in one commit: no window at all.
        assertThat(
                        LatencyBook.unmeasuredDrain(
                                List.of(new LatencyBook.Point(5_000, 100)),
                                100,
                                Duration.ofSeconds(1)))
                .startsWith("its 10%-90% window lasted 0 ms,");
    }

    @Test
    void endToEndAndOverheadAreMeasuredFromThePublishTime() {
        LatencyBook book = new LatencyBook(100, 3);
        book.published(100, 10_000);
        book.published(101, 10_010);
        book.published(102, 10_020);

        book.completed(100, 10_250, 200); // 250 end to end, 50 overhead
        book.completed(101, 10_110, 0); // 100 and 100
        book.completed(102, 10_030, 40); // agent time longer than end to end: no overhead

        assertThat(book.distinct()).isEqualTo(3);
        assertThat(book.complete()).isTrue();
        assertThat(book.endToEnd().getTotalCount()).isEqualTo(3);
        assertThat(book.endToEnd().getMinValue()).isEqualTo(10);
        assertThat(book.endToEnd().getMaxValue()).isEqualTo(250);
        assertThat(book.endToEnd().getValueAtPercentile(50)).isEqualTo(100);
        assertThat(book.overhead().getMinValue()).isEqualTo(0);
        assertThat(book.overhead().getValueAtPercentile(50)).isEqualTo(50);
        assertThat(book.overhead().getMaxValue()).isEqualTo(100);
    }

    @Test
    void endToEndSplitsWhereTheJobMadeTheResult() {
        LatencyBook book = new LatencyBook(0, 3);
        book.published(0, 10_000);
        book.published(1, 10_000);
        book.published(2, 10_000);
        assertThat(book.parts()).isNull();

        book.completed(0, 10_100, 0, false, 0, 10_080); // made after 80, visible 20 later
        book.completed(1, 10_300, 0, false, 0, 10_010); // 10 and 290
        book.completed(2, 10_050, 0, false, 0, 0); // not said when it was made

        assertThat(book.parts()).isEqualTo(new Figures.Parts(10, 80, 20, 290));
        assertThat(book.endToEnd().getTotalCount()).isEqualTo(3);
    }

    @Test
    void repeatedAndForeignResultsAreCountedApart() {
        LatencyBook book = new LatencyBook(0, 2);
        book.published(0, 1_000);

        book.completed(0, 1_010, 0);
        book.completed(0, 1_020, 0);
        book.completed(1, 1_030, 0); // not published yet
        book.completed(7, 1_040, 0); // another phase's task

        assertThat(book.distinct()).isEqualTo(1);
        assertThat(book.duplicates()).isEqualTo(1);
        assertThat(book.unknown()).isEqualTo(2);
        assertThat(book.complete()).isFalse();
        assertThat(book.endToEnd().getTotalCount()).isEqualTo(1);
        assertThatThrownBy(() -> book.published(2, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("task 2 is outside [0, 2)");
    }

    @Test
    void theTimelineKeepsOnePointPerMillisecond() {
        LatencyBook book = new LatencyBook(0, 3);
        for (int i = 0; i < 3; i++) {
            book.published(i, 1);
        }
        book.completed(0, 500, 0);
        book.completed(1, 500, 0);
        book.completed(2, 1_700, 0);

        assertThat(book.timeline())
                .containsExactly(new LatencyBook.Point(500, 2), new LatencyBook.Point(1_700, 3));
        assertThat(book.perSecond(0)).containsExactly(2, 1);
    }

    @Test
    void throughputIsMeasuredBetweenTheBurstsThatCrossTenAndNinetyPercent() {
        // From 30 at 1 s (the burst crossing 10) to 95 at 3 s (the burst crossing 90).
        assertThat(LatencyBook.throughput(BURSTS, 100)).isEqualTo(32.5);
        assertThat(LatencyBook.throughput(List.of(new LatencyBook.Point(1_000, 100)), 100)).isNaN();
    }

    @Test
    void theAgentTimeOfAResultIsItsSlowestAnswer() {
        TaskResult result =
                TaskResult.newBuilder()
                        .setTaskId("r-1")
                        .setStatus(TaskStatus.COMPLETED)
                        .setAnswers(List.of(answer("a", 40), answer("b", 55), answer("c", 12)))
                        .build();
        TaskResult echo =
                TaskResult.newBuilder().setTaskId("r-2").setStatus(TaskStatus.COMPLETED).build();

        assertThat(ResultReader.agentMillis(result)).isEqualTo(55);
        assertThat(ResultReader.agentMillis(echo)).isZero();
    }

    private static AgentAnswer answer(String agent, long latencyMs) {
        return AgentAnswer.newBuilder().setAgentId(agent).setLatencyMs(latencyMs).build();
    }
}
