package io.hivestream.operators.route;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.AgentEventType;
import java.util.Map;

/**
 * Applies agents-topic events to a store of agentId to the agent's current record: the
 * agent-statistics operator hands it an agent's keyed state, tests a plain map.
 */
public final class AgentRegistry {
    private AgentRegistry() {}

    /** Where the registry lives. */
    public interface Store {
        AgentEvent get(String agentId) throws Exception;

        void put(String agentId, AgentEvent agent) throws Exception;

        /** Returns whether the agent was there. */
        boolean remove(String agentId) throws Exception;
    }

    /** The store of one agent: keyed state of the agent's key. */
    public static Store of(org.apache.flink.api.common.state.ValueState<AgentEvent> state) {
        return new Store() {
            @Override
            public AgentEvent get(String agentId) throws Exception {
                return state.value();
            }

            @Override
            public void put(String agentId, AgentEvent agent) throws Exception {
                state.update(agent);
            }

            @Override
            public boolean remove(String agentId) throws Exception {
                boolean known = state.value() != null;
                state.clear();
                return known;
            }
        };
    }

    public static Store of(Map<String, AgentEvent> map) {
        return new Store() {
            @Override
            public AgentEvent get(String agentId) {
                return map.get(agentId);
            }

            @Override
            public void put(String agentId, AgentEvent agent) {
                map.put(agentId, agent);
            }

            @Override
            public boolean remove(String agentId) {
                return map.remove(agentId) != null;
            }
        };
    }

    /** Returns true when the set of routable agents may have changed. */
    public static boolean apply(Store agents, AgentEvent event, long now) throws Exception {
        switch (event.getType()) {
            case RETIRE:
                return agents.remove(event.getAgentId());
            case HEARTBEAT:
                AgentEvent known = agents.get(event.getAgentId());
                if (known == null) {
                    return false;
                }
                AgentEvent beat =
                        AgentEvent.newBuilder(known).setTimestamp(timestampOf(event, now)).build();
                agents.put(event.getAgentId(), beat);
                return false;
            case REGISTER:
            case UPDATE:
            default:
                AgentEvent copy =
                        AgentEvent.newBuilder(event)
                                .setType(AgentEventType.REGISTER)
                                .setTimestamp(timestampOf(event, now))
                                .build();
                agents.put(event.getAgentId(), copy);
                return true;
        }
    }

    private static long timestampOf(AgentEvent event, long now) {
        return event.getTimestamp() != null ? event.getTimestamp() : now;
    }
}
