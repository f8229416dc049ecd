package io.hivestream.connectors.agents;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * Exact decimal arithmetic over {@code + - * / ^ ( )}: sums, differences and products are exact,
 * quotients have 34 significant digits. Unary minus is allowed; powers take whole exponents.
 */
public final class Calculator {
    /**
     * Powers whose result could pass this many digits are refused: {@code (9^9999)^9999} would
     * otherwise hold a thread for minutes, and expressions come from tasks and models.
     */
    static final long MAX_POWER_DIGITS = 100_000;

    private final String text;
    private int pos;

    private Calculator(String text) {
        this.text = text;
    }

    /**
     * @throws IllegalArgumentException on a malformed expression or a division by zero
     */
    public static BigDecimal evaluate(String expression) {
        Calculator parser = new Calculator(expression);
        BigDecimal value = parser.sum();
        parser.skipSpaces();
        if (parser.pos != expression.length()) {
            throw parser.error("unexpected '" + expression.charAt(parser.pos) + "'");
        }
        return value;
    }

    /** The value as people write it: no exponent, no trailing zeros. */
    public static String format(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() < 0
                ? stripped.setScale(0).toPlainString()
                : stripped.toPlainString();
    }

    private BigDecimal sum() {
        BigDecimal value = product();
        while (true) {
            if (eat('+')) {
                value = value.add(product());
            } else if (eat('-')) {
                value = value.subtract(product());
            } else {
                return value;
            }
        }
    }

    private BigDecimal product() {
        BigDecimal value = unary();
        while (true) {
            if (eat('*')) {
                value = value.multiply(unary());
            } else if (eat('/')) {
                BigDecimal divisor = unary();
                if (divisor.signum() == 0) {
                    throw error("division by zero");
                }
                value = value.divide(divisor, MathContext.DECIMAL128);
            } else {
                return value;
            }
        }
    }

    /** A sign binds less tightly than a power, as in mathematics: -2^2 is -(2^2). */
    private BigDecimal unary() {
        if (eat('-')) {
            return unary().negate();
        }
        if (eat('+')) {
            return unary();
        }
        return power();
    }

    /** Right-associative, and the exponent may have a sign: 2^3^2 is 2^9, 2^-1 is 0.5. */
    private BigDecimal power() {
        BigDecimal base = atom();
        if (eat('^')) {
            BigDecimal exponent = unary();
            int n;
            try {
                n = exponent.intValueExact();
            } catch (ArithmeticException e) {
                throw error("exponent must be a whole number below 10000");
            }
            if (Math.abs(n) > 9999) {
                throw error("exponent must be a whole number below 10000");
            }
            if ((long) base.precision() * Math.abs(n) > MAX_POWER_DIGITS) {
                throw error("power would have more than " + MAX_POWER_DIGITS + " digits");
            }
            if (n < 0 && base.signum() == 0) {
                throw error("division by zero");
            }
            return n >= 0
                    ? base.pow(n)
                    : BigDecimal.ONE.divide(base.pow(-n), MathContext.DECIMAL128);
        }
        return base;
    }

    private BigDecimal atom() {
        if (eat('(')) {
            BigDecimal value = sum();
            if (!eat(')')) {
                throw error("missing ')'");
            }
            return value;
        }
        skipSpaces();
        int start = pos;
        while (pos < text.length()
                && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
            pos++;
        }
        if (start == pos) {
            throw error(
                    pos < text.length()
                            ? "unexpected '" + text.charAt(pos) + "'"
                            : "unexpected end");
        }
        try {
            return new BigDecimal(text.substring(start, pos));
        } catch (NumberFormatException e) {
            throw error("bad number '" + text.substring(start, pos) + "'");
        }
    }

    private boolean eat(char c) {
        skipSpaces();
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void skipSpaces() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException error(String message) {
        return new IllegalArgumentException(message + " at position " + pos + " of '" + text + "'");
    }
}
