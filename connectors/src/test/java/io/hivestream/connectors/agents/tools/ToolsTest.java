package io.hivestream.connectors.agents.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ToolsTest {
    @Test
    void theBuiltInToolsByName() {
        assertThat(Tools.NAMES).containsExactly("calculator", "json_path", "regex_extract");
        assertThat(Tools.named("json_path")).isInstanceOf(JsonPathTool.class);
    }

    @Test
    void aListKeepsItsOrderWithoutRepeats() {
        assertThat(Tools.parse(" json_path, calculator,,json_path "))
                .extracting(Tool::name)
                .containsExactly("json_path", "calculator");
        assertThat(Tools.parse(null)).isEmpty();
    }

    @Test
    void unknownNamesAreRefused() {
        assertThatThrownBy(() -> Tools.parse("calculator,shell"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unknown tool 'shell'; available: calculator, json_path, regex_extract");
    }
}
