package io.hivestream.connectors.agents.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class CalculatorToolTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Tool calculator = new CalculatorTool();

    private static JsonNode args(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void evaluatesExactly() throws Exception {
        assertThat(calculator.apply(args("{\"expression\": \"12 * (3 + 4)\"}"))).isEqualTo("84");
        assertThat(calculator.apply(args("{\"expression\": \"0.1 + 0.2\"}"))).isEqualTo("0.3");
        assertThat(calculator.apply(args("{\"expression\": \"1 / 3\"}")))
                .isEqualTo("0.3333333333333333333333333333333333");
    }

    @Test
    void calculatorErrorsAreToolErrors() throws Exception {
        assertThatThrownBy(() -> calculator.apply(args("{\"expression\": \"1 / 0\"}")))
                .isInstanceOf(ToolException.class)
                .hasMessage("division by zero at position 5 of '1 / 0'");
        assertThatThrownBy(() -> calculator.apply(args("{\"expression\": \"2 +\"}")))
                .isInstanceOf(ToolException.class)
                .hasMessage("unexpected end at position 3 of '2 +'");
    }

    @Test
    void argumentsAreChecked() throws Exception {
        assertThatThrownBy(() -> calculator.apply(args("{}")))
                .isInstanceOf(ToolException.class)
                .hasMessage("missing argument 'expression'");
        assertThatThrownBy(() -> calculator.apply(args("{\"expression\": 84}")))
                .isInstanceOf(ToolException.class)
                .hasMessage("argument 'expression' must be a string");
        String tooLong = "1+".repeat(500) + "1";
        assertThatThrownBy(
                        () -> calculator.apply(JSON.createObjectNode().put("expression", tooLong)))
                .isInstanceOf(ToolException.class)
                .hasMessage("expression is 1001 characters; the limit is 1000");
    }

    @Test
    void describesItselfAsAFunctionOfOneString() throws Exception {
        assertThat(calculator.name()).isEqualTo("calculator");
        assertThat(calculator.inputArgument()).isEqualTo("expression");
        assertThat(calculator.parameters())
                .isEqualTo(
                        args(
                                "{\"type\":\"object\",\"properties\":{\"expression\":"
                                        + "{\"type\":\"string\",\"description\":"
                                        + "\"The expression, e.g. 12 * (3 + 4)\"}},"
                                        + "\"required\":[\"expression\"]}"));
    }
}
