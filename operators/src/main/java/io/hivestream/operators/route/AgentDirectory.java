package io.hivestream.operators.route;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.AgentEventType;
import io.hivestream.schemas.internal.AgentView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The agents as the route and execute stages see them: the latest view of each agent that the
 * statistics operator published, kept by each stage in its broadcast state. One rule for both
 * stages: an agent is in the rotation while its latest view is healthy and not a retirement. A
 * retired agent stays as a tombstone (its {@code RETIRE} view), so that work routed to it earlier
 * is known to need another agent, until a new registration replaces it.
 */
public final class AgentDirectory {
    private AgentDirectory() {}

    public static boolean retired(AgentView view) {
        return view.getAgent().getType() == AgentEventType.RETIRE;
    }

    /** The rule: healthy and not retired. */
    public static boolean inRotation(AgentView view) {
        return !retired(view) && view.getStats().getHealthy();
    }

    /**
     * The views a router chooses from: every agent not retired (the router itself passes over the
     * unhealthy ones, whose statistics it still reads).
     */
    public static List<AgentView> current(Iterable<Map.Entry<String, AgentView>> entries) {
        List<AgentView> views = new ArrayList<>();
        for (Map.Entry<String, AgentView> entry : entries) {
            if (!retired(entry.getValue())) {
                views.add(entry.getValue());
            }
        }
        return views;
    }

    /** The agents in the rotation. */
    public static List<AgentEvent> rotation(Iterable<Map.Entry<String, AgentView>> entries) {
        List<AgentEvent> agents = new ArrayList<>();
        for (Map.Entry<String, AgentView> entry : entries) {
            if (inRotation(entry.getValue())) {
                agents.add(entry.getValue().getAgent());
            }
        }
        return agents;
    }

    /**
     * Whether {@code next} may let a task that waits for agents go: a new agent, one back in the
     * rotation, or a changed record. Statistics alone, a retirement, or an agent leaving the
     * rotation let nothing go.
     */
    public static boolean mayAdmit(AgentView before, AgentView next) {
        if (!inRotation(next)) {
            return false;
        }
        return before == null
                || !inRotation(before)
                || !sameRecord(before.getAgent(), next.getAgent());
    }

    /** Whether two records of an agent differ in more than the time they were seen. */
    public static boolean sameRecord(AgentEvent a, AgentEvent b) {
        return AgentEvent.newBuilder(a)
                .setTimestamp(null)
                .build()
                .equals(AgentEvent.newBuilder(b).setTimestamp(null).build());
    }
}
