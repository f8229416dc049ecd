package io.hivestream.operators.execute;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.internal.JournaledCall;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class InstanceJournalTest {
    private static final String CALL = "acme/t-1/0/1/1/gpt";

    private final List<JournaledCall> written = new ArrayList<>();
    private final Map<String, JournaledCall> before = new HashMap<>();
    private final List<Long> askedSince = new ArrayList<>();
    private final InstanceJournal journal = new InstanceJournal(new Journal(), "0-1-1000");

    @Test
    void callsSentAreJournaledTogetherInNumberedRecords() {
        assertThat(journal.markSent("a")).isTrue();
        assertThat(journal.markSent("b")).isFalse();
        journal.flushSent();
        journal.flushSent(); // nothing listed: nothing written
        assertThat(journal.markSent("c")).isTrue();
        journal.flushSent();

        assertThat(written)
                .extracting(JournaledCall::getCallId, JournaledCall::getSent)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("sent/0-1-1000/0", List.of("a", "b")),
                        org.assertj.core.groups.Tuple.tuple("sent/0-1-1000/1", List.of("c")));
    }

    @Test
    void aFullListIsJournaledAtOnce() {
        IntStream.range(0, InstanceJournal.SENT_BATCH + 1)
                .forEach(i -> journal.markSent("call-" + i));

        assertThat(written).hasSize(1);
        assertThat(written.get(0).getSent()).hasSize(InstanceJournal.SENT_BATCH);
        journal.flushSent();
        assertThat(written.get(1).getSent()).containsExactly("call-" + InstanceJournal.SENT_BATCH);
    }

    @Test
    void eachOutcomeReadBackIsTakenOnceByItsCall() {
        JournaledCall outcome = outcome(CALL, "42");
        before.put(CALL, outcome);
        before.put(CallJournals.startedId(CALL), marker());
        before.put(CallJournals.startedId("acme/t-2/0/1/1/gpt"), marker());

        journal.restore(500_000, key -> key.startsWith("t/"), 600_000);

        assertThat(askedSince).containsExactly(500_000 - InstanceJournal.LOOKBACK_MS);
        assertThat(journal.waiting()).isEqualTo(3);
        InstanceJournal.Earlier earlier = journal.take(CALL);
        assertThat(earlier.outcome()).isEqualTo(outcome);
        assertThat(earlier.sentWithoutOutcome()).isFalse();
        assertThat(journal.take(CALL).outcome()).isNull();
        // Sent before the failure and never answered: the provider may have billed it.
        InstanceJournal.Earlier lost = journal.take("acme/t-2/0/1/1/gpt");
        assertThat(lost.outcome()).isNull();
        assertThat(lost.sentWithoutOutcome()).isTrue();
        assertThat(journal.take("acme/t-2/0/1/1/gpt").sentWithoutOutcome()).isFalse();
        assertThat(journal.waiting()).isZero();
    }

    @Test
    void aCallMadeAgainResumesAfterItsJournaledToolSteps() {
        before.put(CallJournals.stepId(CALL, 1), CallJournals.step(CALL, "t/t-1", 1, "s1", 10, 2));
        before.put(CallJournals.stepId(CALL, 2), CallJournals.step(CALL, "t/t-1", 2, "s2", 20, 3));
        before.put(CallJournals.stepId(CALL, 4), CallJournals.step(CALL, "t/t-1", 4, "s4", 1, 1));
        journal.restore(500_000, key -> true, 600_000);

        InstanceJournal.Steps steps = journal.steps(CALL, "t/t-1");

        assertThat(steps.replayedSteps()).isEqualTo(2);
        assertThat(steps.replayed(1)).isEqualTo("s1");
        assertThat(steps.replayed(2)).isEqualTo("s2");
        assertThat(steps.replayed(3)).isNull();
        assertThat(steps.replayedIn()).isEqualTo(30);
        assertThat(steps.replayedOut()).isEqualTo(5);
        // Step 4 follows a gap: not this call's resumption, and still waiting.
        assertThat(journal.waiting()).isEqualTo(1);

        steps.record(3, "s3", 7, 1);
        assertThat(written)
                .extracting(JournaledCall::getCallId, JournaledCall::getOutput)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(CallJournals.stepId(CALL, 3), "s3"));
        assertThat(journal.steps("acme/t-9/0/1/1/gpt", "t/t-9").replayedSteps()).isZero();
    }

    @Test
    void outcomesNoCallTookAreForgottenAfterTheirKeepTime() {
        before.put(CALL, outcome(CALL, "42"));
        journal.restore(500_000, key -> true, 600_000);

        journal.expire(600_000 + InstanceJournal.REPLAY_KEEP_MS);
        assertThat(journal.waiting()).isEqualTo(1);
        journal.expire(600_001 + InstanceJournal.REPLAY_KEEP_MS);
        assertThat(journal.waiting()).isZero();
    }

    private static JournaledCall outcome(String callId, String output) {
        return JournaledCall.newBuilder()
                .setCallId(callId)
                .setKey("t/t-1")
                .setOutput(output)
                .build();
    }

    private static JournaledCall marker() {
        return JournaledCall.newBuilder().setCallId("sent/x/0").setKey("t/x").build();
    }

    /** The journal as a list of what was written and a map of what was there before. */
    private final class Journal implements CallJournal {
        @Override
        public void record(JournaledCall call) {
            written.add(call);
        }

        @Override
        public Map<String, JournaledCall> since(long sinceMillis, Predicate<String> owns) {
            askedSince.add(sinceMillis);
            Map<String, JournaledCall> owned = new HashMap<>();
            before.forEach(
                    (id, call) -> {
                        if (owns.test(call.getKey())) {
                            owned.put(id, call);
                        }
                    });
            return owned;
        }

        @Override
        public long written() {
            return written.size();
        }

        @Override
        public long bytesWritten() {
            return 0;
        }

        @Override
        public void close() {}
    }
}
