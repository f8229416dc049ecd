package io.hivestream.operators.consensus;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.CallReply;
import java.util.List;

/**
 * The tier of the agent that answered, as the replies' routing recorded it: a result's {@code tier}
 * is the analysed one, its {@code agentTier} this one, so that an EDGE task answered by a CLOUD
 * agent (a fallback, an escalation, or no EDGE agent for it) says so.
 */
final class AnswerTiers {
    private AnswerTiers() {}

    /**
     * The registered tier of the first of {@code agents} that one of {@code replies} was routed to
     * (its chain or its escalation); null when there is none.
     */
    static Tier of(List<CallReply> replies, List<String> agents) {
        for (String agentId : agents) {
            for (CallReply reply : replies) {
                Tier tier = find(reply.getRequest().getChain(), agentId);
                if (tier == null) {
                    tier = find(reply.getRequest().getEscalation(), agentId);
                }
                if (tier != null) {
                    return tier;
                }
            }
        }
        return null;
    }

    private static Tier find(List<AgentEvent> agents, String agentId) {
        for (AgentEvent agent : agents) {
            if (agent.getAgentId().equals(agentId)) {
                return agent.getTier();
            }
        }
        return null;
    }
}
