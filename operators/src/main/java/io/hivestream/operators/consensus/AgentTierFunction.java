package io.hivestream.operators.consensus;

import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.AgentView;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Stamps each decided result with {@code agentTier}, the tier the agent whose answer is the output
 * is registered with, beside {@code tier}, the analysed one: an EDGE task answered by a CLOUD agent
 * (a fallback, an escalation, or no EDGE agent offering what it needs) says so.
 *
 * <p>Broadcast state {@link #TIERS}: each agent's registered tier, from the registry's views. A
 * retired agent's tier is kept, since its last answers may still be on their way. A result whose
 * agents are unknown here (or that has none) is left without {@code agentTier}.
 */
public final class AgentTierFunction
        extends BroadcastProcessFunction<TaskResult, AgentView, TaskResult> {
    private static final long serialVersionUID = 1L;

    public static final MapStateDescriptor<String, Tier> TIERS =
            new MapStateDescriptor<>("agent-tiers", Types.STRING, TypeInformation.of(Tier.class));

    @Override
    public void processElement(TaskResult result, ReadOnlyContext ctx, Collector<TaskResult> out)
            throws Exception {
        if (result.getAgentTier() == null && !result.getAgents().isEmpty()) {
            ReadOnlyBroadcastState<String, Tier> tiers = ctx.getBroadcastState(TIERS);
            for (String agentId : result.getAgents()) {
                Tier tier = tiers.get(agentId);
                if (tier != null) {
                    result.setAgentTier(tier);
                    break;
                }
            }
        }
        out.collect(result);
    }

    @Override
    public void processBroadcastElement(AgentView view, Context ctx, Collector<TaskResult> out)
            throws Exception {
        BroadcastState<String, Tier> tiers = ctx.getBroadcastState(TIERS);
        if (view.getAgent().getTier() != tiers.get(view.getAgent().getAgentId())) {
            tiers.put(view.getAgent().getAgentId(), view.getAgent().getTier());
        }
    }
}
