package io.hivestream.connectors.agents;

import io.hivestream.connectors.agents.providers.AnthropicMessagesRuntime;
import io.hivestream.connectors.agents.providers.OpenAiChatRuntime;
import io.hivestream.connectors.agents.tools.ToolRuntime;
import io.hivestream.operators.execute.AgentRuntime;
import io.hivestream.operators.execute.AgentRuntimeFactory;
import io.hivestream.schemas.AgentEvent;
import java.util.List;

/**
 * The runtimes this build can run, chosen by an agent record's {@code runtime}. It holds nothing
 * but the choice: each runtime reads its own key when created here, on the TaskManager.
 */
public final class AgentRuntimes implements AgentRuntimeFactory {
    private static final long serialVersionUID = 1L;

    public static final List<String> SUPPORTED =
            List.of(
                    SimulatedAgentRuntime.RUNTIME,
                    OpenAiChatRuntime.RUNTIME,
                    AnthropicMessagesRuntime.RUNTIME,
                    ToolRuntime.RUNTIME);

    /**
     * @throws IllegalArgumentException when the record names a runtime this build does not have
     * @throws io.hivestream.operators.execute.AgentCallException CONFIGURATION when the runtime
     *     exists but the record cannot work with it (a missing key, an unknown tool, ...)
     */
    @Override
    public AgentRuntime create(AgentEvent agent) {
        String runtime = agent.getRuntime();
        if (SimulatedAgentRuntime.RUNTIME.equals(runtime)) {
            return new SimulatedAgentRuntime(agent);
        }
        if (OpenAiChatRuntime.RUNTIME.equals(runtime)) {
            return new OpenAiChatRuntime(agent);
        }
        if (AnthropicMessagesRuntime.RUNTIME.equals(runtime)) {
            return new AnthropicMessagesRuntime(agent);
        }
        if (ToolRuntime.RUNTIME.equals(runtime)) {
            return new ToolRuntime(agent);
        }
        throw new IllegalArgumentException(
                "agent "
                        + agent.getAgentId()
                        + ": runtime '"
                        + runtime
                        + "' is not available in this build; available: "
                        + SUPPORTED);
    }
}
