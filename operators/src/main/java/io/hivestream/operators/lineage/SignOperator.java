package io.hivestream.operators.lineage;

import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.codec.FastCoders;
import io.hivestream.schemas.internal.ChainHead;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The signing stage, keyed by tenant, just before the results sink. State: each tenant's chain head
 * (its last result's seq and hash), checkpointed, so a restore rolls it back together with the
 * results sink's uncommitted transaction: the chain goes on from the last committed result, with no
 * fork and no gap. Results are linked as they arrive. Only each tenant's newest result is held, in
 * memory with its tenant's head, until the batch is sealed: when a newer one of its tenant arrives,
 * the held one is covered through the chain ({@link LineageSigner#cover}) and written at once. The
 * batch is sealed (one signature, carried by each tenant's newest result, its leaf) when it counts
 * {@code batchSize} results, after {@code maxDelay} (when given), before each checkpoint barrier
 * and at the end of input, so nothing unsigned is ever in a checkpoint. The heads are written to
 * state when a batch is sealed, once per tenant. The key is read from its {@link KeySource} when
 * the stage opens.
 */
public final class SignOperator extends AbstractStreamOperator<TaskResult>
        implements OneInputStreamOperator<TaskResult, TaskResult>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final KeySource keySource;
    private final int batchSize;
    private final Duration maxDelay;

    private transient LineageSigner signer;
    private transient ValueState<ChainHead> head;

    /** The batch being collected: each tenant's newest result, held, and its head after it. */
    private transient Map<String, Segment> pending;

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

    @Override
    public void open() throws Exception {
        super.open();
        FastCoders.enable();
        signer = new LineageSigner(keySource.load(System.getenv()));
        head =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "chain-head", new AvroTypeInfo<>(ChainHead.class)));
        pending = new LinkedHashMap<>();
        signed = getMetricGroup().counter("resultsSigned");
        signatures = getMetricGroup().counter("signatures");
        LOG.info(
                "signing results with key {} ({})",
                signer.key().keyId(),
                signer.key().algorithm().recordedName());
    }

    @Override
    public void processElement(StreamRecord<TaskResult> element) throws Exception {
        String tenant = (String) getCurrentKey();
        Segment segment = pending.get(tenant);
        if (segment == null) {
            segment = new Segment(head.value());
            pending.put(tenant, segment);
        }
        LineageSigner.Linked linked = signer.link(element.getValue(), segment.head);
        segment.head = linked.head();
        if (segment.newest != null) {
            // Its newer result names its hash: the held one needs nothing from the signature.
            LineageSigner.cover(segment.newest);
            output.collect(new StreamRecord<>(segment.newest));
        }
        segment.newest = linked.result();
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
    public void endInput() throws Exception {
        flush();
    }

    private void flush() throws Exception {
        // A timer still pending after this flush signs a smaller batch early; no harm.
        flushScheduled = false;
        if (pending.isEmpty()) {
            return;
        }
        List<TaskResult> leaves = new ArrayList<>(pending.size());
        for (Map.Entry<String, Segment> entry : pending.entrySet()) {
            setCurrentKey(entry.getKey());
            head.update(entry.getValue().head);
            leaves.add(entry.getValue().newest);
        }
        signer.sign(leaves);
        for (TaskResult leaf : leaves) {
            output.collect(new StreamRecord<>(leaf));
        }
        signed.inc(pendingResults);
        signatures.inc();
        pending = new LinkedHashMap<>();
        pendingResults = 0;
    }

    /** One tenant's newest result in the batch being collected, and its chain head after it. */
    private static final class Segment {
        TaskResult newest;
        ChainHead head;

        Segment(ChainHead head) {
            this.head = head;
        }
    }
}
