package io.hivestream.operators.route;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.internal.AgentView;
import io.hivestream.schemas.internal.CallRequest;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * The agents' rotation as a stage after routing sees it, so that work routed to an agent that has
 * since left the rotation (missed its heartbeats, or retired) goes elsewhere before it is started.
 * Owns nothing but a reference to its stage's broadcast state of agent views (agentId to the latest
 * view); who is in the rotation is {@link AgentDirectory}'s rule, the same as the route stage's.
 *
 * <p>A request whose primary agent left moves on to the next agent of its chain that is still in
 * the rotation; when none is, it is routed again against the current views. Agents no view has been
 * seen of count as in the rotation.
 */
public final class Rotation {
    /** The stage's operator broadcast state. */
    public static final MapStateDescriptor<String, AgentView> VIEWS =
            new MapStateDescriptor<>(
                    "rotation-views", Types.STRING, new AvroTypeInfo<>(AgentView.class));

    private final BroadcastState<String, AgentView> views;
    private final Router router;

    public Rotation(BroadcastState<String, AgentView> views, Router router) {
        this.views = views;
        this.router = router;
    }

    /** Records a view; returns whether an agent that was in the rotation left it. */
    public boolean update(AgentView view) throws Exception {
        String agentId = view.getAgent().getAgentId();
        boolean wasIn = inRotation(agentId);
        views.put(agentId, view);
        return wasIn && !inRotation(agentId);
    }

    public boolean inRotation(String agentId) throws Exception {
        AgentView view = views.get(agentId);
        return view == null || AgentDirectory.inRotation(view);
    }

    /**
     * The request to start instead of {@code request}: itself while its primary agent is in the
     * rotation (or nothing better is known), else with a chain whose primary is.
     *
     * @param now the time the router's load estimates are taken at
     */
    public CallRequest reroute(CallRequest request, long now) throws Exception {
        List<AgentEvent> chain = request.getChain();
        if (request.getRouteError() != null
                || chain.isEmpty()
                || inRotation(chain.get(0).getAgentId())) {
            return request;
        }
        List<AgentEvent> remaining = new ArrayList<>();
        for (AgentEvent agent : chain) {
            if (inRotation(agent.getAgentId())) {
                remaining.add(agent);
            }
        }
        if (remaining.isEmpty()) {
            List<AgentView> current = AgentDirectory.current(views.immutableEntries());
            String draw = request.getTask().getTask().getTaskId() + "#" + request.getReplica();
            for (Router.Candidate candidate :
                    router.ranked(request.getTask(), current, Router.randomFor(draw, 0), now)) {
                if (remaining.size() > router.maxFallbacks()) {
                    break;
                }
                remaining.add(candidate.agent());
            }
        }
        if (remaining.isEmpty()) {
            return request; // no agent left: its calls fail through its chain with their reasons
        }
        return CallRequest.newBuilder(request).setChain(remaining).build();
    }

    /** Re-routes the requests of one queue; returns how many changed. */
    public int rerouteAll(ListState<CallRequest> queue, long now) throws Exception {
        List<CallRequest> requests = new ArrayList<>();
        int changed = 0;
        Iterable<CallRequest> stored = queue.get();
        if (stored == null) {
            return 0;
        }
        for (CallRequest request : stored) {
            CallRequest next = reroute(request, now);
            changed += next == request ? 0 : 1;
            requests.add(next);
        }
        if (changed > 0) {
            queue.update(requests);
        }
        return changed;
    }
}
