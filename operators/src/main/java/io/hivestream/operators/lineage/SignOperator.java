package io.hivestream.operators.lineage;

import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.codec.FastCoders;
import io.hivestream.schemas.internal.ChainHead;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The signing stage, chained to the stage that makes the results, just before the results sink: no
 * exchange. Each instance extends its own chain of each tenant's results ({@link #chainId}: the
 * checkpoint it started from and its subtask index), so a tenant has one chain per instance that
 * made its results. State: each chain's head (tenant, id, last seq and hash), operator state
 * checkpointed with the results sink's transaction, so a restore rolls it back together with the
 * uncommitted results: each chain goes on from its last committed result, with no fork and no gap.
 * Results are linked as they arrive and held in memory until their batch is sealed ({@link
 * LineageSigner#seal}: one signature, carried by each chain's last result in the batch): when it
 * holds {@code batchSize} results, after {@code maxDelay} (when given), before each checkpoint
 * barrier and at the end of input, so nothing unsigned is ever in a checkpoint. The key is read
 * from its {@link KeySource} when the stage opens.
 */
public final class SignOperator extends AbstractStreamOperator<TaskResult>
        implements OneInputStreamOperator<TaskResult, TaskResult>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final KeySource keySource;
    private final int batchSize;
    private final Duration maxDelay;

    private transient LineageSigner signer;
    private transient ListState<ChainHead> heads;

    /** The chain this instance extends for each tenant, by tenant. */
    private transient Map<String, Chain> chains;

    /** The id of the chains this instance starts. */
    private transient String newChain;

    /** The chains with results in the batch being collected, in the order of their first. */
    private transient List<Chain> inBatch;

    private transient int pendingResults;
    private transient boolean flushScheduled;
    private transient Counter signed;
    private transient Counter signatures;

    /**
     * @param maxDelay longest a result waits for its batch to be signed; null: until the batch is
     *     full or the next checkpoint barrier (for exactly-once results, which become visible
     *     there)
     */
    public SignOperator(KeySource keySource, int batchSize, Duration maxDelay) {
        if (batchSize < 1) {
            throw new IllegalArgumentException(
                    "the lineage batch size must be at least 1, got " + batchSize);
        }
        if (maxDelay != null && maxDelay.isNegative()) {
            throw new IllegalArgumentException("the lineage max delay must not be negative");
        }
        this.keySource = keySource;
        this.batchSize = batchSize;
        this.maxDelay = maxDelay;
    }

    /**
     * The id of the chains an instance starts: the checkpoint it started from (0 for none) and its
     * subtask index, e.g. {@code 12-1}. Unique among the chains a job's results can hold: the
     * chains in a checkpoint were all started from an earlier one, and a restore from the same
     * checkpoint again starts only chains whose results its failure aborted.
     */
    static String chainId(long restoredCheckpoint, int subtask) {
        return restoredCheckpoint + "-" + subtask;
    }

    /**
     * The chain an instance extends for each tenant, of the heads it restored: after a rescale to
     * fewer instances one can restore several of a tenant's chains; it goes on with the one whose
     * id sorts first, and the others end (their last results were signed before the checkpoint).
     */
    static Map<String, ChainHead> continued(Iterable<ChainHead> restored) {
        Map<String, ChainHead> byTenant = new HashMap<>();
        for (ChainHead head : restored) {
            byTenant.merge(
                    head.getTenant(),
                    head,
                    (a, b) -> a.getChain().compareTo(b.getChain()) <= 0 ? a : b);
        }
        return byTenant;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        heads =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "chain-heads", new AvroTypeInfo<>(ChainHead.class)));
        chains = new HashMap<>();
        for (ChainHead head : continued(heads.get()).values()) {
            chains.put(head.getTenant(), new Chain(head));
        }
        newChain =
                chainId(
                        context.getRestoredCheckpointId().orElse(0L),
                        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
    }

    @Override
    public void open() throws Exception {
        super.open();
        FastCoders.enable();
        signer = new LineageSigner(keySource.load(System.getenv()));
        inBatch = new ArrayList<>();
        signed = getMetricGroup().counter("resultsSigned");
        signatures = getMetricGroup().counter("signatures");
        LOG.info(
                "signing results with key {} ({}), new chains named {}",
                signer.key().keyId(),
                signer.key().algorithm().recordedName(),
                newChain);
    }

    @Override
    public void processElement(StreamRecord<TaskResult> element) throws Exception {
        TaskResult result = element.getValue();
        Chain chain = chains.get(result.getTenant());
        if (chain == null) {
            chain = new Chain(LineageSigner.newChain(result.getTenant(), newChain));
            chains.put(result.getTenant(), chain);
        }
        LineageSigner.Linked linked = signer.link(result, chain.head);
        chain.head = linked.head();
        if (chain.batch.isEmpty()) {
            inBatch.add(chain);
        }
        chain.batch.add(linked.result());
        pendingResults++;
        if (pendingResults >= batchSize) {
            flush();
        } else if (maxDelay != null && !flushScheduled) {
            flushScheduled = true;
            long now = getProcessingTimeService().getCurrentProcessingTime();
            getProcessingTimeService().registerTimer(now + maxDelay.toMillis(), t -> flush());
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<ChainHead> all = new ArrayList<>(chains.size());
        for (Chain chain : chains.values()) {
            all.add(chain.head);
        }
        heads.update(all);
    }

    @Override
    public void endInput() throws Exception {
        flush();
    }

    private void flush() {
        // A timer still pending after this flush signs a smaller batch early; no harm.
        flushScheduled = false;
        if (inBatch.isEmpty()) {
            return;
        }
        List<List<TaskResult>> segments = new ArrayList<>(inBatch.size());
        for (Chain chain : inBatch) {
            segments.add(chain.batch);
        }
        signer.seal(segments);
        for (Chain chain : inBatch) {
            for (TaskResult result : chain.batch) {
                output.collect(new StreamRecord<>(result));
            }
            chain.batch = new ArrayList<>();
        }
        signed.inc(pendingResults);
        signatures.inc();
        inBatch.clear();
        pendingResults = 0;
    }

    /** One chain this instance extends: its head, and its results in the batch being collected. */
    private static final class Chain {
        ChainHead head;
        List<TaskResult> batch = new ArrayList<>();

        Chain(ChainHead head) {
            this.head = head;
        }
    }
}
