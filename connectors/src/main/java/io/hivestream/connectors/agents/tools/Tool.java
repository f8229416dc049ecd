package io.hivestream.connectors.agents.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One deterministic function an agent may call in a ReAct step, or that a {@link ToolRuntime} runs
 * as an agent of its own. A tool owns its name, its description and the JSON schema of its
 * arguments, which is what a model is shown; it holds no state between calls and is safe to share
 * between threads.
 */
public interface Tool {
    /** The name models call it by, e.g. {@code calculator}. */
    String name();

    /** What it does, in one sentence a model can act on. */
    String description();

    /** The JSON schema of the arguments object; a fresh copy the caller may change. */
    ObjectNode parameters();

    /** The argument a {@link ToolRuntime} fills with the task's input. */
    String inputArgument();

    /**
     * Runs the tool. Its work is bounded by its own input limits, so it may run on any thread.
     *
     * @param arguments the arguments object, as a model or a task gave it
     * @return the result as text
     * @throws ToolException when the arguments are wrong or the tool cannot give a result
     */
    String apply(JsonNode arguments);
}
