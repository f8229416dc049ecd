package io.hivestream.operators.route;

import io.hivestream.operators.plan.Cancellations;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.AgentView;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallRequest;
import org.apache.flink.types.Either;

/**
 * The key that the route and execute stages share: the tenant's session for a task that has one
 * ({@code s/TENANT/SESSION}), the request's cache key for a task the response cache serves ({@code
 * c/TENANT/HASH}, set by the analyse stage: {@code CachePolicy}), else the task itself ({@code
 * t/TASK}; a cancellation of a plan's step takes the step's key). Both stages key by it, so the
 * turns of a session pass one route instance and reach one execute instance in the order they
 * arrived, with no shuffle between the two, and identical cacheable requests meet at one execute
 * instance and key.
 */
public final class SessionKeys {
    private SessionKeys() {}

    /** How the keys of a session's turns begin. */
    public static final String SESSION_PREFIX = "s/";

    /** The key of a task that the response cache does not serve. */
    public static String of(Task task) {
        if (task.getSessionId() != null) {
            return session(task.getTenant(), task.getSessionId());
        }
        // A step's cancellation goes where the step goes.
        String cancelled = Cancellations.cancelled(task);
        return "t/" + (cancelled != null ? cancelled : task.getTaskId());
    }

    /** The key of a tenant's session. */
    public static String session(String tenant, String sessionId) {
        return SESSION_PREFIX + tenant + "/" + sessionId;
    }

    public static String of(AnalyzedTask task) {
        String cacheKey = task.getCacheKey();
        return cacheKey != null ? cacheKey : of(task.getTask());
    }

    public static String of(CallRequest request) {
        return of(request.getTask());
    }

    /**
     * The key of a request the route stage emits. An agent's view, which it emits too, concerns
     * every key and has none: the execute stage takes it under no key.
     */
    public static String of(Either<CallRequest, AgentView> routed) {
        if (routed.isRight()) {
            throw new IllegalArgumentException(
                    "agent view " + routed.right().getAgent().getAgentId() + " has no session key");
        }
        return of(routed.left());
    }
}
