package io.hivestream.operators.consensus;

import java.util.HashMap;
import java.util.Map;

/** A deterministic embedder for tests: a fixed vector per known text, zero for any other. */
final class TableEmbedder implements TextEmbedder {
    private static final long serialVersionUID = 1L;

    private final int dimensions;
    private final Map<String, float[]> vectors = new HashMap<>();

    TableEmbedder(int dimensions) {
        this.dimensions = dimensions;
    }

    TableEmbedder put(String text, float... vector) {
        if (vector.length != dimensions) {
            throw new IllegalArgumentException("expected " + dimensions + " dimensions");
        }
        vectors.put(text, vector.clone());
        return this;
    }

    @Override
    public float[] embed(String text) {
        float[] vector = vectors.get(text);
        return vector == null ? new float[dimensions] : vector.clone();
    }
}
