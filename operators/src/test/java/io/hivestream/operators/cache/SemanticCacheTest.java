package io.hivestream.operators.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.hivestream.schemas.internal.CachedAnswer;
import io.hivestream.schemas.internal.SemanticEntry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SemanticCacheTest {
    private final SemanticCache cache = new SemanticCache(0.9, Duration.ofMinutes(10), 3);

    private static SemanticEntry entry(String taskId, String input, float[] vector, long at) {
        return SemanticEntry.newBuilder()
                .setTaskId(taskId)
                .setInput(input)
                .setEmbedding(SemanticCache.bytes(SemanticCache.unit(vector)))
                .setAnswer(
                        CachedAnswer.newBuilder()
                                .setAgentId("gpt")
                                .setOutput("Paris")
                                .setTaskId(taskId)
                                .setCachedAt(at)
                                .build())
                .setCachedAt(at)
                .build();
    }

    @Test
    void theMostSimilarInputAtOrAboveTheThresholdWithTheSameFactsHits() {
        List<SemanticEntry> entries =
                List.of(
                        entry("a", "What is the capital of France?", new float[] {1, 0, 0}, 0),
                        entry(
                                "b",
                                "Which city is the capital of France?",
                                new float[] {1, 0.3f, 0},
                                0),
                        entry(
                                "c",
                                "What is the capital of Germany?",
                                new float[] {1, 0.05f, 0},
                                0));
        float[] asked = SemanticCache.unit(new float[] {1, 0.1f, 0});

        SemanticEntry hit = cache.lookup(entries, asked, "Tell me the capital of France.", 1_000);

        // c is the nearest (cosine 0.9988) but names Germany; a (0.995) beats b (0.9935).
        assertThat(hit.getTaskId()).isEqualTo("a");
    }

    @Test
    void belowTheThresholdOrExpiredMisses() {
        List<SemanticEntry> entries =
                List.of(entry("a", "What is the capital of France?", new float[] {1, 0, 0}, 0));

        // cos = 1 / sqrt(1 + 0.25) = 0.894 < 0.9
        assertThat(
                        cache.lookup(
                                entries,
                                SemanticCache.unit(new float[] {1, 0.5f, 0}),
                                "What is the capital of France?",
                                1_000))
                .isNull();
        assertThat(
                        cache.lookup(
                                entries,
                                SemanticCache.unit(new float[] {1, 0, 0}),
                                "What is the capital of France?",
                                Duration.ofMinutes(10).toMillis()))
                .isNull();
    }

    @Test
    void anAnswerJoinsItsClassWhichDropsExpiredOnesAndKeepsTheNewest() {
        List<SemanticEntry> entries =
                List.of(
                        entry("old", "q0", new float[] {1, 0, 0}, 0),
                        entry("b", "q1", new float[] {1, 0, 0}, 400_000),
                        entry("c", "q2", new float[] {1, 0, 0}, 500_000),
                        entry("d", "q3", new float[] {1, 0, 0}, 550_000));

        List<SemanticEntry> kept =
                cache.add(entries, entry("e", "q4", new float[] {1, 0, 0}, 600_000), 600_000);

        assertThat(kept).extracting(SemanticEntry::getTaskId).containsExactly("c", "d", "e");
    }

    @Test
    void anAnswerToATaskAlreadyKeptIsNotAddedAgain() {
        List<SemanticEntry> entries =
                List.of(
                        entry("a", "q0", new float[] {1, 0, 0}, 500_000),
                        entry("b", "q1", new float[] {1, 0, 0}, 550_000));

        List<SemanticEntry> kept =
                cache.add(entries, entry("a", "q0", new float[] {1, 0, 0}, 600_000), 600_000);

        assertThat(kept)
                .extracting(SemanticEntry::getTaskId, SemanticEntry::getCachedAt)
                .containsExactly(tuple("a", 500_000L), tuple("b", 550_000L));
    }

    @Test
    void anAnswerToATaskWhoseAnswerExpiredJoinsAgain() {
        List<SemanticEntry> entries = List.of(entry("a", "q0", new float[] {1, 0, 0}, 0));

        List<SemanticEntry> kept =
                cache.add(entries, entry("a", "q0", new float[] {1, 0, 0}, 600_000), 600_000);

        assertThat(kept)
                .extracting(SemanticEntry::getTaskId, SemanticEntry::getCachedAt)
                .containsExactly(tuple("a", 600_000L));
    }

    @Test
    void vectorsKeepTheirValuesAsBytes() {
        float[] unit = SemanticCache.unit(new float[] {3, 4});

        assertThat(unit).containsExactly(0.6f, 0.8f);
        assertThat(SemanticCache.floats(SemanticCache.bytes(unit))).containsExactly(0.6f, 0.8f);
    }
}
