package io.hivestream.operators.execute;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * The one retry loop's decisions: whether to call the same agent again, after how long, or to fall
 * back to the next agent. Exponential backoff with full jitter; a provider's Retry-After wins when
 * it asks for longer. Not thread-safe (the operator's mailbox thread owns it).
 */
public final class RetryPolicy {
    /** What to do after a failed call. */
    public sealed interface Decision permits Retry, FallBack {}

    /** Call the same agent again after {@code delay}. */
    public record Retry(Duration delay) implements Decision {}

    /** Give up on this agent. */
    public record FallBack(String why) implements Decision {}

    private final ExecuteSettings settings;
    private final SplittableRandom random;

    public RetryPolicy(ExecuteSettings settings) {
        this(settings, 0);
    }

    /**
     * @param instance the parallel instance's index: instances draw different jitter from the same
     *     seed, so that their retries do not fall at the same moments
     */
    public RetryPolicy(ExecuteSettings settings, int instance) {
        this.settings = settings;
        this.random = new SplittableRandom(settings.seed() * 1_000_003L + instance);
    }

    /**
     * @param error why the call failed
     * @param attemptOnAgent 1 for the first call to this agent for this replica
     */
    public Decision afterFailure(Throwable error, int attemptOnAgent) {
        if (!(error instanceof AgentCallException failure)) {
            return new FallBack("not retried: " + error.getClass().getSimpleName());
        }
        if (!failure.retryable()) {
            return new FallBack("not retryable: " + failure.kind());
        }
        if (attemptOnAgent >= settings.attemptsPerAgent()) {
            return new FallBack("gave up after " + attemptOnAgent + " attempts");
        }
        Duration backoff = backoff(attemptOnAgent);
        Duration retryAfter = failure.retryAfter();
        if (retryAfter != null) {
            if (retryAfter.compareTo(settings.maxRetryAfter()) > 0) {
                return new FallBack("asked to wait " + retryAfter.toSeconds() + " s");
            }
            return new Retry(retryAfter.compareTo(backoff) > 0 ? retryAfter : backoff);
        }
        return new Retry(backoff);
    }

    /** Full jitter: uniform in [0, min(max, initial * 2^(attempt-1))]. */
    Duration backoff(int attemptOnAgent) {
        long initial = settings.initialBackoff().toMillis();
        long cap = settings.maxBackoff().toMillis();
        long ceiling = attemptOnAgent >= 31 ? cap : Math.min(cap, initial << (attemptOnAgent - 1));
        return Duration.ofMillis(random.nextLong(ceiling + 1));
    }
}
