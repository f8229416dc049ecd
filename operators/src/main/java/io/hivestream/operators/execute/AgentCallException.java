package io.hivestream.operators.execute;

import java.time.Duration;

/**
 * Why a call to an agent failed, as a runtime reports it. Runtimes never retry on their own: the
 * execute stage runs the one retry loop of the whole stack and uses {@link #retryable()} and {@link
 * #retryAfter()} to decide.
 */
public class AgentCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The class of failure. */
    public enum Kind {
        /** 429 or the provider's own rate limit; honour {@link #retryAfter()}. */
        RATE_LIMITED(true),
        /** 5xx, connection refused or reset: the provider may recover. */
        UNAVAILABLE(true),
        /** No complete answer in time. */
        TIMEOUT(true),
        /** The reply could not be understood (malformed JSON, missing fields). */
        MALFORMED_REPLY(true),
        /** 401 or 403: retrying will not help. */
        UNAUTHORIZED(false),
        /** Any other 4xx: the request itself is wrong. */
        BAD_REQUEST(false),
        /** The agent's record cannot work (missing key, unknown runtime, bad params). */
        CONFIGURATION(false);

        private final boolean retryable;

        Kind(boolean retryable) {
            this.retryable = retryable;
        }
    }

    private final Kind kind;
    private final Duration retryAfter;

    public AgentCallException(Kind kind, String message) {
        this(kind, message, null, null);
    }

    public AgentCallException(Kind kind, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    public boolean retryable() {
        return kind.retryable;
    }

    /** How long the provider asked us to wait, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
