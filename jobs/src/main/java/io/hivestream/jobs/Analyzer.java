package io.hivestream.jobs;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The complexity analysers {@code hivestream.analyse.analyzer} chooses from, by their names. */
public enum Analyzer {
    /** The feature model decides where it is sure; the embedding model decides the rest. */
    TWO_STAGE("two-stage"),
    /** The complexity model over the task features. */
    ONNX("onnx"),
    /** The complexity model over the input's MiniLM embedding and the features. */
    ONNX_EMBEDDING("onnx-embedding"),
    /** The complexity model over the input's static MiniLM embedding and the features. */
    ONNX_STATIC("onnx-static"),
    /** A fixed formula of length, code, questions and steps. */
    RULES("rules");

    private final String text;

    Analyzer(String text) {
        this.text = text;
    }

    /** The name options and the command line use. */
    public String text() {
        return text;
    }

    /**
     * The analyser of this name.
     *
     * @param setting what named it, for the error message
     * @throws IllegalArgumentException for a name that is none of them
     */
    public static Analyzer of(String setting, String name) {
        for (Analyzer analyzer : values()) {
            if (analyzer.text.equals(name)) {
                return analyzer;
            }
        }
        throw new IllegalArgumentException(
                setting + " must be " + names() + ", got '" + name + "'");
    }

    /** Every name, as a sentence lists them: "a, b, c or d". */
    static String names() {
        String all = Arrays.stream(values()).map(Analyzer::text).collect(Collectors.joining(", "));
        int last = all.lastIndexOf(", ");
        return all.substring(0, last) + " or " + all.substring(last + 2);
    }
}
