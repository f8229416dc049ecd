package io.hivestream.loadtests;

import io.hivestream.operators.cache.SemanticCache;
import io.hivestream.operators.consensus.TextEmbedder;
import io.hivestream.schemas.internal.CachedAnswer;
import io.hivestream.schemas.internal.SemanticEntry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The semantic cache on the labelled pairs of {@code cache/pairs.tsv}: for each pair, the first
 * input's answer in the cache, the second input looked up. A hit on a pair labelled {@code
 * different} is a wrong hit; a miss on one labelled {@code same}, a missed hit.
 */
public final class CacheAccuracy {
    /** A labelled pair. */
    public record Pair(boolean same, String first, String second) {}

    /** What the cache did on the pairs. */
    public record Outcome(int same, int hits, int different, int wrongHits, List<Pair> wrong) {}

    private CacheAccuracy() {}

    /** The pairs shipped with the benchmark. */
    public static List<Pair> pairs() throws IOException {
        List<Pair> pairs = new ArrayList<>();
        try (BufferedReader in =
                new BufferedReader(
                        new InputStreamReader(
                                Objects.requireNonNull(
                                        CacheAccuracy.class.getResourceAsStream(
                                                "/cache/pairs.tsv")),
                                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] fields = line.split("\t");
                pairs.add(new Pair(fields[0].equals("same"), fields[1], fields[2]));
            }
        }
        return pairs;
    }

    public static Outcome run(List<Pair> pairs, TextEmbedder embedder, SemanticCache cache) {
        int same = 0;
        int hits = 0;
        int different = 0;
        int wrongHits = 0;
        List<Pair> wrong = new ArrayList<>();
        for (Pair pair : pairs) {
            SemanticEntry cached =
                    SemanticEntry.newBuilder()
                            .setTaskId("first")
                            .setInput(pair.first())
                            .setEmbedding(
                                    SemanticCache.bytes(
                                            SemanticCache.unit(embedder.embed(pair.first()))))
                            .setAnswer(
                                    CachedAnswer.newBuilder()
                                            .setAgentId("a")
                                            .setOutput("")
                                            .setTaskId("first")
                                            .setCachedAt(0)
                                            .build())
                            .setCachedAt(0)
                            .build();
            boolean hit =
                    cache.lookup(
                                    List.of(cached),
                                    SemanticCache.unit(embedder.embed(pair.second())),
                                    pair.second(),
                                    1)
                            != null;
            if (pair.same()) {
                same++;
                hits += hit ? 1 : 0;
            } else {
                different++;
                if (hit) {
                    wrongHits++;
                    wrong.add(pair);
                }
            }
        }
        return new Outcome(same, hits, different, wrongHits, wrong);
    }
}
