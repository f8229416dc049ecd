package io.hivestream.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hivestream.schemas.internal.Turn;
import java.time.Instant;

/** How {@code sessions show} prints a session's remembered turns. */
final class SessionTurnLines {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INPUT = "\n  input:  ";
    private static final String OUTPUT = "\n  output: ";
    // A line of a long input or output goes on under the first, past the label.
    private static final String MORE = "\n          ";

    private SessionTurnLines() {}

    /**
     * The turn's number in the memory (1 is the oldest), when it was answered, its task and agent;
     * then its input and output as the memory keeps them.
     */
    static String lines(int number, Turn turn) {
        return "turn "
                + number
                + " at "
                + Instant.ofEpochMilli(turn.getAt())
                + ": task "
                + turn.getTaskId()
                + ", answered by "
                + turn.getAgentId()
                + INPUT
                + indented(turn.getInput())
                + OUTPUT
                + indented(turn.getOutput());
    }

    /** The line after the turns. */
    static String summary(int turns, String tenant, String sessionId) {
        return turns + " turn(s) in the memory of session " + sessionId + " of tenant " + tenant;
    }

    /** One JSON object: the session, the turn's number, and the turn's fields. */
    static String json(String tenant, String sessionId, int number, Turn turn) {
        ObjectNode node = JSON.createObjectNode();
        node.put("tenant", tenant);
        node.put("sessionId", sessionId);
        node.put("turn", number);
        node.put("taskId", turn.getTaskId());
        node.put("agentId", turn.getAgentId());
        node.put("at", turn.getAt());
        node.put("input", turn.getInput());
        node.put("output", turn.getOutput());
        return node.toString();
    }

    private static String indented(String text) {
        return text.stripTrailing().replace("\r\n", "\n").replace("\n", MORE);
    }
}
