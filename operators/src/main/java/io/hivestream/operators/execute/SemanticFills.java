package io.hivestream.operators.execute;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.codec.RecordCodec;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CachedAnswer;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import io.hivestream.schemas.internal.JournaledCall;
import io.hivestream.schemas.internal.RawRecord;
import io.hivestream.schemas.internal.SemanticEntry;
import io.hivestream.schemas.internal.SemanticFill;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How answers travel to the semantic cache and back out of it. The execute stage journals each
 * answer to a task of the semantic cache as a fill ({@code fill/TENANT/TASK} in the call journal);
 * the semantic cache stage reads the fills back, keeps them per class, and answers a later task of
 * the class whose input means the same with a reply of its own, as the execute stage would have.
 */
public final class SemanticFills {
    /** The journal key prefix of a fill: no call id starts with it. */
    public static final String PREFIX = "fill/";

    private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.UTF_8);
    private static final RecordCodec<JournaledCall> JOURNAL = RecordCodec.of(JournaledCall.class);

    private SemanticFills() {}

    /** The journal record of an answer to a task the semantic cache serves. */
    static JournaledCall fill(AnalyzedTask task, CachedAnswer answer, Tier tier, long now) {
        SemanticEntry entry =
                SemanticEntry.newBuilder()
                        .setTaskId(task.getTask().getTaskId())
                        .setInput(task.getTask().getInput())
                        .setEmbedding(task.getEmbedding())
                        .setAnswer(answer)
                        .setTier(tier)
                        .setCachedAt(now)
                        .build();
        return JournaledCall.newBuilder()
                .setCallId(PREFIX + task.getTask().getTenant() + "/" + task.getTask().getTaskId())
                .setKey(task.getSemanticClass())
                .setFill(
                        SemanticFill.newBuilder()
                                .setClassKey(task.getSemanticClass())
                                .setEntry(entry)
                                .build())
                .build();
    }

    /** The fill of a record of the call journal, or null when the record is a call's outcome. */
    public static SemanticFill of(RawRecord record) {
        ByteBuffer key = record.getKey();
        if (key == null || record.getValue() == null || !startsWithPrefix(key)) {
            return null;
        }
        ByteBuffer value = record.getValue().duplicate();
        byte[] bytes = new byte[value.remaining()];
        value.get(bytes);
        return JOURNAL.decodeAvro(bytes).getFill();
    }

    private static boolean startsWithPrefix(ByteBuffer key) {
        if (key.remaining() < PREFIX_BYTES.length) {
            return false;
        }
        for (int i = 0; i < PREFIX_BYTES.length; i++) {
            if (key.get(key.position() + i) != PREFIX_BYTES[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The reply a task gets from the semantic cache: the entry's answer, marked cached, with a call
     * metric that costs nothing and records what the answer's call cost.
     */
    public static CallReply reply(AnalyzedTask task, SemanticEntry hit, long now) {
        AgentAnswer answer = CachedAnswers.answer(hit.getTier(), hit.getAnswer());
        Metric metric = CallMetrics.cached(task.getTask(), hit.getAnswer(), now);
        CallRequest request = new CallRequest(task, 0, List.of(), null, List.of(), 0.0, null);
        return CallReply.newBuilder()
                .setRequest(request)
                .setAnswer(answer)
                .setCalls(List.of(metric))
                .build();
    }
}
