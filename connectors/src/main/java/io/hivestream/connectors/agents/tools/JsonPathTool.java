package io.hivestream.connectors.agents.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The tool {@code json_path}: picks one value out of a JSON document with a small subset of JSON
 * path: the root {@code $}, fields {@code .name} or {@code ['name']}, and array indexes {@code
 * [0]}, e.g. {@code $.a.b[0].c}. No wildcards, filters or slices: one path names one value. A
 * string is returned as its text, anything else as compact JSON.
 */
public final class JsonPathTool implements Tool {
    public static final String NAME = "json_path";

    /** Bounds the parse, so one call cannot hold a thread for long. */
    static final int MAX_JSON = 1_000_000;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Returns the value at a JSON path such as $.a.b[0].c in a JSON document.";
    }

    @Override
    public ObjectNode parameters() {
        return Arguments.schema(
                new String[][] {
                    {"json", "string", "The JSON document"},
                    {"path", "string", "The path, e.g. $.items[0].name"}
                },
                "json",
                "path");
    }

    @Override
    public String inputArgument() {
        return "json";
    }

    @Override
    public String apply(JsonNode arguments) {
        JsonNode document = document(arguments);
        String path = Arguments.requiredText(arguments, "path");
        JsonNode value = select(document, path);
        return value.isTextual() ? value.textValue() : value.toString();
    }

    /** Models sometimes pass the document as an object rather than as a string; both work. */
    private static JsonNode document(JsonNode arguments) {
        JsonNode json = arguments == null ? null : arguments.get("json");
        if (json == null || json.isNull()) {
            throw new ToolException("missing argument 'json'");
        }
        if (!json.isTextual()) {
            return json;
        }
        String text = json.textValue();
        if (text.length() > MAX_JSON) {
            throw new ToolException(
                    "json is " + text.length() + " characters; the limit is " + MAX_JSON);
        }
        try {
            JsonNode parsed = Arguments.JSON.readTree(text);
            if (parsed == null || parsed.isMissingNode()) {
                throw new ToolException("json is empty");
            }
            return parsed;
        } catch (JsonProcessingException e) {
            throw new ToolException(
                    "json is not valid JSON at line "
                            + e.getLocation().getLineNr()
                            + ", column "
                            + e.getLocation().getColumnNr());
        }
    }

    /** Walks the path; errors name the part of the path that was reached. */
    static JsonNode select(JsonNode document, String path) {
        if (!path.startsWith("$")) {
            throw new ToolException("path must start with '$'");
        }
        JsonNode node = document;
        int pos = 1;
        while (pos < path.length()) {
            String at = path.substring(0, pos);
            char c = path.charAt(pos);
            if (c == '.') {
                int end = pos + 1;
                while (end < path.length() && path.charAt(end) != '.' && path.charAt(end) != '[') {
                    end++;
                }
                if (end == pos + 1) {
                    throw new ToolException("empty field name at position " + pos + " of path");
                }
                node = field(node, path.substring(pos + 1, end), at);
                pos = end;
            } else if (c == '[') {
                int close = path.indexOf(']', pos);
                if (close < 0) {
                    throw new ToolException("missing ']' at position " + pos + " of path");
                }
                String inside = path.substring(pos + 1, close);
                if (inside.length() >= 2
                        && (inside.charAt(0) == '\'' || inside.charAt(0) == '"')
                        && inside.charAt(inside.length() - 1) == inside.charAt(0)) {
                    node = field(node, inside.substring(1, inside.length() - 1), at);
                } else {
                    node = element(node, inside, at);
                }
                pos = close + 1;
            } else {
                throw new ToolException("unexpected '" + c + "' at position " + pos + " of path");
            }
        }
        return node;
    }

    private static JsonNode field(JsonNode node, String name, String at) {
        if (!node.isObject()) {
            throw new ToolException(at + " is not an object");
        }
        JsonNode value = node.get(name);
        if (value == null) {
            throw new ToolException("no field '" + name + "' at " + at);
        }
        return value;
    }

    private static JsonNode element(JsonNode node, String index, String at) {
        if (!index.matches("\\d{1,9}")) {
            throw new ToolException("index '" + index + "' at " + at + " is not a whole number");
        }
        if (!node.isArray()) {
            throw new ToolException(at + " is not an array");
        }
        int i = Integer.parseInt(index);
        if (i >= node.size()) {
            throw new ToolException(
                    "index " + i + " out of range at " + at + " (size " + node.size() + ")");
        }
        return node.get(i);
    }
}
