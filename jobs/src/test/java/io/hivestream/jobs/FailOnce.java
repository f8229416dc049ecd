package io.hivestream.jobs;

import io.hivestream.schemas.Task;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

/**
 * A test-only step before the pipeline: once {@linkplain #arm() armed}, throws on the first task it
 * sees, once, so that the job fails over and restores its latest checkpoint; counts the completed
 * checkpoints meanwhile. Its state is static (the MiniCluster runs in the test's JVM): a test calls
 * {@link #reset()} before it builds its job.
 */
final class FailOnce implements MapFunction<Task, Task>, CheckpointListener {
    private static final long serialVersionUID = 1L;
    static final AtomicLong completedCheckpoints = new AtomicLong();
    static final AtomicInteger failures = new AtomicInteger();
    private static volatile boolean armed;

    static void reset() {
        armed = false;
        failures.set(0);
        completedCheckpoints.set(0);
    }

    static void arm() {
        armed = true;
    }

    @Override
    public Task map(Task task) {
        if (armed && failures.compareAndSet(0, 1)) {
            throw new IllegalStateException("failing once on purpose at " + task.getTaskId());
        }
        return task;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        completedCheckpoints.incrementAndGet();
    }
}
