package io.hivestream.operators.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The system prompt of each role a plan's agents play. The aggregate stage puts a subtask's prompt
 * in its metadata under {@link #SYSTEM}, and the provider runtimes send it as the system message
 * (after the agent's own {@code system} param), so the same agent acts as a researcher in one step
 * and a reviewer in the next. Built-in prompts cover the planner, the synthesizer and common worker
 * roles; a JSON file ({@code {"role": "prompt", ...}}) adds roles or replaces them. A role with no
 * prompt gets a generic one naming it.
 */
public final class RolePrompts implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Subtask metadata: the system prompt of the subtask's role. */
    public static final String SYSTEM = "role.system";

    /** The role, capability and kind of a planning subtask. */
    public static final String PLANNER = "planner";

    public static final String PLAN = "plan";

    /** The role, capability and kind of a synthesis subtask. */
    public static final String SYNTHESIZER = "synthesizer";

    public static final String SYNTHESIZE = "synthesize";

    /**
     * Planning subtask metadata: the capabilities the agents in rotation offer, comma-separated.
     */
    public static final String CATALOG = "plan.capabilities";

    static final String PLANNER_PROMPT =
            "You are the planner of a hive of agents. Split the task into steps that specialised"
                    + " agents can do, and answer with one JSON object and nothing else:"
                    + " {\"steps\": [{\"id\": \"...\", \"role\": \"...\", \"capabilities\":"
                    + " [\"...\"], \"dependsOn\": [\"...\"], \"input\": \"...\"}]}. id: letters,"
                    + " digits, '-' or '_', unique, not an id the task says is already used. role:"
                    + " what the step's agent acts as (researcher, coder, reviewer, tester, writer,"
                    + " ...). capabilities: only capabilities the task lists as available."
                    + " dependsOn: the ids of the steps whose outputs this step needs; no cycles."
                    + " input: the instruction for the step's agent; write {{ID}} where the output"
                    + " of step ID (one of its dependencies) belongs. Optional: \"replicas\" (how"
                    + " many agents answer and vote) and \"quorum\". Use as few steps as the task"
                    + " needs.";

    static final String SYNTHESIZER_PROMPT =
            "You are the synthesizer of a hive of agents. You get a task and the outputs of the"
                    + " steps that worked on it. Write the one answer to the task that uses them:"
                    + " resolve where they disagree, drop what repeats, keep what the task asks"
                    + " for, and do not mention the steps.";

    private static final Map<String, String> BUILT_IN =
            Map.of(
                    PLANNER,
                    PLANNER_PROMPT,
                    SYNTHESIZER,
                    SYNTHESIZER_PROMPT,
                    "researcher",
                    "You are a researcher. Find and state the facts the task needs, each"
                            + " with what it rests on; say what you could not establish.",
                    "coder",
                    "You are a software engineer. Write correct, complete, idiomatic code"
                            + " for what is asked, with a short note on how to run it.",
                    "reviewer",
                    "You are a reviewer. Read the work given to you critically and list"
                            + " what is wrong or missing, most important first; say"
                            + " plainly when it is sound.",
                    "tester",
                    "You are a tester. Write the tests that would show the work given to"
                            + " you is wrong, and say what they find.",
                    "writer",
                    "You are a writer. Write a clear, complete answer for the reader the"
                            + " task names, from the material given to you.",
                    "analyst",
                    "You are an analyst. Restate the problem precisely and list what a"
                            + " complete answer needs.");

    private final Map<String, String> prompts;

    private RolePrompts(Map<String, String> prompts) {
        this.prompts = new TreeMap<>(prompts);
    }

    /** The built-in prompts. */
    public static RolePrompts builtIn() {
        return new RolePrompts(BUILT_IN);
    }

    /** The built-in prompts with a JSON file's added or replacing them; none when path is null. */
    public static RolePrompts of(Path file) {
        Map<String, String> prompts = new TreeMap<>(BUILT_IN);
        if (file == null) {
            return new RolePrompts(prompts);
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read the role prompts file "
                            + file
                            + ": "
                            + e.getMessage()
                            + "; it must be a JSON object of role to system prompt",
                    e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(
                    "the role prompts file "
                            + file
                            + " must be a JSON object of role to system prompt,"
                            + " e.g. {\"researcher\": \"You are ...\"}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = root.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getValue().isTextual() || field.getValue().asText().isBlank()) {
                throw new IllegalArgumentException(
                        "the role prompts file "
                                + file
                                + ": the prompt of role '"
                                + field.getKey()
                                + "' must be a non-empty string");
            }
            prompts.put(field.getKey(), field.getValue().asText());
        }
        return new RolePrompts(prompts);
    }

    /** The system prompt of a role. */
    public String of(String role) {
        String prompt = prompts.get(role);
        return prompt != null
                ? prompt
                : "You are the "
                        + role
                        + " of a team of agents working on one task. Do your part of it, as the"
                        + " instruction says.";
    }
}
