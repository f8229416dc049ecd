package io.hivestream.jobs;

import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;

/**
 * The Flink settings the job relies on: RocksDB state with incremental checkpoints and bloom
 * filters, checkpoints with aligned barriers for exactly-once delivery and without them for
 * at-least-once, object reuse between chained operators, and no silent fallback to Kryo. Settings
 * the user gave are kept; only missing ones are filled in, except generic types, which stay off.
 */
public final class JobSettings {
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

    private JobSettings() {}

    public static Configuration apply(Configuration conf) {
        Configuration settings = new Configuration(conf);
        settings.set(PipelineOptions.GENERIC_TYPES, false);
        // Without object reuse Flink deep-copies every record passed between chained operators
        // (decode to analyse, route to execute, aggregate to the sinks). No stage changes a record
        // after handing it on (the route stage keeps each agent view it passes to the execute
        // stage; neither changes it), and records from the network are new objects either way.
        setIfMissing(settings, PipelineOptions.OBJECT_REUSE, true);
        setIfMissing(settings, StateBackendOptions.STATE_BACKEND, "rocksdb");
        setIfMissing(settings, CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        // Most state reads of a task look for what is not there (no queued turn, no plan, an id
        // not seen before): a bloom filter answers those without reading every level-0 file.
        setIfMissing(settings, RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        setIfMissing(
                settings, CheckpointingOptions.CHECKPOINTING_INTERVAL, DEFAULT_CHECKPOINT_INTERVAL);
        // At-least-once results need no aligned barriers: without alignment a checkpoint does not
        // hold back the inputs that delivered their barrier first, which is what results wait
        // for. A replayed task finds its id remembered and goes to the dead letters, not twice to
        // the results, because the results sink runs in the same task as the aggregate stage.
        setIfMissing(
                settings,
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                settings.get(HivestreamOptions.DELIVERY) == DeliveryGuarantee.AT_LEAST_ONCE
                        ? org.apache.flink.core.execution.CheckpointingMode.AT_LEAST_ONCE
                        : org.apache.flink.core.execution.CheckpointingMode.EXACTLY_ONCE);
        return settings;
    }

    private static <T> void setIfMissing(
            Configuration conf, org.apache.flink.configuration.ConfigOption<T> option, T value) {
        if (!conf.contains(option)) {
            conf.set(option, value);
        }
    }
}
