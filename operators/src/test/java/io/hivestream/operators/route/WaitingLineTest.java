package io.hivestream.operators.route;

import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.internal.AnalyzedTask;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WaitingLineTest {
    private static final AnalyzedTask A = analyzed(task("a", "chat", "1").build(), 1, 1);
    private static final AnalyzedTask B = analyzed(task("b", "chat", "2").build(), 1, 1);
    private static final AnalyzedTask C = analyzed(task("c", "chat", "3").build(), 1, 1);
    private static final Router.Route OK = new Router.Route(List.of(List.of()), null);
    private static final Router.Route NONE = new Router.Route(List.of(), "no agent");

    private static Deque<WaitingLine.Entry> line(WaitingLine.Entry... entries) {
        return new ArrayDeque<>(List.of(entries));
    }

    private static List<WaitingLine.Step> advance(
            Deque<WaitingLine.Entry> line, Set<String> routable, long now, boolean ending) {
        return WaitingLine.advance(
                line,
                t -> routable.contains(t.getTask().getTaskId()) ? OK : NONE,
                t -> t.getTask().getTaskId().equals("bad") ? "bad preference" : null,
                now,
                ending);
    }

    @Test
    void aRoutableTaskBehindAWaitingOneStaysInLine() {
        Deque<WaitingLine.Entry> line =
                line(new WaitingLine.Entry(A, 100), new WaitingLine.Entry(B, 200));

        assertThat(advance(line, Set.of("b"), 50, false)).isEmpty();
        assertThat(line).hasSize(2);
    }

    @Test
    void theLineLeavesInOrderOnceItsHeadIsRoutable() {
        Deque<WaitingLine.Entry> line =
                line(
                        new WaitingLine.Entry(A, 100),
                        new WaitingLine.Entry(B, 200),
                        new WaitingLine.Entry(C, 300));

        assertThat(advance(line, Set.of("a", "b"), 50, false))
                .containsExactly(new WaitingLine.Routed(A, OK), new WaitingLine.Routed(B, OK));
        assertThat(line).containsExactly(new WaitingLine.Entry(C, 300));
    }

    @Test
    void aHeadPastItsDeadlineFailsAndTheNextOneIsTried() {
        Deque<WaitingLine.Entry> line =
                line(new WaitingLine.Entry(A, 100), new WaitingLine.Entry(B, 200));

        assertThat(advance(line, Set.of(), 100, false))
                .containsExactly(new WaitingLine.Failed(A, "no agent"));
        assertThat(line).containsExactly(new WaitingLine.Entry(B, 200));
    }

    @Test
    void theEndOfTheInputFailsEveryTaskStillWaiting() {
        Deque<WaitingLine.Entry> line =
                line(new WaitingLine.Entry(A, 100), new WaitingLine.Entry(B, 200));

        assertThat(advance(line, Set.of(), 0, true))
                .containsExactly(
                        new WaitingLine.Failed(A, "no agent"),
                        new WaitingLine.Failed(B, "no agent"));
        assertThat(line).isEmpty();
    }

    @Test
    void anInvalidTaskAtTheHeadFailsAtOnceWithItsOwnReason() {
        AnalyzedTask bad = analyzed(task("bad", "chat", "x").build(), 1, 1);
        Deque<WaitingLine.Entry> line =
                line(new WaitingLine.Entry(bad, 100), new WaitingLine.Entry(B, 200));

        assertThat(advance(line, Set.of("b"), 0, false))
                .containsExactly(
                        new WaitingLine.Failed(bad, "bad preference"),
                        new WaitingLine.Routed(B, OK));
        assertThat(line).isEmpty();
    }
}
