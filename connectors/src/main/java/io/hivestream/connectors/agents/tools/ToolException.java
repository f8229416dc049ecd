package io.hivestream.connectors.agents.tools;

/**
 * Why a tool gave no result. The message is meant for the model that called the tool (so it can
 * correct itself) and for the task's result, so it names the problem and never the tool's whole
 * input.
 */
public class ToolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ToolException(String message) {
        super(message);
    }
}
