package io.hivestream.connectors.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CalculatorTest {
    private static String calc(String expression) {
        return Calculator.format(Calculator.evaluate(expression));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
            delimiter = '=',
            value = {
                "2 + 3 * 4 = 14",
                "10 - 4 - 3 = 3",
                "2 * 3 + 4 * 5 = 26",
                "48 / 4 / 2 = 6",
                "(2 + 3) * 4 = 20",
                "((1 + 2) * (3 + 4)) = 21",
            })
    void productsBindTighterThanSumsAndParenthesesGroup(String expression, String value) {
        assertThat(calc(expression)).isEqualTo(value);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
            delimiter = '=',
            value = {
                "-3 + 5 = 2",
                "2 * -3 = -6",
                "-(2 + 3) = -5",
                "--4 = 4",
                "+4 - -1 = 5",
            })
    void unaryMinusAndPlus(String expression, String value) {
        assertThat(calc(expression)).isEqualTo(value);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
            delimiter = '=',
            value = {
                "2^10 = 1024",
                "2^3^2 = 512",
                "2 * 3^2 = 18",
                "-2^2 = -4",
                "(-2)^2 = 4",
                "2^-1 = 0.5",
                "10^-2 = 0.01",
                "7^0 = 1",
                "2^100 = 1267650600228229401496703205376",
            })
    void powersAreRightAssociativeAndBindTighterThanSigns(String expression, String value) {
        assertThat(calc(expression)).isEqualTo(value);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
            delimiter = '=',
            value = {
                "0.1 + 0.2 = 0.3",
                "1.50 * 2 = 3",
                "2.5 * 2.5 = 6.25",
                "10 / 4 = 2.5",
                ".5 + 1. = 1.5",
                "1000000 * 1000000 = 1000000000000",
            })
    void decimalsAreExact(String expression, String value) {
        assertThat(calc(expression)).isEqualTo(value);
    }

    @Test
    void quotientsHave34SignificantDigits() {
        assertThat(calc("1 / 3")).isEqualTo("0.3333333333333333333333333333333333");
        assertThat(calc("2 / 3")).isEqualTo("0.6666666666666666666666666666666667");
        assertThat(calc("100 / 7")).isEqualTo("14.28571428571428571428571428571429");
    }

    @Test
    void formatWritesNoExponentAndNoTrailingZeros() {
        assertThat(Calculator.format(new BigDecimal("1E+3"))).isEqualTo("1000");
        assertThat(Calculator.format(new BigDecimal("2.500"))).isEqualTo("2.5");
        assertThat(Calculator.format(new BigDecimal("0.000"))).isEqualTo("0");
    }

    @Test
    void divisionByZeroIsRejected() {
        assertThatThrownBy(() -> Calculator.evaluate("1/0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("division by zero at position 3 of '1/0'");
        assertThatThrownBy(() -> Calculator.evaluate("1 / (2 - 2)"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("division by zero at position 11 of '1 / (2 - 2)'");
    }

    @Test
    void zeroToANegativePowerIsADivisionByZero() {
        assertThatThrownBy(() -> Calculator.evaluate("0^-1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("division by zero at position 4 of '0^-1'");
    }

    @Test
    void exponentsMustBeWholeAndBelow10000() {
        assertThatThrownBy(() -> Calculator.evaluate("2^0.5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("exponent must be a whole number below 10000 at position 5 of '2^0.5'");
        assertThatThrownBy(() -> Calculator.evaluate("2^10000"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "exponent must be a whole number below 10000 at position 7 of '2^10000'");
    }

    @Test
    void powersThatWouldPass100000DigitsAreRefused() {
        // 9^9999 has 9543 digits; raising it to the 9999th power would take minutes.
        assertThatThrownBy(() -> Calculator.evaluate("(9^9999)^9999"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "power would have more than 100000 digits at position 13 of"
                                + " '(9^9999)^9999'");
        assertThat(Calculator.format(Calculator.evaluate("(10^5)^2"))).isEqualTo("10000000000");
    }

    @Test
    void malformedExpressionsSayWhatAndWhere() {
        assertThatThrownBy(() -> Calculator.evaluate("2 +"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unexpected end at position 3 of '2 +'");
        assertThatThrownBy(() -> Calculator.evaluate(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unexpected end at position 0 of ''");
        assertThatThrownBy(() -> Calculator.evaluate("(1 + 2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("missing ')' at position 6 of '(1 + 2'");
        assertThatThrownBy(() -> Calculator.evaluate("1 + 2)"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unexpected ')' at position 5 of '1 + 2)'");
        assertThatThrownBy(() -> Calculator.evaluate("1..2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad number '1..2' at position 4 of '1..2'");
        assertThatThrownBy(() -> Calculator.evaluate("abc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unexpected 'a' at position 0 of 'abc'");
        assertThatThrownBy(() -> Calculator.evaluate("1e3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unexpected 'e' at position 1 of '1e3'");
    }
}
