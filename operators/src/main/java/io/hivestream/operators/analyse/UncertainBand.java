package io.hivestream.operators.analyse;

import java.io.Serializable;
import java.util.Locale;

/**
 * The scores of a cheap first model that it is not sure of: from {@code lower} (included) to {@code
 * upper} (excluded). A two-stage analyser keeps the first model's score outside the band and asks a
 * second, dearer model inside it. An empty band ({@code lower == upper}) never asks the second
 * model; {@code [0, 1]} asks it for every score under 1. Immutable.
 *
 * @param lower the lowest score the first model is unsure of, in [0, 1]
 * @param upper the lowest score above the band, in [lower, 1]
 */
public record UncertainBand(double lower, double upper) implements Serializable {
    /** The band the shipped models were measured with (docs/analysis.md), as it is written. */
    public static final String DEFAULT_TEXT = "0.1,0.9";

    /** The band the shipped models were measured with (docs/analysis.md). */
    public static final UncertainBand DEFAULT = parse("the default uncertain band", DEFAULT_TEXT);

    public UncertainBand {
        if (!(lower >= 0 && lower <= upper && upper <= 1)) {
            throw new IllegalArgumentException(
                    "the uncertain band must satisfy 0 <= lower <= upper <= 1, got ["
                            + lower
                            + ", "
                            + upper
                            + ")");
        }
    }

    /** Whether the first model's {@code score} is inside the band: the second model decides. */
    public boolean contains(double score) {
        return score >= lower && score < upper;
    }

    /**
     * A band written {@code LOWER,UPPER}, e.g. {@code 0.1,0.9}.
     *
     * @param setting what named it, for the error message
     * @throws IllegalArgumentException saying what is wrong and what is expected
     */
    public static UncertainBand parse(String setting, String text) {
        String[] parts = text.split(",", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException(
                    setting
                            + " must be two scores LOWER,UPPER such as 0.1,0.9, got '"
                            + text
                            + "'");
        }
        try {
            return new UncertainBand(
                    Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    setting + " must be two scores LOWER,UPPER such as 0.1,0.9, got '" + text + "'",
                    e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s,%s", lower, upper);
    }
}
