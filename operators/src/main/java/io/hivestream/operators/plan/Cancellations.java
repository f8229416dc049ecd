package io.hivestream.operators.plan;

import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import java.util.Map;

/**
 * How a plan stops the steps it no longer needs. When a plan ends (failed, timed out) or re-plans,
 * the aggregate stage writes, for each step it released that has not finished, a cancellation to
 * the tasks topic: a record with the step's tenant and root whose metadata {@link #CANCEL} names
 * the step's task id. It is keyed like the step itself ({@code SessionKeys}), so it reaches the
 * route and execute instances, and the key, that hold the step. The route stage passes it on
 * without routing it; the execute stage remembers the step as cancelled: a call of the step that
 * has not started never starts (a retry, a fallback, a call waiting for a slot or a step that
 * arrives later), and the step's result is {@code CANCELLED} with the reason. A call already in
 * flight finishes; its answer is the step's result.
 */
public final class Cancellations {
    /** Cancellation metadata: the task id of the step it cancels. */
    public static final String CANCEL = "plan.cancel";

    /** Cancellation metadata: why the plan no longer needs the step. */
    public static final String REASON = "plan.cancel.reason";

    /** The kind and role of a cancellation. */
    public static final String KIND = "cancel";

    private Cancellations() {}

    /** The cancellation of a released step of the root task's plan. */
    public static Task of(String stepTaskId, Task root, String reason, long now) {
        return Task.newBuilder()
                .setTaskId(stepTaskId + "/cancel")
                .setTenant(root.getTenant())
                .setKind(KIND)
                .setInput("cancel " + stepTaskId)
                .setStrategy(Strategy.DIRECT)
                .setMetadata(Map.of(CANCEL, stepTaskId, REASON, reason))
                .setParentId(root.getTaskId())
                .setRootId(root.getTaskId())
                .setRole(KIND)
                .setCreatedAt(now)
                .build();
    }

    /** The task id of the step a task cancels, or null when it is not a cancellation. */
    public static String cancelled(Task task) {
        return task.getRootId() == null ? null : task.getMetadata().get(CANCEL);
    }

    /** Why a cancellation cancels its step. */
    public static String reason(Task cancellation) {
        String reason = cancellation.getMetadata().get(REASON);
        return "cancelled: " + (reason != null ? reason : "its plan no longer needs it");
    }
}
