package io.hivestream.operators.execute;

import io.hivestream.schemas.internal.JournaledCall;
import java.io.Serializable;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Where the execute stage writes each provider call's outcome the moment it completes, outside the
 * checkpoint's transactions, and reads it back after a restore: a call whose outcome is journaled
 * is replayed, never paid again. Only calls that were in flight at the failure, with no outcome
 * yet, are made again.
 */
public interface CallJournal extends AutoCloseable {
    /** Writes the outcome of a completed call; returns at once, the write completes later. */
    void record(JournaledCall call);

    /**
     * The outcomes journaled at or after {@code sinceMillis} whose execute key {@code owns}, by
     * call id (the last one of an id wins).
     */
    Map<String, JournaledCall> since(long sinceMillis, Predicate<String> owns);

    /** Journaled outcomes written so far by this instance. */
    long written();

    /** Bytes of the outcomes written so far by this instance (keys and values). */
    long bytesWritten();

    @Override
    void close();

    /** Opens one execute instance's journal. */
    @FunctionalInterface
    interface Factory extends Serializable {
        CallJournal open();
    }

    /** No journal: nothing is written, a restore makes every call after the checkpoint again. */
    Factory NONE =
            () ->
                    new CallJournal() {
                        @Override
                        public void record(JournaledCall call) {}

                        @Override
                        public Map<String, JournaledCall> since(
                                long sinceMillis, Predicate<String> owns) {
                            return Map.of();
                        }

                        @Override
                        public long written() {
                            return 0;
                        }

                        @Override
                        public long bytesWritten() {
                            return 0;
                        }

                        @Override
                        public void close() {}
                    };
}
