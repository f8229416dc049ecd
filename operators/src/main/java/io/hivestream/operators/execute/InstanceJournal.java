package io.hivestream.operators.execute;

import io.hivestream.schemas.internal.JournaledCall;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One execute instance's use of the {@link CallJournal}: every outcome and tool step it writes; the
 * ids of the calls it sends, gathered into one record ({@link #markSent}); and after a restore, the
 * outcomes journaled since the checkpoint, each taken once by the call it answers ({@link #take},
 * {@link #steps}).
 */
final class InstanceJournal implements AutoCloseable {
    /**
     * How far before the restored checkpoint the journal is read: clocks of different machines and
     * the retries of a call in flight at the checkpoint.
     */
    static final long LOOKBACK_MS = 60_000;

    /** How long the ids of calls sent gather before they are journaled in one record. */
    static final long SENT_FLUSH_MS = 50;

    /** Most call ids journaled in one record. */
    static final int SENT_BATCH = 1_000;

    /** How long after a restore unreplayed outcomes are kept for tasks still being replayed. */
    static final long REPLAY_KEEP_MS = 10 * 60_000;

    /** What the journal knew of a call before the restore. */
    record Earlier(JournaledCall outcome, boolean sentWithoutOutcome) {}

    private static final Earlier NOTHING = new Earlier(null, false);

    private final CallJournal journal;
    private final String instance;
    private final Map<String, JournaledCall> replays = new HashMap<>();
    private final List<String> sent = new ArrayList<>();
    private long sentSequence;
    private long restoredAt;

    /**
     * @param instance this execute instance, unique across its restarts: it keeps the records of
     *     calls sent apart in the compacted journal
     */
    InstanceJournal(CallJournal journal, String instance) {
        this.journal = journal;
        this.instance = instance;
    }

    /**
     * After a restore from a checkpoint taken at {@code checkpointMillis} (wall-clock time, as the
     * journal's records are): reads back what was journaled since, {@link #LOOKBACK_MS} earlier,
     * under the keys this instance {@code owns}.
     */
    void restore(long checkpointMillis, Predicate<String> owns, long now) {
        replays.putAll(journal.since(checkpointMillis - LOOKBACK_MS, owns));
        restoredAt = now;
    }

    /**
     * Takes what the journal knew of the call {@code callId} before the restore: its outcome, or
     * whether it was sent and never answered (so the provider may have billed it).
     */
    Earlier take(String callId) {
        if (replays.isEmpty()) {
            return NOTHING;
        }
        JournaledCall outcome = replays.remove(callId);
        boolean sent = replays.remove(CallJournals.startedId(callId)) != null;
        return outcome == null && !sent ? NOTHING : new Earlier(outcome, sent && outcome == null);
    }

    /**
     * The journal of the call's tool steps, holding those it journaled before the restore (taken):
     * a call made again resumes its tool loop after them.
     */
    Steps steps(String callId, String key) {
        Steps steps = new Steps(callId, key, journal);
        if (replays.isEmpty()) {
            return steps;
        }
        JournaledCall step;
        while ((step = replays.remove(CallJournals.stepId(callId, steps.earlier.size() + 1)))
                != null) {
            if (steps.earlier.isEmpty()) {
                steps.earlier = new HashMap<>();
            }
            steps.earlier.put(steps.earlier.size() + 1, step.getOutput());
            steps.replayedIn += step.getTokensIn();
            steps.replayedOut += step.getTokensOut();
        }
        return steps;
    }

    /**
     * Lists the call {@code callId} as sent. The list goes to the journal in one record when it
     * holds {@link #SENT_BATCH} ids, or at {@link #flushSent}.
     *
     * @return whether the list was empty before: the caller flushes it {@link #SENT_FLUSH_MS} later
     */
    boolean markSent(String callId) {
        boolean first = sent.isEmpty();
        sent.add(callId);
        if (sent.size() >= SENT_BATCH) {
            flushSent();
        }
        return first;
    }

    /** Journals the calls listed as sent, if any, in one record. */
    void flushSent() {
        if (!sent.isEmpty()) {
            journal.record(CallJournals.sent(instance, sentSequence++, sent));
            sent.clear();
        }
    }

    /** Journals a call's outcome, or an answer for another stage. */
    void record(JournaledCall entry) {
        journal.record(entry);
    }

    /** Forgets what no call took within {@link #REPLAY_KEEP_MS} of the restore. */
    void expire(long now) {
        if (!replays.isEmpty() && now - restoredAt > REPLAY_KEEP_MS) {
            replays.clear();
        }
    }

    /** Outcomes read back after the restore that no call has taken yet. */
    int waiting() {
        return replays.size();
    }

    /** Records this instance journaled. */
    long written() {
        return journal.written();
    }

    /** Bytes of the records this instance journaled. */
    long bytesWritten() {
        return journal.bytesWritten();
    }

    @Override
    public void close() {
        journal.close();
    }

    /** A call's tool steps: those journaled before a restore, and where new ones go. */
    static final class Steps implements AgentCall.StepJournal {
        private final String callId;
        private final String key;
        private final CallJournal journal;
        // Empty, and shared, unless a restore replays steps of this call.
        private Map<Integer, String> earlier = Map.of();
        private long replayedIn;
        private long replayedOut;

        private Steps(String callId, String key, CallJournal journal) {
            this.callId = callId;
            this.key = key;
            this.journal = journal;
        }

        @Override
        public String replayed(int step) {
            return earlier.get(step);
        }

        @Override
        public void record(int step, String reply, long tokensIn, long tokensOut) {
            journal.record(CallJournals.step(callId, key, step, reply, tokensIn, tokensOut));
        }

        /** Steps journaled before the restore. */
        int replayedSteps() {
            return earlier.size();
        }

        /** Input tokens of the steps journaled before the restore. */
        long replayedIn() {
            return replayedIn;
        }

        /** Output tokens of the steps journaled before the restore. */
        long replayedOut() {
            return replayedOut;
        }
    }
}
