package io.hivestream.operators.testing;

import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/** What the operator tests ask of harnesses that Flink's two-input harnesses do not offer. */
public final class Harnesses {
    private Harnesses() {}

    /** Keyed state entries of the harness's operator, over all keys and states. */
    public static int keyedStateEntries(AbstractStreamOperatorTestHarness<?> harness) {
        KeyedStateBackend<Object> backend =
                ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend();
        if (backend instanceof HeapKeyedStateBackend<?> heap) {
            return heap.numKeyValueStateEntries();
        }
        throw new IllegalStateException("not a heap state backend: " + backend);
    }
}
