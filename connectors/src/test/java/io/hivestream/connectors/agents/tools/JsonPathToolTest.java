package io.hivestream.connectors.agents.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonPathToolTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ORDER =
            "{\"a\": {\"b\": [{\"c\": \"first\"}, {\"c\": 2.50, \"d\": null}]},"
                    + " \"odd key\": true, \"items\": [10, 20]}";
    private final Tool jsonPath = new JsonPathTool();

    private String apply(String json, String path) {
        ObjectNode args = JSON.createObjectNode().put("json", json).put("path", path);
        return jsonPath.apply(args);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "$.a.b[0].c | first",
                "$.a.b[1].c | 2.50",
                "$.a.b[1].d | null",
                "$['odd key'] | true",
                "$[\"a\"].b[0] | {\"c\":\"first\"}",
                "$.items | [10,20]",
                "$.items[1] | 20",
            })
    void picksOneValue(String path, String expected) {
        assertThat(apply(ORDER, path)).isEqualTo(expected);
    }

    @Test
    void theRootIsTheWholeDocument() {
        assertThat(apply("[1, 2]", "$")).isEqualTo("[1,2]");
    }

    @Test
    void aDocumentGivenAsAnObjectWorksToo() throws Exception {
        ObjectNode args = JSON.createObjectNode().put("path", "$.a.b[0].c");
        args.set("json", JSON.readTree(ORDER));

        assertThat(jsonPath.apply(args)).isEqualTo("first");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "a.b | path must start with '$'",
                "$.x | no field 'x' at $",
                "$.a.x | no field 'x' at $.a",
                "$.a.b[2] | index 2 out of range at $.a.b (size 2)",
                "$.a[0] | $.a is not an array",
                "$.items.x | $.items is not an object",
                "$.a.b[-1] | index '-1' at $.a.b is not a whole number",
                "$.a.b[0 | missing ']' at position 5 of path",
                "$..a | empty field name at position 1 of path",
                "$a | unexpected 'a' at position 1 of path",
            })
    void badPathsSayWhereTheyStopped(String path, String message) {
        assertThatThrownBy(() -> apply(ORDER, path))
                .isInstanceOf(ToolException.class)
                .hasMessage(message);
    }

    @Test
    void badDocumentsAreToolErrors() {
        assertThatThrownBy(() -> apply("{\"a\": ", "$.a"))
                .isInstanceOf(ToolException.class)
                .hasMessage("json is not valid JSON at line 1, column 7");
        assertThatThrownBy(() -> apply("", "$"))
                .isInstanceOf(ToolException.class)
                .hasMessage("json is empty");
        assertThatThrownBy(() -> jsonPath.apply(JSON.createObjectNode().put("path", "$")))
                .isInstanceOf(ToolException.class)
                .hasMessage("missing argument 'json'");
        assertThatThrownBy(() -> jsonPath.apply(JSON.createObjectNode().put("json", "{}")))
                .isInstanceOf(ToolException.class)
                .hasMessage("missing argument 'path'");
        String big = "\"" + "x".repeat(1_000_000) + "\"";
        assertThatThrownBy(() -> apply(big, "$"))
                .isInstanceOf(ToolException.class)
                .hasMessage("json is 1000002 characters; the limit is 1000000");
    }
}
