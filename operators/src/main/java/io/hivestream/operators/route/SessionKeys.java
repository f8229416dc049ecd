package io.hivestream.operators.route;

import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallRequest;

/**
 * The key that the route and execute stages share: the tenant's session for a task that has one
 * ({@code s/TENANT/SESSION}), the request's cache key for a task the response cache serves ({@code
 * c/TENANT/HASH}, set by the analyse stage: {@code CachePolicy}), else the task itself ({@code
 * t/TASK}). Both stages key by it, so the turns of a session pass one route instance and reach one
 * execute instance in the order they arrived, with no shuffle between the two, and identical
 * cacheable requests meet at one execute instance and key.
 */
public final class SessionKeys {
    private SessionKeys() {}

    /** The key of a task that the response cache does not serve. */
    public static String of(Task task) {
        return task.getSessionId() != null
                ? "s/" + task.getTenant() + "/" + task.getSessionId()
                : "t/" + task.getTaskId();
    }

    public static String of(AnalyzedTask task) {
        String cacheKey = task.getCacheKey();
        return cacheKey != null ? cacheKey : of(task.getTask());
    }

    public static String of(CallRequest request) {
        return of(request.getTask());
    }
}
