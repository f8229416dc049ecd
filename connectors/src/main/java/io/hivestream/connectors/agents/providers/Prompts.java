package io.hivestream.connectors.agents.providers;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.hivestream.operators.execute.AgentCall;
import io.hivestream.operators.execute.AgentCallException;
import io.hivestream.operators.execute.AgentCallException.Kind;
import io.hivestream.operators.plan.RolePrompts;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.Turn;
import java.util.Arrays;
import java.util.List;

/**
 * What chat providers are asked: a system prompt, the session's earlier turns as user and assistant
 * messages, then the task. The system prompt is the agent's own (param {@code system}) followed,
 * after a blank line, by the prompt of the role the task plays in a plan (metadata {@value
 * RolePrompts#SYSTEM}); either alone when only one is given, none when neither is. A {@code
 * classify} task's prompt lists its labels (metadata {@code labels}) and, where the task gives
 * them, their descriptions (metadata {@code label.NAME}), so that the answer can be compared with
 * other agents' answers as a label.
 */
final class Prompts {
    private Prompts() {}

    /**
     * The system prompt of a call: {@code own} (the agent's param {@code system}), then a blank
     * line and the task's role prompt (metadata {@value RolePrompts#SYSTEM}); either alone when the
     * other is absent or blank; null when both are.
     */
    static String system(String own, Task task) {
        String role = task.getMetadata().get(RolePrompts.SYSTEM);
        boolean hasOwn = own != null && !own.isBlank();
        boolean hasRole = role != null && !role.isBlank();
        if (hasOwn && hasRole) {
            return own + "\n\n" + role;
        }
        if (hasOwn) {
            return own;
        }
        return hasRole ? role : null;
    }

    /**
     * Whether the task asks for a plan (role {@value RolePrompts#PLANNER}), whose answer must be
     * one JSON object: providers that can constrain their output to JSON are asked to.
     */
    static boolean wantsJsonObject(Task task) {
        return RolePrompts.PLANNER.equals(task.getRole());
    }

    /** Appends the history as user/assistant pairs, oldest first, then the task's message. */
    static void appendConversation(ArrayNode messages, AgentCall call) {
        for (Turn turn : call.history()) {
            message(messages, "user", turn.getInput());
            message(messages, "assistant", turn.getOutput());
        }
        message(messages, "user", userMessage(call.task()));
    }

    static void message(ArrayNode messages, String role, String content) {
        messages.addObject().put("role", role).put("content", content);
    }

    /**
     * @throws AgentCallException BAD_REQUEST for a classify task without labels
     */
    static String userMessage(Task task) {
        if (!"classify".equals(task.getKind())) {
            return task.getInput();
        }
        String names = task.getMetadata().get("labels");
        List<String> labels =
                names == null
                        ? List.of()
                        : Arrays.stream(names.split(","))
                                .map(String::strip)
                                .filter(s -> !s.isEmpty())
                                .toList();
        if (labels.isEmpty()) {
            throw new AgentCallException(
                    Kind.BAD_REQUEST, "classify needs metadata.labels, e.g. \"billing,shipping\"");
        }
        StringBuilder prompt =
                new StringBuilder(
                                "Classify the text below. Answer with exactly one of these labels")
                        .append(" and nothing else: ")
                        .append(String.join(", ", labels))
                        .append(".\n");
        for (String label : labels) {
            String description = task.getMetadata().get("label." + label);
            if (description != null && !description.isBlank()) {
                prompt.append(label).append(": ").append(description.strip()).append('\n');
            }
        }
        return prompt.append("\nText:\n").append(task.getInput()).toString();
    }
}
