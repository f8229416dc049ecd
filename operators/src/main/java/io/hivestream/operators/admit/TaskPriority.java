package io.hivestream.operators.admit;

import io.hivestream.schemas.Task;
import java.util.Comparator;

/**
 * Which of two waiting tasks starts first: the higher {@code priority}, then the earlier {@code
 * deadline} (a task without one last), then the one that arrived first. The admit stage orders its
 * waiting tasks by it; a stage at capacity should start its queued work in the same order.
 */
public final class TaskPriority {
    private TaskPriority() {}

    /** Orders tasks, first to start first; {@code arrival} breaks ties (smaller is earlier). */
    public static <T> Comparator<T> order(
            java.util.function.Function<T, Task> task,
            java.util.function.ToLongFunction<T> arrival) {
        Comparator<T> byPriority =
                Comparator.comparingInt((T t) -> task.apply(t).getPriority()).reversed();
        return byPriority
                .thenComparingLong(
                        t -> {
                            Long deadline = task.apply(t).getDeadline();
                            return deadline == null ? Long.MAX_VALUE : deadline;
                        })
                .thenComparingLong(arrival);
    }
}
