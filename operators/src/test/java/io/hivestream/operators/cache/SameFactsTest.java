package io.hivestream.operators.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SameFactsTest {
    @Test
    void numbersNamesAndQuotedTextAreTheFacts() {
        assertThat(
                        SameFacts.facts(
                                "Translate 'good morning' into Spanish. Then add 5,000 and 2.5."))
                .containsExactly("\"good morning", "#2.5", "#5000", "@spanish");
    }

    @Test
    void paraphrasesWithTheSameFactsPass() {
        assertThat(
                        SameFacts.of(
                                "What is the capital of France?",
                                "Which city is France's capital?"))
                .isTrue();
        assertThat(
                        SameFacts.of(
                                "What is the capital of France?",
                                "Which city is the capital of France?"))
                .isTrue();
        assertThat(
                        SameFacts.of(
                                "Convert 5 kilometers to miles.",
                                "How many miles are 5 kilometers?"))
                .isTrue();
    }

    @Test
    void anotherNumberNameOrQuoteFails() {
        assertThat(
                        SameFacts.of(
                                "Convert 5 kilometers to miles.",
                                "Convert 50 kilometers to miles."))
                .isFalse();
        assertThat(
                        SameFacts.of(
                                "Translate 'good morning' into Spanish.",
                                "Translate 'good morning' into French."))
                .isFalse();
        assertThat(SameFacts.of("Translate 'good night'.", "Translate 'good morning'.")).isFalse();
    }
}
