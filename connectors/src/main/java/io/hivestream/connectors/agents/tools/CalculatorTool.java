package io.hivestream.connectors.agents.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hivestream.connectors.agents.Calculator;

/** The tool {@code calculator}: exact decimal arithmetic by {@link Calculator}. */
public final class CalculatorTool implements Tool {
    public static final String NAME = "calculator";

    /** Longer expressions are not arithmetic a model needs help with; they are a mistake. */
    static final int MAX_EXPRESSION = 1_000;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Evaluates an arithmetic expression exactly, with + - * / ^ and parentheses.";
    }

    @Override
    public ObjectNode parameters() {
        return Arguments.schema(
                new String[][] {{"expression", "string", "The expression, e.g. 12 * (3 + 4)"}},
                "expression");
    }

    @Override
    public String inputArgument() {
        return "expression";
    }

    @Override
    public String apply(JsonNode arguments) {
        String expression = Arguments.requiredText(arguments, "expression");
        if (expression.length() > MAX_EXPRESSION) {
            throw new ToolException(
                    "expression is "
                            + expression.length()
                            + " characters; the limit is "
                            + MAX_EXPRESSION);
        }
        try {
            return Calculator.format(Calculator.evaluate(expression));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new ToolException(e.getMessage());
        }
    }
}
