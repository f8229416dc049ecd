package io.hivestream.connectors.agents;

import io.hivestream.connectors.agents.onnx.OnnxAgentRuntime;
import io.hivestream.operators.execute.AgentRuntime;
import io.hivestream.operators.execute.AgentRuntimeFactory;
import io.hivestream.schemas.AgentEvent;
import java.util.List;

/** The runtimes this build can run, chosen by an agent record's {@code runtime}. */
public final class AgentRuntimes implements AgentRuntimeFactory {
    private static final long serialVersionUID = 1L;

    public static final List<String> SUPPORTED =
            List.of(SimulatedAgentRuntime.RUNTIME, OnnxAgentRuntime.RUNTIME);

    @Override
    public AgentRuntime create(AgentEvent agent) {
        return switch (agent.getRuntime()) {
            case SimulatedAgentRuntime.RUNTIME -> new SimulatedAgentRuntime(agent);
            case OnnxAgentRuntime.RUNTIME -> new OnnxAgentRuntime(agent);
            default ->
                    throw new IllegalArgumentException(
                            "agent "
                                    + agent.getAgentId()
                                    + ": runtime '"
                                    + agent.getRuntime()
                                    + "' is not available in this build; available: "
                                    + SUPPORTED);
        };
    }
}
