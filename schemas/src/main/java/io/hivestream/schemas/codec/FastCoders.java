package io.hivestream.schemas.codec;

import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.RouterModel;
import io.hivestream.schemas.RoutingExample;
import io.hivestream.schemas.internal.AdmitSignal;
import io.hivestream.schemas.internal.AgentReputation;
import io.hivestream.schemas.internal.AgentView;
import io.hivestream.schemas.internal.CachedAnswer;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.ChainHead;
import io.hivestream.schemas.internal.ConsensusDecision;
import io.hivestream.schemas.internal.Escalating;
import io.hivestream.schemas.internal.JournaledCall;
import io.hivestream.schemas.internal.Plan;
import io.hivestream.schemas.internal.RawRecord;
import io.hivestream.schemas.internal.SemanticEntries;
import io.hivestream.schemas.internal.TenantLedger;
import io.hivestream.schemas.internal.Turn;
import io.hivestream.schemas.internal.WaitingQueue;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

/**
 * Switches every generated record class to Avro's fast coders. Reading: the fast reader, a decoder
 * built once per writer and reader schema pair instead of walking a resolving grammar for every
 * field. Writing: the generated classes' custom encoders, which write each field with a direct call
 * instead of looking up its schema and resolving each union's branch. Each generated class has its
 * own {@link SpecificData}, which Flink's Avro serializer and {@link RecordCodec} use, and both
 * flags are read on every read or write, so switching them on takes effect at once, also for
 * serializers already made. The bytes do not change; only coding gets faster.
 *
 * <p>The generated custom decoders fail on these schemas (a union read where a string was written),
 * but they never run: with the fast reader on, Avro reads every record through it.
 */
public final class FastCoders {
    /** Record types that contain, between them, every record of the schemas. */
    private static final List<Schema> ROOTS =
            List.of(
                    CallReply.getClassSchema(),
                    Plan.getClassSchema(),
                    Escalating.getClassSchema(),
                    AgentView.getClassSchema(),
                    AgentReputation.getClassSchema(),
                    ConsensusDecision.getClassSchema(),
                    Turn.getClassSchema(),
                    RawRecord.getClassSchema(),
                    DeadLetter.getClassSchema(),
                    AdmitSignal.getClassSchema(),
                    TenantLedger.getClassSchema(),
                    WaitingQueue.getClassSchema(),
                    ChainHead.getClassSchema(),
                    JournaledCall.getClassSchema(),
                    CachedAnswer.getClassSchema(),
                    SemanticEntries.getClassSchema(),
                    RoutingExample.getClassSchema(),
                    RouterModel.getClassSchema());

    private static volatile boolean enabled;

    private FastCoders() {}

    /**
     * Switches the fast reader and the custom encoders on for every generated record class; cheap
     * after the first call.
     */
    public static void enable() {
        if (enabled) {
            return;
        }
        synchronized (FastCoders.class) {
            if (!enabled) {
                for (String name : records()) {
                    SpecificData model = model(name);
                    // The fast reader first: the custom decoders must never be reached.
                    model.setFastReaderEnabled(true);
                    model.setCustomCoders(true);
                }
                enabled = true;
            }
        }
    }

    /** Whether the fast reader and the custom encoders are on for this record class. */
    public static boolean isEnabled(Class<?> type) {
        SpecificData model = SpecificData.getForClass(type);
        return model.isFastReaderEnabled() && model.useCustomCoders();
    }

    /** The full names of every record type reachable from the roots, sorted. */
    static Set<String> records() {
        Set<String> names = new TreeSet<>();
        Deque<Schema> pending = new ArrayDeque<>(ROOTS);
        while (!pending.isEmpty()) {
            Schema schema = pending.pop();
            switch (schema.getType()) {
                case RECORD -> {
                    if (names.add(schema.getFullName())) {
                        schema.getFields().forEach(field -> pending.push(field.schema()));
                    }
                }
                case UNION -> pending.addAll(schema.getTypes());
                case ARRAY -> pending.push(schema.getElementType());
                case MAP -> pending.push(schema.getValueType());
                default -> {}
            }
        }
        return names;
    }

    private static SpecificData model(String recordName) {
        try {
            return SpecificData.getForClass(
                    Class.forName(recordName, true, FastCoders.class.getClassLoader()));
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("no generated class for record " + recordName, e);
        }
    }
}
