package io.hivestream.operators.execute;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the execute stage calls agents: how many calls may be in flight, how it retries, when it
 * stops trying an agent, how much of a session it remembers and how long it caches answers. Built
 * with {@link #builder()}, which refuses bad values as they are set.
 */
public final class ExecuteSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_CAPACITY = 1000;
    public static final int DEFAULT_ATTEMPTS_PER_AGENT = 3;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);
    public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofSeconds(60);
    public static final int DEFAULT_MEMORY_TURNS = 8;
    public static final int DEFAULT_MEMORY_TURN_CHARS = 2000;
    public static final Duration DEFAULT_MEMORY_TTL = Duration.ofHours(24);
    public static final float DEFAULT_BREAKER_FAILURE_RATE = 50f;
    public static final int DEFAULT_BREAKER_WINDOW = 20;
    public static final Duration DEFAULT_BREAKER_OPEN = Duration.ofSeconds(30);
    public static final Duration DEFAULT_AGENT_WAIT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofHours(1);
    public static final int DEFAULT_CACHE_MAX_ENTRIES = 100_000;

    private int capacity = DEFAULT_CAPACITY;
    private int attemptsPerAgent = DEFAULT_ATTEMPTS_PER_AGENT;
    private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private Duration maxRetryAfter = DEFAULT_MAX_RETRY_AFTER;
    private int memoryTurns = DEFAULT_MEMORY_TURNS;
    private int memoryTurnChars = DEFAULT_MEMORY_TURN_CHARS;
    private Duration memoryTtl = DEFAULT_MEMORY_TTL;
    private float breakerFailureRate = DEFAULT_BREAKER_FAILURE_RATE;
    private int breakerWindow = DEFAULT_BREAKER_WINDOW;
    private Duration breakerOpen = DEFAULT_BREAKER_OPEN;
    private long seed = 0;
    private Duration agentWait = DEFAULT_AGENT_WAIT;
    private Duration cacheTtl = DEFAULT_CACHE_TTL;
    private int cacheMaxEntries = DEFAULT_CACHE_MAX_ENTRIES;

    private ExecuteSettings() {}

    public static Builder builder() {
        return new Builder();
    }

    public static ExecuteSettings defaults() {
        return builder().build();
    }

    /** Calls in flight per parallel instance; beyond it the stage back-pressures. */
    public int capacity() {
        return capacity;
    }

    /** Calls to one agent for one replica, the first included, before falling back. */
    public int attemptsPerAgent() {
        return attemptsPerAgent;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    /** A provider asking to wait longer than this is given up on for the next agent. */
    public Duration maxRetryAfter() {
        return maxRetryAfter;
    }

    /** Earlier turns a session remembers (0: no memory). */
    public int memoryTurns() {
        return memoryTurns;
    }

    /** Characters kept of each remembered input and output. */
    public int memoryTurnChars() {
        return memoryTurnChars;
    }

    /** A session's memory is dropped this long after its last turn. */
    public Duration memoryTtl() {
        return memoryTtl;
    }

    public float breakerFailureRate() {
        return breakerFailureRate;
    }

    public int breakerWindow() {
        return breakerWindow;
    }

    public Duration breakerOpen() {
        return breakerOpen;
    }

    /** Seed of the backoff jitter; each parallel instance combines it with its index. */
    public long seed() {
        return seed;
    }

    /**
     * How long a call waits for an open circuit breaker to let it through when no other agent of
     * its chain can take it (and at most until the task's deadline).
     */
    public Duration agentWait() {
        return agentWait;
    }

    /** How long an answer stays in the response cache after the call that gave it. */
    public Duration cacheTtl() {
        return cacheTtl;
    }

    /**
     * Most answers one parallel instance keeps in its response cache (an upper bound counted per
     * TTL window: {@code CacheBudget}); 0 stores none.
     */
    public int cacheMaxEntries() {
        return cacheMaxEntries;
    }

    /** Builds settings; each setter checks its value. */
    public static final class Builder {
        private final ExecuteSettings settings = new ExecuteSettings();

        public Builder capacity(int capacity) {
            require(capacity >= 1, "capacity must be at least 1: " + capacity);
            settings.capacity = capacity;
            return this;
        }

        public Builder attemptsPerAgent(int attempts) {
            require(attempts >= 1, "attemptsPerAgent must be at least 1: " + attempts);
            settings.attemptsPerAgent = attempts;
            return this;
        }

        public Builder backoff(Duration initial, Duration max) {
            require(
                    !initial.isNegative() && !initial.isZero(),
                    "initial backoff must be positive: " + initial);
            require(
                    max.compareTo(initial) >= 0,
                    "max backoff must not be below the initial backoff: " + max);
            settings.initialBackoff = initial;
            settings.maxBackoff = max;
            return this;
        }

        public Builder maxRetryAfter(Duration max) {
            require(!max.isNegative(), "maxRetryAfter must not be negative: " + max);
            settings.maxRetryAfter = max;
            return this;
        }

        public Builder memory(int turns, int turnChars, Duration ttl) {
            require(turns >= 0, "memory turns must not be negative: " + turns);
            require(turnChars >= 1, "memory turn chars must be at least 1: " + turnChars);
            require(!ttl.isNegative() && !ttl.isZero(), "memory TTL must be positive: " + ttl);
            settings.memoryTurns = turns;
            settings.memoryTurnChars = turnChars;
            settings.memoryTtl = ttl;
            return this;
        }

        public Builder breaker(float failureRatePercent, int window, Duration open) {
            require(
                    failureRatePercent > 0 && failureRatePercent <= 100,
                    "breaker failure rate must be in (0, 100]: " + failureRatePercent);
            require(window >= 1, "breaker window must be at least 1: " + window);
            require(
                    !open.isNegative() && !open.isZero(),
                    "breaker open duration must be positive: " + open);
            settings.breakerFailureRate = failureRatePercent;
            settings.breakerWindow = window;
            settings.breakerOpen = open;
            return this;
        }

        public Builder seed(long seed) {
            settings.seed = seed;
            return this;
        }

        public Builder agentWait(Duration wait) {
            require(!wait.isNegative(), "agent wait must not be negative: " + wait);
            settings.agentWait = wait;
            return this;
        }

        public Builder cache(Duration ttl, int maxEntries) {
            require(!ttl.isNegative() && ttl.toMillis() >= 1, "cache TTL must be positive: " + ttl);
            require(maxEntries >= 0, "cache max entries must not be negative: " + maxEntries);
            settings.cacheTtl = ttl;
            settings.cacheMaxEntries = maxEntries;
            return this;
        }

        public ExecuteSettings build() {
            ExecuteSettings copy = new ExecuteSettings();
            copy.capacity = settings.capacity;
            copy.attemptsPerAgent = settings.attemptsPerAgent;
            copy.initialBackoff = settings.initialBackoff;
            copy.maxBackoff = settings.maxBackoff;
            copy.maxRetryAfter = settings.maxRetryAfter;
            copy.memoryTurns = settings.memoryTurns;
            copy.memoryTurnChars = settings.memoryTurnChars;
            copy.memoryTtl = settings.memoryTtl;
            copy.breakerFailureRate = settings.breakerFailureRate;
            copy.breakerWindow = settings.breakerWindow;
            copy.breakerOpen = settings.breakerOpen;
            copy.seed = settings.seed;
            copy.agentWait = settings.agentWait;
            copy.cacheTtl = settings.cacheTtl;
            copy.cacheMaxEntries = settings.cacheMaxEntries;
            return copy;
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
