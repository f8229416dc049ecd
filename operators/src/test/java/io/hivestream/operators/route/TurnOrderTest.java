package io.hivestream.operators.route;

import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.schemas.internal.AnalyzedTask;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Numbered turns of one session, put in order, with gaps given up after the wait. */
class TurnOrderTest {
    private static final TurnOrder ORDER = new TurnOrder(Duration.ofSeconds(10));

    private static AnalyzedTask turn(long n) {
        return analyzed(
                task("t" + n, "chat", "turn " + n).setSessionId("s-1").setTurn(n).build(), 1, 1);
    }

    private static AnalyzedTask other(String id, long n) {
        return analyzed(task(id, "chat", "again").setSessionId("s-1").setTurn(n).build(), 1, 1);
    }

    private static List<String> ids(List<TurnOrder.Step> steps) {
        return steps.stream()
                .map(s -> (s.refused() ? "refused " : "") + s.task().getTask().getTaskId())
                .toList();
    }

    private static TurnOrder.Session fresh() {
        return new TurnOrder.Session(0, List.of());
    }

    @Test
    void turnsInOrderGoOnAtOnce() {
        TurnOrder.Session session = fresh();
        assertThat(ids(ORDER.offer(session, turn(1), 0))).containsExactly("t1");
        assertThat(ids(ORDER.offer(session, turn(2), 0))).containsExactly("t2");
        assertThat(session.next()).isEqualTo(3);
        assertThat(session.held()).isEmpty();
        assertThat(ORDER.deadline(session)).isEqualTo(-1);
    }

    @Test
    void turnsOutOfOrderWaitForTheOnesBeforeThem() {
        TurnOrder.Session session = fresh();
        assertThat(ORDER.offer(session, turn(3), 1_000)).isEmpty();
        assertThat(ORDER.offer(session, turn(2), 2_000)).isEmpty();
        assertThat(ORDER.deadline(session)).isEqualTo(11_000);

        assertThat(ids(ORDER.offer(session, turn(1), 3_000))).containsExactly("t1", "t2", "t3");
        assertThat(session.next()).isEqualTo(4);
        assertThat(session.held()).isEmpty();
    }

    @Test
    void aGapIsGivenUpWhenAHeldTurnHasWaitedAndTheNextTurnSaysSo() {
        TurnOrder.Session session = fresh();
        ORDER.offer(session, turn(1), 0);
        ORDER.offer(session, turn(4), 1_000);
        ORDER.offer(session, turn(5), 1_500);

        assertThat(ORDER.expire(session, 10_999, false)).isEmpty();
        List<TurnOrder.Step> steps = ORDER.expire(session, 11_000, false);

        assertThat(ids(steps)).containsExactly("t4", "t5");
        assertThat(steps.get(0).task().getTask().getMetadata())
                .containsEntry(
                        TurnOrder.GAP,
                        "turns 2 to 3 of this session did not arrive within 10.0 s; answered"
                                + " without them");
        assertThat(steps.get(1).task().getTask().getMetadata()).doesNotContainKey(TurnOrder.GAP);
        assertThat(session.next()).isEqualTo(6);
    }

    @Test
    void aTurnGivenUpThatArrivesLaterIsRefused() {
        TurnOrder.Session session = fresh();
        ORDER.offer(session, turn(2), 0);
        ORDER.expire(session, 10_000, false);

        List<TurnOrder.Step> late = ORDER.offer(session, turn(1), 12_000);
        assertThat(ids(late)).containsExactly("refused t1");
        assertThat(late.get(0).refusal())
                .isEqualTo(
                        "turn 1 of session s-1 arrived after turn 2 went on (its number was"
                                + " taken, or given up after the gap wait of 10.0 s,"
                                + " hivestream.sessions.gap-wait): answered now it would see turns"
                                + " it came before; send it again with a new task id and turn"
                                + " number");
        assertThat(session.next()).isEqualTo(3);
    }

    @Test
    void aTurnNumberTakenTwiceIsRefused() {
        TurnOrder.Session session = fresh();
        ORDER.offer(session, turn(2), 0);
        List<TurnOrder.Step> twice = ORDER.offer(session, other("t2-again", 2), 0);
        assertThat(twice.get(0).refusal())
                .isEqualTo(
                        "turn 2 of session s-1 is already taken by task t2; each turn of a session"
                                + " needs its own number: send it again with a new task id and turn"
                                + " number");
        ORDER.offer(session, turn(1), 0);
        List<TurnOrder.Step> gone = ORDER.offer(session, other("t1-again", 1), 0);
        assertThat(ids(gone)).containsExactly("refused t1-again");
        assertThat(gone.get(0).refusal())
                .startsWith(
                        "turn 1 of session s-1 arrived after turn 2 went on (its number was taken");
    }

    @Test
    void whenTheInputEndsEveryHeldTurnGoesOnInOrder() {
        TurnOrder.Session session = fresh();
        ORDER.offer(session, turn(5), 0);
        ORDER.offer(session, turn(3), 0);
        List<TurnOrder.Step> steps = ORDER.expire(session, 1, true);
        assertThat(ids(steps)).containsExactly("t3", "t5");
        assertThat(steps.get(1).task().getTask().getMetadata())
                .containsEntry(
                        TurnOrder.GAP,
                        "turn 4 of this session did not arrive before the input ended; answered"
                                + " without them");
    }

    @Test
    void theSessionsStateRoundTripsThroughItsParts() {
        TurnOrder.Session session = fresh();
        ORDER.offer(session, turn(1), 0);
        ORDER.offer(session, turn(3), 500);
        TurnOrder.Session restored = new TurnOrder.Session(session.next(), session.held());
        assertThat(ids(ORDER.offer(restored, turn(2), 600))).containsExactly("t2", "t3");
    }

    @Test
    void aNegativeWaitIsRefused() {
        assertThatThrownBy(() -> new TurnOrder(Duration.ofSeconds(-1)))
                .hasMessage("gapWait must not be negative: PT-1S");
    }
}
