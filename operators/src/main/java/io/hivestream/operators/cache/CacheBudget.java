package io.hivestream.operators.cache;

/**
 * A bound on the answers one execute instance keeps in its response cache, counted without reading
 * the state: every entry expires a TTL after it was stored, so the entries alive at any time were
 * stored in the last TTL, which lies within the current window of TTL length and the one before it.
 * Their two counts are an upper bound of the live entries; a store that would reach the bound is
 * refused until a window has passed.
 *
 * <p>The counts are not checkpointed: after a restore they start at 0 while the entries restored
 * with the state live on, so for one TTL after a restore up to twice the bound can be kept. An
 * entry stored again over one that expired is counted again, which only makes the bound stricter.
 */
public final class CacheBudget {
    private final long ttlMs;
    private final int maxEntries;
    private long window = Long.MIN_VALUE;
    private int current;
    private int previous;

    /**
     * @param ttlMs how long an entry lives, at least 1
     * @param maxEntries most entries kept at once; 0 keeps none
     */
    public CacheBudget(long ttlMs, int maxEntries) {
        if (ttlMs < 1) {
            throw new IllegalArgumentException("the cache TTL must be positive: " + ttlMs + " ms");
        }
        if (maxEntries < 0) {
            throw new IllegalArgumentException(
                    "the cache's max entries must not be negative: " + maxEntries);
        }
        this.ttlMs = ttlMs;
        this.maxEntries = maxEntries;
    }

    /** Whether an entry may be stored at {@code now}; when it may, it is counted. */
    public boolean tryStore(long now) {
        roll(now);
        if (previous + current >= maxEntries) {
            return false;
        }
        current++;
        return true;
    }

    /** At most this many entries stored so far are alive at {@code now}. */
    public int liveAtMost(long now) {
        roll(now);
        return previous + current;
    }

    private void roll(long now) {
        long at = Math.floorDiv(now, ttlMs);
        if (at == window) {
            return;
        }
        previous = at == window + 1 ? current : 0;
        current = 0;
        window = at;
    }
}
