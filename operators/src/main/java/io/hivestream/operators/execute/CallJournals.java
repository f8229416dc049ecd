package io.hivestream.operators.execute;

import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.codec.RecordDefaults;
import io.hivestream.schemas.internal.JournaledCall;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What the call journal keeps of a call, and the call's outcome again from what it kept. */
final class CallJournals {
    private CallJournals() {}

    /** New journal entries with their schema's defaults: one is made for every call. */
    private static final RecordDefaults<JournaledCall> ENTRIES =
            RecordDefaults.of(JournaledCall::new);

    /** A completed call's journal entry. */
    static JournaledCall success(String callId, String key, Metric metric, AgentReply reply) {
        JournaledCall entry = ENTRIES.make();
        entry.setCallId(callId);
        entry.setKey(key);
        entry.setMetric(metric);
        entry.setOutput(reply.output());
        entry.setConfidence(reply.confidence());
        return entry;
    }

    /**
     * A failed call's journal entry.
     *
     * @param cause the failure as the retry policy sees it
     * @param why the failure as the replica's errors name it
     */
    static JournaledCall failure(
            String callId, String key, Metric metric, Throwable cause, String why) {
        JournaledCall.Builder entry =
                JournaledCall.newBuilder().setCallId(callId).setKey(key).setMetric(metric);
        entry.setError(why);
        if (cause instanceof AgentCallException failure) {
            entry.setErrorKind(failure.kind().name());
            if (failure.retryAfter() != null) {
                entry.setRetryAfterMs(failure.retryAfter().toMillis());
            }
        }
        return entry.build();
    }

    /** The journal id of step {@code step} of the tool loop of call {@code callId}. */
    static String stepId(String callId, int step) {
        return callId + "#" + step;
    }

    /** A tool loop's step: the provider's reply as it came, and the step's usage. */
    static JournaledCall step(
            String callId, String key, int step, String reply, long tokensIn, long tokensOut) {
        return JournaledCall.newBuilder()
                .setCallId(stepId(callId, step))
                .setKey(key)
                .setOutput(reply)
                .setTokensIn(tokensIn)
                .setTokensOut(tokensOut)
                .build();
    }

    /** The id under which a restore looks for the mark that call {@code callId} was sent. */
    static String startedId(String callId) {
        return callId + "@";
    }

    /**
     * The calls one execute instance sent since its last such record: after a restore, a call
     * listed here with no outcome was in flight at the failure, and the provider may have answered
     * (and billed) it.
     *
     * @param instance the execute instance and a sequence number of its records, which keep the
     *     records apart in the compacted topic
     */
    static JournaledCall sent(String instance, long sequence, List<String> callIds) {
        String id = "sent/" + instance + "/" + sequence;
        return JournaledCall.newBuilder()
                .setCallId(id)
                .setKey(id)
                .setSent(new ArrayList<>(callIds))
                .build();
    }

    /** The journaled reply of a call that succeeded. */
    static AgentReply reply(JournaledCall call) {
        CallMetric metric = call.getMetric().getCall();
        return new AgentReply(
                call.getOutput(),
                metric.getModel(),
                metric.getTokensIn(),
                metric.getTokensOut(),
                call.getConfidence(),
                metric.getSimulated());
    }

    /**
     * The journaled failure of a call that failed, as the retry policy saw it: the same kind and
     * Retry-After decide the same way again.
     */
    static Throwable cause(JournaledCall call) {
        if (call.getErrorKind() == null) {
            return new ReplayedFailure(call.getError());
        }
        return new AgentCallException(
                AgentCallException.Kind.valueOf(call.getErrorKind()),
                call.getError(),
                call.getRetryAfterMs() == null ? null : Duration.ofMillis(call.getRetryAfterMs()),
                null);
    }

    /** A failure that was not an {@link AgentCallException}: never retried, as at first. */
    static final class ReplayedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReplayedFailure(String message) {
            super(message, null, false, false);
        }
    }
}
