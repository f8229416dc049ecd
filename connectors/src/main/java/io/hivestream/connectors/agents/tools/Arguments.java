package io.hivestream.connectors.agents.tools;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reads tools' arguments and builds their schemas, with the same error messages for every tool. */
final class Arguments {
    /** Keeps numbers as written ({@code 2.50} stays {@code 2.50}), so extraction is exact. */
    static final ObjectMapper JSON =
            JsonMapper.builder()
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
                    .build();

    private Arguments() {}

    static String requiredText(JsonNode arguments, String name) {
        JsonNode value = arguments == null ? null : arguments.get(name);
        if (value == null || value.isNull()) {
            throw new ToolException("missing argument '" + name + "'");
        }
        if (!value.isTextual()) {
            throw new ToolException("argument '" + name + "' must be a string");
        }
        return value.textValue();
    }

    /** A schema of an object whose properties are all strings unless described otherwise. */
    static ObjectNode schema(String[][] properties, String... required) {
        ObjectNode schema = JSON.createObjectNode();
        schema.put("type", "object");
        ObjectNode props = schema.putObject("properties");
        for (String[] property : properties) {
            ObjectNode node = props.putObject(property[0]);
            node.put("type", property[1]);
            node.put("description", property[2]);
        }
        var list = schema.putArray("required");
        for (String name : required) {
            list.add(name);
        }
        return schema;
    }
}
