package io.hivestream.operators.execute;

import io.hivestream.operators.StateTtl;
import io.hivestream.schemas.internal.Turn;
import java.time.Duration;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * The execute stage's keyed state of a session's memory, its last turns oldest first, as the stage
 * declares it and as a reader of its savepoints must declare it too: a state with a TTL keeps each
 * turn with its time, and only a descriptor with a TTL reads it back.
 */
public final class SessionMemoryState {
    /** The state's name in the execute stage's keyed state. */
    public static final String NAME = "memory";

    private SessionMemoryState() {}

    /**
     * The memory's descriptor: turns dropped {@code ttl} after the session's last write, and never
     * read once expired.
     */
    public static ListStateDescriptor<Turn> descriptor(Duration ttl) {
        ListStateDescriptor<Turn> descriptor =
                new ListStateDescriptor<>(NAME, new AvroTypeInfo<>(Turn.class));
        descriptor.enableTimeToLive(StateTtl.afterWrite(ttl));
        return descriptor;
    }
}
