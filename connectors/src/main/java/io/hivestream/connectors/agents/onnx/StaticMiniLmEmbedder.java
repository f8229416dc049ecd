package io.hivestream.connectors.agents.onnx;

import java.io.IOException;
import java.io.InputStream;

/**
 * Static sentence embeddings from all-MiniLM-L6-v2, without running the transformer: the model's
 * input word-embedding matrix (30,522 word pieces × 384 floats), read out of its ONNX file once per
 * JVM, averaged over a text's word pieces with smooth inverse frequency weights, and scaled to unit
 * length. The weights take the vocabulary's order as a frequency rank (Zipf's law, p(id) ∝ 1 / (id
 * + 2)) and are {@code a / (a + p)} with a = {@value #SIF_A}, as Model2Vec does: common pieces
 * weigh little. Tens of microseconds a text where the transformer takes milliseconds; what it loses
 * in meaning the complexity model's measurements show (docs/analysis.md).
 *
 * <p>Holds 47 MB of floats per JVM, loaded on first use (about a second); thread-safe.
 */
public final class StaticMiniLmEmbedder {
    /** The embedding's name in the models trained on it. */
    public static final String MODEL = "all-MiniLM-L6-v2-static-sif";

    /** Floats in every vector. */
    public static final int DIMENSIONS = MiniLmEmbedder.DIMENSIONS;

    /** Word pieces of a text that count; the rest of a longer text is left out. */
    public static final int MAX_PIECES = 512;

    /** The SIF smoothing constant. */
    static final double SIF_A = 1e-4;

    private static volatile StaticMiniLmEmbedder shared;

    private final WordPieceTokenizer tokenizer;

    /**
     * The word-embedding matrix, a row per word piece, each already multiplied by its piece's SIF
     * weight. A row of its own, rather than a slice of one flat array, lets the JIT add it to the
     * sum with vector instructions (it cannot rule out that a flat array and the sum overlap): a
     * fifth of the time per piece.
     */
    private final float[][] rows;

    /** Reads {@code matrix} (vocabulary × {@link #DIMENSIONS} floats, row after row). */
    StaticMiniLmEmbedder(WordPieceTokenizer tokenizer, float[] matrix, int vocabulary) {
        if (matrix.length != (long) vocabulary * DIMENSIONS) {
            throw new IllegalArgumentException(
                    "expected "
                            + vocabulary
                            + " × "
                            + DIMENSIONS
                            + " floats, got "
                            + matrix.length);
        }
        this.tokenizer = tokenizer;
        float[] weights = zipfWeights(vocabulary, SIF_A);
        // Each row times its piece's weight, once: the same float products embed added when it
        // multiplied them per text, so the sums are the same to the bit.
        rows = new float[vocabulary][DIMENSIONS];
        for (int id = 0; id < vocabulary; id++) {
            float w = weights[id];
            float[] row = rows[id];
            int base = id * DIMENSIONS;
            for (int d = 0; d < DIMENSIONS; d++) {
                row[d] = w * matrix[base + d];
            }
        }
    }

    /**
     * The embedder of this JVM, loading the matrix on first use.
     *
     * @throws IllegalStateException when the model cannot be read
     */
    public static StaticMiniLmEmbedder shared() {
        StaticMiniLmEmbedder embedder = shared;
        if (embedder == null) {
            synchronized (StaticMiniLmEmbedder.class) {
                embedder = shared;
                if (embedder == null) {
                    embedder = load();
                    shared = embedder;
                }
            }
        }
        return embedder;
    }

    private static StaticMiniLmEmbedder load() {
        try {
            WordPieceTokenizer tokenizer;
            try (InputStream in = MiniLmEmbedder.resource(MiniLmEmbedder.TOKENIZER_RESOURCE)) {
                tokenizer = WordPieceTokenizer.read(in);
            }
            byte[] model;
            try (InputStream in = MiniLmEmbedder.resource(MiniLmEmbedder.MODEL_RESOURCE)) {
                model = in.readAllBytes();
            }
            OnnxInitializers.FloatTensor words =
                    OnnxInitializers.floats(model, "word_embeddings.weight");
            return new StaticMiniLmEmbedder(
                    tokenizer, words.values(), Math.toIntExact(words.dims()[0]));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot load " + MODEL + ": " + e.getMessage(), e);
        }
    }

    /** SIF weights a / (a + p(id)), p(id) ∝ 1 / (id + 2). */
    static float[] zipfWeights(int vocabulary, double a) {
        double norm = 0;
        for (int i = 0; i < vocabulary; i++) {
            norm += 1.0 / (i + 2);
        }
        float[] weights = new float[vocabulary];
        for (int i = 0; i < vocabulary; i++) {
            double p = 1.0 / (i + 2) / norm;
            weights[i] = (float) (a / (a + p));
        }
        return weights;
    }

    /** The unit-length static embedding of {@code text}; zeros for a text without word pieces. */
    public float[] embed(String text) {
        float[] sum = new float[DIMENSIONS];
        for (int id : tokenizer.pieces(text, MAX_PIECES)) {
            float[] row = rows[id];
            for (int d = 0; d < DIMENSIONS; d++) {
                sum[d] += row[d];
            }
        }
        double norm = 0;
        for (float v : sum) {
            norm += (double) v * v;
        }
        if (norm > 0) {
            float scale = (float) (1 / Math.sqrt(norm));
            for (int d = 0; d < DIMENSIONS; d++) {
                sum[d] *= scale;
            }
        }
        return sum;
    }
}
