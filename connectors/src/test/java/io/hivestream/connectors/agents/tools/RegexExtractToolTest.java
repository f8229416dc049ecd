package io.hivestream.connectors.agents.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class RegexExtractToolTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TEXT = "Orders A-17 and B-204 shipped; C-9 is late.";
    private final Tool regex = new RegexExtractTool();

    private static ObjectNode args(String text, String pattern) {
        return JSON.createObjectNode().put("text", text).put("pattern", pattern);
    }

    @Test
    void returnsEveryMatchOnItsOwnLine() {
        assertThat(regex.apply(args(TEXT, "[A-Z]-\\d+"))).isEqualTo("A-17\nB-204\nC-9");
    }

    @Test
    void returnsOneGroupByNumberOrName() {
        assertThat(regex.apply(args(TEXT, "([A-Z])-(\\d+)").put("group", 2)))
                .isEqualTo("17\n204\n9");
        assertThat(regex.apply(args(TEXT, "([A-Z])-(\\d+)").put("group", "1")))
                .isEqualTo("A\nB\nC");
        assertThat(regex.apply(args(TEXT, "[A-Z]-(?<number>\\d+)").put("group", "number")))
                .isEqualTo("17\n204\n9");
    }

    @Test
    void matchesWhereAnOptionalGroupTookNoPartAreLeftOut() {
        assertThat(regex.apply(args("a1 b a2", "a(\\d)|b").put("group", 1))).isEqualTo("1\n2");
    }

    @Test
    void noMatchIsAToolError() {
        assertThatThrownBy(() -> regex.apply(args(TEXT, "Z-\\d+")))
                .isInstanceOf(ToolException.class)
                .hasMessage("no match");
    }

    @Test
    void compileErrorsAreToolErrors() {
        assertThatThrownBy(() -> regex.apply(args(TEXT, "([A-Z]")))
                .isInstanceOf(ToolException.class)
                .hasMessage("bad pattern: Unclosed group near index 6");
    }

    @Test
    void groupsMustExist() {
        assertThatThrownBy(() -> regex.apply(args(TEXT, "([A-Z])").put("group", 2)))
                .isInstanceOf(ToolException.class)
                .hasMessage("pattern has 1 groups; there is no group 2");
        assertThatThrownBy(() -> regex.apply(args(TEXT, "([A-Z])").put("group", "name")))
                .isInstanceOf(ToolException.class)
                .hasMessage("pattern has no group named 'name'");
        assertThatThrownBy(() -> regex.apply(args(TEXT, "([A-Z])").put("group", 1.5)))
                .isInstanceOf(ToolException.class)
                .hasMessage("argument 'group' must be a group number or name");
    }

    @Test
    void inputIsBounded() {
        assertThatThrownBy(() -> regex.apply(args("x".repeat(100_001), "x")))
                .isInstanceOf(ToolException.class)
                .hasMessage("text is 100001 characters; the limit is 100000");
        assertThatThrownBy(() -> regex.apply(args(TEXT, "x".repeat(1_001))))
                .isInstanceOf(ToolException.class)
                .hasMessage("pattern is 1001 characters; the limit is 1000");
        assertThatThrownBy(() -> regex.apply(JSON.createObjectNode().put("text", TEXT)))
                .isInstanceOf(ToolException.class)
                .hasMessage("missing argument 'pattern'");
    }

    @Test
    void catastrophicBacktrackingStopsInsteadOfHanging() {
        // Unbounded, this takes billions of steps: Java memoises (a+)+b but not this.
        assertThatThrownBy(() -> regex.apply(args("a".repeat(30) + "!", "(.*a){12}b")))
                .isInstanceOf(ToolException.class)
                .hasMessage("pattern needs too many steps on this text");
    }
}
