package io.hivestream.operators.analyse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class TaskFeaturesTest {
    private static float feature(float[] x, String name) {
        return x[TaskFeatures.NAMES.indexOf(name)];
    }

    @Test
    void namesAreFixedAndInOrder() {
        assertThat(TaskFeatures.NAMES)
                .containsExactly(
                        "log_chars",
                        "log_words",
                        "sentences",
                        "long_words",
                        "code_markers",
                        "code_words",
                        "math_symbols",
                        "math_words",
                        "equation",
                        "questions",
                        "steps",
                        "reasoning_words",
                        "simple_words",
                        "constraint_words",
                        "capabilities",
                        "non_ascii",
                        "kind_chat",
                        "kind_classify",
                        "kind_summarize",
                        "kind_extract",
                        "kind_math",
                        "kind_code",
                        "kind_translate",
                        "kind_reasoning",
                        "kind_planning");
        assertThat(TaskFeatures.SIZE).isEqualTo(25);
    }

    @Test
    void aShortQuestion() {
        // 30 characters, 6 words, one sentence, one question, "capital of" a short-answer cue.
        float[] x = TaskFeatures.of("What is the capital of France?", "chat", List.of());

        assertThat(feature(x, "log_chars"))
                .isCloseTo((float) (Math.log(31) / Math.log(8001)), within(1e-7f));
        assertThat(feature(x, "log_words"))
                .isCloseTo((float) (Math.log(7) / Math.log(1501)), within(1e-7f));
        assertThat(feature(x, "sentences")).isEqualTo(1f / 20);
        assertThat(feature(x, "long_words")).isEqualTo(0f);
        assertThat(feature(x, "questions")).isEqualTo(1f / 4);
        assertThat(feature(x, "simple_words")).isEqualTo(1f / 3);
        assertThat(feature(x, "kind_chat")).isEqualTo(1f);
        float[] others = x.clone();
        for (String name :
                List.of(
                        "log_chars",
                        "log_words",
                        "sentences",
                        "questions",
                        "simple_words",
                        "kind_chat")) {
            others[TaskFeatures.NAMES.indexOf(name)] = 0;
        }
        assertThat(others).containsOnly(0f);
    }

    @Test
    void codeMathStepsAndCapabilities() {
        String input =
                "First, implement a Python function solve(a, b) that returns x for 2x + 3 = 7.\n"
                        + "Then prove it handles every edge case:\n"
                        + "1. a == 0\n"
                        + "2. b < 0\n"
                        + "Finally explain why.";
        float[] x = TaskFeatures.of(input, "Code", List.of("code", "math", "review"));

        // Markers: the keyword "function", the call "solve(a, b)", "==" ("returns" is no keyword).
        assertThat(feature(x, "code_markers")).isEqualTo(3f / 12);
        // implement, python, function.
        assertThat(feature(x, "code_words")).isEqualTo(3f / 5);
        // 2 3 = 7 1 . 0 2 . < 0 = digits and operators: 2,+,3,=,7,1,=,=,0,2,<,0 -> 12.
        assertThat(feature(x, "math_symbols")).isEqualTo(12f / 40);
        // "solve" (the function's name) and "prove".
        assertThat(feature(x, "math_words")).isEqualTo(2f / 4);
        assertThat(feature(x, "equation")).isEqualTo(1f);
        // First, Then, Finally, two numbered lines: 5 of 6.
        assertThat(feature(x, "steps")).isEqualTo(5f / 6);
        assertThat(TaskFeatures.stepCues(input)).isEqualTo(5);
        // explain, why
        assertThat(feature(x, "reasoning_words")).isEqualTo(2f / 4);
        // handle... "handles" is not "handle"; "edge case": 1.
        assertThat(feature(x, "constraint_words")).isEqualTo(1f / 4);
        assertThat(feature(x, "capabilities")).isEqualTo(2f / 3);
        assertThat(feature(x, "kind_code")).isEqualTo(1f);
    }

    @Test
    void markersAndSymbolsBeyondAscii() {
        // Math symbols: = > (of =>), = (of !=), √ ∑ ∫ π ² ³, 5, %, = : 12. Code markers: the two
        // fences, =>, != and the call SQRT(y): 5; a lone "=" or "!" is none. SQRT( and Log ( are
        // functions applied to something, sqrtx( is not.
        String input = "```f => g != h``` √x ∑ ∫ π² ³ 5% a = b! SQRT(y)";
        float[] x = TaskFeatures.of(input, "math", List.of());

        assertThat(feature(x, "math_symbols")).isEqualTo(12f / 40);
        assertThat(feature(x, "code_markers")).isEqualTo(5f / 12);
        assertThat(feature(x, "equation")).isEqualTo(1f);
        assertThat(feature(TaskFeatures.of("take Log (n) here", "chat", List.of()), "equation"))
                .isEqualTo(1f);
        assertThat(feature(TaskFeatures.of("call sqrtx(n) here", "chat", List.of()), "equation"))
                .isEqualTo(0f);
    }

    @Test
    void lowerCasingNeverShortensAWord() {
        // The equation feature looks a word up among the functions only when it has at most four
        // characters: that needs lower-casing never to make a word shorter.
        for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
            if (Character.isLetterOrDigit(c)) {
                String word = Character.toString(c);
                assertThat(word.toLowerCase(java.util.Locale.ROOT).length())
                        .as("U+%04X", c)
                        .isGreaterThanOrEqualTo(word.length());
            }
        }
    }

    @Test
    void otherScriptsAndUnknownKinds() {
        float[] x = TaskFeatures.of("你好吗? ok", "poetry", List.of());

        // 3 of 7 characters are outside ASCII.
        assertThat(feature(x, "non_ascii")).isEqualTo(3f / 7);
        for (String kind : TaskFeatures.KINDS) {
            assertThat(feature(x, "kind_" + kind)).isEqualTo(0f);
        }
    }

    @Test
    void longInputsAndCountsAreCapped() {
        float[] x = TaskFeatures.of("why? ".repeat(5000), "chat", List.of());

        assertThat(feature(x, "log_chars")).isEqualTo(1f);
        assertThat(feature(x, "log_words")).isEqualTo(1f);
        assertThat(feature(x, "questions")).isEqualTo(1f);
        assertThat(feature(x, "reasoning_words")).isEqualTo(1f);
        assertThat(feature(x, "sentences")).isEqualTo(1f);
    }

    @Test
    void tokenEstimateCountsWordPiecesAndPunctuation() {
        // "Hello" 2, "world" 2, "it" 1, "s" 1, "42" 1; ",", "'", "!" 3.
        assertThat(TaskFeatures.tokenEstimate("Hello, world! it's 42")).isEqualTo(10);
        assertThat(TaskFeatures.tokenEstimate("")).isEqualTo(0);
    }
}
