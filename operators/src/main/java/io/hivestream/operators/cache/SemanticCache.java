package io.hivestream.operators.cache;

import io.hivestream.schemas.internal.SemanticEntry;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The semantic cache's rules, on the answers of one class (see {@link CacheClasses}): a new input
 * hits the most similar earlier input whose embedding's cosine reaches the threshold, that names
 * the same facts ({@link SameFacts}) and that is younger than the TTL; an answer joins its class's
 * list, which drops expired answers and keeps at most {@code perClass}, the newest.
 */
public final class SemanticCache implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double threshold;
    private final long ttlMs;
    private final int perClass;

    /**
     * @param threshold the least cosine similarity of two inputs' embeddings for a hit
     * @param ttl how long an answer may be given again
     * @param perClass answers kept per class, the newest
     */
    public SemanticCache(double threshold, Duration ttl, int perClass) {
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException(
                    "the semantic cache's threshold must be in (0, 1]: " + threshold);
        }
        if (ttl.isNegative() || ttl.isZero() || perClass < 1) {
            throw new IllegalArgumentException(
                    "the semantic cache needs a positive TTL and room for an answer per class: "
                            + ttl
                            + ", "
                            + perClass);
        }
        this.threshold = threshold;
        this.ttlMs = ttl.toMillis();
        this.perClass = perClass;
    }

    /**
     * The answer to give {@code input} from {@code entries}, or null.
     *
     * @param embedding the input's embedding, unit length ({@link #unit})
     */
    public SemanticEntry lookup(
            List<SemanticEntry> entries, float[] embedding, String input, long now) {
        SemanticEntry best = null;
        double bestCosine = threshold;
        for (SemanticEntry entry : entries) {
            if (now - entry.getCachedAt() >= ttlMs) {
                continue;
            }
            double cosine = dot(embedding, entry.getEmbedding());
            if (cosine >= bestCosine && SameFacts.of(input, entry.getInput())) {
                best = entry;
                bestCosine = cosine;
            }
        }
        return best;
    }

    /**
     * {@code entries} without the expired answers, with {@code entry}, at most perClass. An answer
     * to a task whose answer is already kept is not added again: after a restore the execute stage
     * journals the fills of the calls it replays once more, and the first fill's time is the
     * call's.
     */
    public List<SemanticEntry> add(List<SemanticEntry> entries, SemanticEntry entry, long now) {
        List<SemanticEntry> kept = new ArrayList<>(Math.min(entries.size() + 1, perClass));
        boolean known = false;
        for (SemanticEntry old : entries) {
            if (now - old.getCachedAt() < ttlMs) {
                kept.add(old);
                known |= old.getTaskId().equals(entry.getTaskId());
            }
        }
        if (!known) {
            kept.add(entry);
        }
        return kept.size() <= perClass
                ? kept
                : new ArrayList<>(kept.subList(kept.size() - perClass, kept.size()));
    }

    /** Whether any of {@code entries} may still be given. */
    public boolean anyLive(List<SemanticEntry> entries, long now) {
        for (SemanticEntry entry : entries) {
            if (now - entry.getCachedAt() < ttlMs) {
                return true;
            }
        }
        return false;
    }

    /** {@code vector} scaled to unit length, so that a dot product is the cosine. */
    public static float[] unit(float[] vector) {
        double norm = 0;
        for (float v : vector) {
            norm += v * v;
        }
        float[] unit = new float[vector.length];
        if (norm == 0) {
            return unit;
        }
        double scale = 1 / Math.sqrt(norm);
        for (int i = 0; i < vector.length; i++) {
            unit[i] = (float) (vector[i] * scale);
        }
        return unit;
    }

    /** A vector as the bytes a {@link SemanticEntry} keeps. */
    public static ByteBuffer bytes(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : vector) {
            bytes.putFloat(v);
        }
        bytes.flip();
        return bytes;
    }

    /** The vector of {@link #bytes}. */
    public static float[] floats(ByteBuffer bytes) {
        ByteBuffer in = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] vector = new float[in.remaining() / 4];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = in.getFloat();
        }
        return vector;
    }

    static double dot(float[] a, ByteBuffer b) {
        ByteBuffer in = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() != a.length * 4) {
            return -1;
        }
        double dot = 0;
        for (float v : a) {
            dot += v * in.getFloat();
        }
        return dot;
    }
}
