package io.hivestream.operators.consensus;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A lexical stand-in for a sentence-embedding model: word counts hashed into a fixed number of
 * dimensions. Answers that use the same words are similar; paraphrases with other words are not.
 * The job uses it until a model-based embedder is configured.
 */
public final class BagOfWordsEmbedder implements TextEmbedder {
    private static final long serialVersionUID = 1L;
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");

    public static final int DEFAULT_DIMENSIONS = 256;

    private final int dimensions;

    public BagOfWordsEmbedder() {
        this(DEFAULT_DIMENSIONS);
    }

    public BagOfWordsEmbedder(int dimensions) {
        if (dimensions < 1) {
            throw new IllegalArgumentException("dimensions must be at least 1: " + dimensions);
        }
        this.dimensions = dimensions;
    }

    @Override
    public float[] embed(String text) {
        float[] vector = new float[dimensions];
        Matcher words = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (words.find()) {
            vector[Math.floorMod(words.group().hashCode(), dimensions)] += 1f;
        }
        return vector;
    }
}
