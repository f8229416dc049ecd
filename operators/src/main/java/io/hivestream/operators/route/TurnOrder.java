package io.hivestream.operators.route;

import io.hivestream.schemas.internal.AnalyzedTask;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Puts the numbered turns of one session ({@code Task.turn}) in order before they are routed. A
 * turn whose number is the next one goes on at once, with the held turns that follow it; a turn
 * that comes early is held until the turns before it arrive, or until it has waited the gap wait:
 * then the missing turns are given up, and the held turns go on in their order, the first one after
 * each gap with metadata {@value #GAP} saying which turns it was answered without. A turn whose
 * number was given up or already taken is refused with the reason: answered now, it would see
 * memory it should not see. Plain logic over one session's {@link Session}; the route stage keeps
 * that in keyed state.
 */
public final class TurnOrder implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Metadata key on the first turn after a gap: which turns it was answered without. */
    public static final String GAP = "turnGap";

    private final Duration gapWait;

    /**
     * @param gapWait how long a turn waits for the turns before it
     */
    public TurnOrder(Duration gapWait) {
        if (gapWait.isNegative()) {
            throw new IllegalArgumentException("gapWait must not be negative: " + gapWait);
        }
        this.gapWait = gapWait;
    }

    /** A held turn and when it arrived. */
    public record Held(AnalyzedTask task, long arrivedAt) {
        long turn() {
            return task.getTask().getTurn();
        }
    }

    /** One session's turns: the next number expected (1 for a new session) and those held. */
    public static final class Session {
        private long next;
        private final TreeMap<Long, Held> held = new TreeMap<>();

        /**
         * @param next the next turn expected; 0 or less: none seen yet, so 1
         */
        public Session(long next, List<Held> held) {
            this.next = Math.max(1, next);
            for (Held turn : held) {
                this.held.put(turn.turn(), turn);
            }
        }

        public long next() {
            return next;
        }

        /** The held turns, lowest number first. */
        public List<Held> held() {
            return List.copyOf(held.values());
        }
    }

    /** A turn to route now, or one refused with the reason. */
    public record Step(AnalyzedTask task, String refusal) {
        public boolean refused() {
            return refusal != null;
        }
    }

    /** A numbered turn arrives: what goes on now, in order. */
    public List<Step> offer(Session session, AnalyzedTask task, long now) {
        long turn = task.getTask().getTurn();
        String id = session(task);
        if (turn < session.next) {
            return List.of(
                    new Step(
                            task,
                            "turn "
                                    + turn
                                    + " of session "
                                    + id
                                    + " arrived after turn "
                                    + (session.next - 1)
                                    + " went on (its number was taken, or given up after the"
                                    + " gap wait of "
                                    + gapWait.toMillis() / 1000.0
                                    + " s, hivestream.sessions.gap-wait): answered now it would"
                                    + " see turns it came before; send it again with a new task"
                                    + " id and turn number"));
        }
        Held taken = session.held.get(turn);
        if (taken != null) {
            return List.of(
                    new Step(
                            task,
                            "turn "
                                    + turn
                                    + " of session "
                                    + id
                                    + " is already taken by task "
                                    + taken.task().getTask().getTaskId()
                                    + "; each turn of a session needs its own number: send it"
                                    + " again with a new task id and turn number"));
        }
        session.held.put(turn, new Held(task, now));
        return release(session);
    }

    /**
     * What goes on once the time is {@code now}: when a held turn has waited the gap wait (or the
     * input has ended), the turns missing before it are given up.
     */
    public List<Step> expire(Session session, long now, boolean inputEnded) {
        Long lastDue = null;
        for (Held turn : session.held.values()) {
            if (inputEnded || turn.arrivedAt() + gapWait.toMillis() <= now) {
                lastDue = turn.turn();
            }
        }
        if (lastDue == null) {
            return List.of();
        }
        List<Step> steps = new ArrayList<>();
        while (!session.held.isEmpty() && session.held.firstKey() <= lastDue) {
            Held first = session.held.pollFirstEntry().getValue();
            steps.add(
                    new Step(withGap(first.task(), session.next, first.turn(), inputEnded), null));
            session.next = first.turn() + 1;
        }
        steps.addAll(release(session));
        return steps;
    }

    /** When the next held turn's wait ends; -1 when none is held. */
    public long deadline(Session session) {
        long earliest = Long.MAX_VALUE;
        for (Held turn : session.held.values()) {
            earliest = Math.min(earliest, turn.arrivedAt());
        }
        return earliest == Long.MAX_VALUE ? -1 : earliest + gapWait.toMillis();
    }

    /** The held turns from the next one expected on, as long as none is missing. */
    private static List<Step> release(Session session) {
        List<Step> steps = new ArrayList<>();
        Held next;
        while ((next = session.held.get(session.next)) != null) {
            session.held.remove(session.next);
            steps.add(new Step(next.task(), null));
            session.next++;
        }
        return steps;
    }

    /** The turn, told in its metadata which turns before it did not arrive, if any. */
    private AnalyzedTask withGap(AnalyzedTask task, long expected, long turn, boolean inputEnded) {
        if (turn == expected) {
            return task;
        }
        String missing =
                turn - expected == 1
                        ? "turn " + expected
                        : "turns " + expected + " to " + (turn - 1);
        Map<String, String> metadata = new HashMap<>(task.getTask().getMetadata());
        metadata.put(
                GAP,
                missing
                        + " of this session did not arrive "
                        + (inputEnded
                                ? "before the input ended"
                                : "within " + gapWait.toMillis() / 1000.0 + " s")
                        + "; answered without them");
        AnalyzedTask stamped = AnalyzedTask.newBuilder(task).build();
        stamped.getTask().setMetadata(metadata);
        return stamped;
    }

    private static String session(AnalyzedTask task) {
        return task.getTask().getSessionId();
    }
}
