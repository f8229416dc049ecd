package io.hivestream.connectors.agents.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.hivestream.connectors.agents.onnx.TextSkills.Answer;
import io.hivestream.connectors.agents.onnx.TextSkills.Label;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextSkillsTest {
    private static final TextSkills SKILLS = new TextSkills(MiniLmEmbedder.shared());

    private static final String REPORT =
            "The quarterly report shows revenue grew by twelve percent. Growth came mostly from"
                    + " the new subscription plans. Our office cat was adopted by a family in"
                    + " Leeds. Subscription revenue now makes up half of all sales. The cafeteria"
                    + " will serve pizza on Friday. Analysts expect revenue to keep growing next"
                    + " quarter.";

    private static final String QUESTIONS =
            String.join(
                    "\n",
                    "How do I reset my password?",
                    "I forgot my password, how can I reset it?",
                    "Where is my parcel?",
                    "",
                    "How do I reset my password?",
                    "My package has not arrived yet.",
                    "Can I pay by bank transfer?",
                    "Where is my package?");

    @Test
    void sentencesEndAtStopsFollowedBySpaceAndAtLineBreaks() {
        assertThat(TextSkills.sentences("  One. Two? Three!\nFour\n\nFive 3.5 six.  "))
                .containsExactly("One.", "Two?", "Three!", "Four", "Five 3.5 six.");
    }

    @Test
    void theSummaryIsTheSentencesNearestTheCentreInTheirOrder() {
        assertThat(SKILLS.summarize(REPORT, 2))
                .isEqualTo(
                        new Answer(
                                "Growth came mostly from the new subscription plans. Subscription"
                                        + " revenue now makes up half of all sales.",
                                null,
                                69));
        assertThat(SKILLS.summarize(REPORT, 3).output())
                .isEqualTo(
                        "The quarterly report shows revenue grew by twelve percent. Growth came"
                                + " mostly from the new subscription plans. Subscription revenue"
                                + " now makes up half of all sales.");
    }

    @Test
    void aTextOfFewSentencesIsItsOwnSummary() {
        assertThat(SKILLS.summarize(" Only one.\nAnd two. ", 2))
                .isEqualTo(new Answer("Only one. And two.", null, 10));
        assertThat(SKILLS.summarize("   ", 2)).isEqualTo(new Answer("", null, 0));
    }

    @Test
    void similarityHasFourDecimals() {
        assertThat(SKILLS.similarity("My order never arrived.", "I did not receive my package."))
                .isEqualTo(new Answer("0.6200", null, 16));
        assertThat(
                        SKILLS.similarity(
                                        "A man is playing a guitar.",
                                        "The stock market fell sharply today.")
                                .output())
                .isEqualTo("-0.0540");
        assertThat(
                        SKILLS.similarity(
                                        "How do I reset my password?",
                                        "How do I reset my password?")
                                .output())
                .isEqualTo("1.0000");
    }

    @Test
    void dedupeKeepsTheFirstOfNearDuplicatesAndDropsBlankLines() {
        assertThat(SKILLS.dedupe(QUESTIONS, 0.9))
                .isEqualTo(
                        new Answer(
                                String.join(
                                        "\n",
                                        "How do I reset my password?",
                                        "Where is my parcel?",
                                        "My package has not arrived yet.",
                                        "Can I pay by bank transfer?",
                                        "Where is my package?"),
                                null,
                                63));
    }

    @Test
    void aLowerThresholdAlsoDropsLooserParaphrases() {
        assertThat(SKILLS.dedupe(QUESTIONS, 0.68).output())
                .isEqualTo(
                        String.join(
                                "\n",
                                "How do I reset my password?",
                                "Where is my parcel?",
                                "My package has not arrived yet.",
                                "Can I pay by bank transfer?"));
        assertThat(SKILLS.dedupe("", 0.9)).isEqualTo(new Answer("", null, 0));
    }

    @Test
    void classifyPicksTheLabelWhoseDescriptionIsClosest() {
        List<Label> labels =
                List.of(
                        new Label("billing", "payments, charges, invoices, refunds"),
                        new Label("technical", "software bugs, errors, crashes"));

        Answer answer = SKILLS.classify("The app crashes when I upload a photo", labels);

        assertThat(answer.output()).isEqualTo("technical");
        assertThat(answer.confidence()).isCloseTo(0.9994, within(1e-3));
        assertThat(answer.tokensIn()).isEqualTo(35);
    }

    @Test
    void aLabelWithoutDescriptionIsEmbeddedByName() {
        assertThat(new Label("billing", null).text()).isEqualTo("billing");
        assertThat(new Label("billing", " ").text()).isEqualTo("billing");
        assertThat(new Label("billing", " payments ").text()).isEqualTo("billing: payments");
    }

    @Test
    void oneLabelIsCertain() {
        assertThat(
                        SKILLS.classify("anything at all", List.of(new Label("only", null)))
                                .confidence())
                .isEqualTo(1.0);
    }

    @Test
    void classifyNeedsALabel() {
        assertThatThrownBy(() -> SKILLS.classify("text", List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no labels to classify into");
    }
}
