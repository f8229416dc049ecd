package io.hivestream.operators.route;

import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallRequest;

/**
 * The key that the route and execute stages share: the tenant's session for a task that has one,
 * else the task itself. Both stages key by it, so the turns of a session pass one route instance
 * and reach one execute instance in the order they arrived, with no shuffle between the two.
 */
public final class SessionKeys {
    private SessionKeys() {}

    public static String of(Task task) {
        return task.getSessionId() != null
                ? "s/" + task.getTenant() + "/" + task.getSessionId()
                : "t/" + task.getTaskId();
    }

    public static String of(AnalyzedTask task) {
        return of(task.getTask());
    }

    public static String of(CallRequest request) {
        return of(request.getTask().getTask());
    }
}
