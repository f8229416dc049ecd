package io.hivestream.connectors.agents.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The built-in tools by name: the one list that agents' {@code tools} params choose from. */
public final class Tools {
    private static final Map<String, Tool> BUILT_IN = new LinkedHashMap<>();

    static {
        for (Tool tool :
                List.of(new CalculatorTool(), new JsonPathTool(), new RegexExtractTool())) {
            BUILT_IN.put(tool.name(), tool);
        }
    }

    /** The names of the built-in tools. */
    public static final List<String> NAMES = List.copyOf(BUILT_IN.keySet());

    private Tools() {}

    /**
     * @throws IllegalArgumentException when no built-in tool has the name
     */
    public static Tool named(String name) {
        Tool tool = BUILT_IN.get(name);
        if (tool == null) {
            throw new IllegalArgumentException(
                    "unknown tool '" + name + "'; available: " + String.join(", ", NAMES));
        }
        return tool;
    }

    /**
     * A model's arguments, sent as a JSON string, read as the tools read them (numbers exactly as
     * written).
     *
     * @throws ToolException when the text is not a JSON object
     */
    public static JsonNode arguments(String json) {
        try {
            JsonNode parsed = Arguments.JSON.readTree(json);
            if (parsed != null && parsed.isObject()) {
                return parsed;
            }
        } catch (JsonProcessingException e) {
            // Reported below: the model needs to know, not where.
        }
        throw new ToolException("arguments are not a JSON object");
    }

    /**
     * The tools of a comma-separated list such as {@code calculator,json_path}, in its order and
     * without repeats; null or blank gives none.
     *
     * @throws IllegalArgumentException when a name is not a built-in tool
     */
    public static List<Tool> parse(String names) {
        List<Tool> tools = new ArrayList<>();
        if (names == null) {
            return tools;
        }
        Arrays.stream(names.split(","))
                .map(String::strip)
                .filter(name -> !name.isEmpty())
                .distinct()
                .forEach(name -> tools.add(named(name)));
        return tools;
    }
}
