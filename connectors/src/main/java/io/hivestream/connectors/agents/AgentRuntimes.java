package io.hivestream.connectors.agents;

import io.hivestream.connectors.agents.onnx.OnnxAgentRuntime;
import io.hivestream.connectors.agents.providers.AnthropicMessagesRuntime;
import io.hivestream.connectors.agents.providers.OpenAiChatRuntime;
import io.hivestream.connectors.agents.tools.ToolRuntime;
import io.hivestream.operators.execute.AgentRuntime;
import io.hivestream.operators.execute.AgentRuntimeFactory;
import io.hivestream.schemas.AgentEvent;
import java.util.List;

/** The runtimes this build can run, chosen by an agent record's {@code runtime}. */
public final class AgentRuntimes implements AgentRuntimeFactory {
    private static final long serialVersionUID = 1L;

    public static final List<String> SUPPORTED =
            List.of(
                    SimulatedAgentRuntime.RUNTIME,
                    OpenAiChatRuntime.RUNTIME,
                    AnthropicMessagesRuntime.RUNTIME,
                    ToolRuntime.RUNTIME,
                    OnnxAgentRuntime.RUNTIME);

    /**
     * @throws IllegalArgumentException when the record names a runtime this build does not have
     * @throws io.hivestream.operators.execute.AgentCallException CONFIGURATION when the runtime
     *     exists but the record cannot work with it (a missing key, an unknown tool, ...)
     */
    @Override
    public AgentRuntime create(AgentEvent agent) {
        return switch (agent.getRuntime()) {
            case SimulatedAgentRuntime.RUNTIME -> new SimulatedAgentRuntime(agent);
            case OpenAiChatRuntime.RUNTIME -> new OpenAiChatRuntime(agent);
            case AnthropicMessagesRuntime.RUNTIME -> new AnthropicMessagesRuntime(agent);
            case ToolRuntime.RUNTIME -> new ToolRuntime(agent);
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
