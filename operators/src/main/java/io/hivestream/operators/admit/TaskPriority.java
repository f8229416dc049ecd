package io.hivestream.operators.admit;

import io.hivestream.schemas.Task;
import java.util.Comparator;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Which of two waiting tasks starts first: the higher {@code priority}, then the earlier {@code
 * deadline} (a task without one last), then the one that arrived first. The admit stage orders its
 * waiting tasks by it, and the execute stage the calls waiting for an agent's slot.
 */
public final class TaskPriority {
    private TaskPriority() {}

    /** Orders by priority, then deadline: the order without the arrival tie-break. */
    public static <T> Comparator<T> first(Function<T, Task> task) {
        Comparator<T> byPriority =
                Comparator.comparingInt((T t) -> task.apply(t).getPriority()).reversed();
        return byPriority.thenComparingLong(
                t -> {
                    Long deadline = task.apply(t).getDeadline();
                    return deadline == null ? Long.MAX_VALUE : deadline;
                });
    }

    /** Orders tasks, first to start first; {@code arrival} breaks ties (smaller is earlier). */
    public static <T> Comparator<T> order(Function<T, Task> task, ToLongFunction<T> arrival) {
        return first(task).thenComparingLong(arrival);
    }
}
