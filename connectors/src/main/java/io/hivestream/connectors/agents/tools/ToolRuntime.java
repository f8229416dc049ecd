package io.hivestream.connectors.agents.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hivestream.operators.execute.AgentCall;
import io.hivestream.operators.execute.AgentCallException;
import io.hivestream.operators.execute.AgentCallException.Kind;
import io.hivestream.operators.execute.AgentReply;
import io.hivestream.operators.execute.AgentRuntime;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Task;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * An agent that is one tool (runtime {@code tool}): agent param {@code tool} names it, the task's
 * input fills the tool's {@link Tool#inputArgument() input argument} and the task's metadata gives
 * the other arguments as strings (e.g. {@code path} for {@code json_path}, {@code pattern} and
 * {@code group} for {@code regex_extract}).
 *
 * <p>Tools do bounded work, so the call runs on the caller's thread and returns a completed future.
 * A tool error fails it as BAD_REQUEST: the same input would fail again. A tenant that may not use
 * the tool (see {@link AgentCall#allowedTools()}) may not use it as an agent either. The reply
 * counts no tokens: no model was asked.
 */
public final class ToolRuntime implements AgentRuntime {
    public static final String RUNTIME = "tool";

    private final String agentId;
    private final Tool tool;

    /**
     * @throws AgentCallException CONFIGURATION when param {@code tool} is missing or unknown
     */
    public ToolRuntime(AgentEvent agent) {
        this.agentId = agent.getAgentId();
        String name = agent.getParams().get("tool");
        if (name == null || name.isBlank()) {
            throw new AgentCallException(
                    Kind.CONFIGURATION,
                    "agent "
                            + agentId
                            + ": a tool agent needs param 'tool', one of "
                            + Tools.NAMES);
        }
        try {
            this.tool = Tools.named(name.strip());
        } catch (IllegalArgumentException e) {
            throw new AgentCallException(
                    Kind.CONFIGURATION, "agent " + agentId + ": " + e.getMessage());
        }
    }

    @Override
    public CompletableFuture<AgentReply> call(AgentCall call) {
        if (call.allowedTools() != null && !call.allowedTools().contains(tool.name())) {
            return CompletableFuture.failedFuture(
                    new AgentCallException(
                            Kind.BAD_REQUEST,
                            "tool " + tool.name() + " is not allowed for this tenant"));
        }
        try {
            String output = tool.apply(arguments(call.task()));
            return CompletableFuture.completedFuture(
                    new AgentReply(output, tool.name(), 0, 0, null, false));
        } catch (ToolException e) {
            return CompletableFuture.failedFuture(
                    new AgentCallException(
                            Kind.BAD_REQUEST, "tool " + tool.name() + ": " + e.getMessage()));
        }
    }

    private ObjectNode arguments(Task task) {
        ObjectNode arguments = Arguments.JSON.createObjectNode();
        for (Map.Entry<String, String> entry : task.getMetadata().entrySet()) {
            arguments.put(entry.getKey(), entry.getValue());
        }
        arguments.put(tool.inputArgument(), task.getInput());
        return arguments;
    }

    @Override
    public String toString() {
        return "ToolRuntime[agent=" + agentId + ", tool=" + tool.name() + "]";
    }
}
