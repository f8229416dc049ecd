package io.hivestream.operators;

import java.time.Duration;
import org.apache.flink.api.common.state.StateTtlConfig;

/** The one kind of state time-to-live the stages use. */
public final class StateTtl {
    private StateTtl() {}

    /**
     * An entry expires {@code ttl} after it was last written (created or updated, not read), and an
     * expired entry is never returned; RocksDB's compaction removes it.
     */
    public static StateTtlConfig afterWrite(Duration ttl) {
        return StateTtlConfig.newBuilder(ttl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build();
    }
}
