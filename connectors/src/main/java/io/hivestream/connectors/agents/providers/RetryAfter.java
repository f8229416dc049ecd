package io.hivestream.connectors.agents.providers;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Reads an HTTP {@code Retry-After} header: delay seconds, or an HTTP date (RFC 9110 10.2.3). */
final class RetryAfter {
    private RetryAfter() {}

    /**
     * @param now the clock the HTTP date is measured against
     * @return the wait, zero for a date in the past, or null when the header is absent or
     *     unreadable
     */
    static Duration parse(String header, Clock now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.strip();
        if (value.matches("\\d{1,10}")) {
            return Duration.ofSeconds(Long.parseLong(value));
        }
        try {
            ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration wait = Duration.between(now.instant(), at.toInstant());
            return wait.isNegative() ? Duration.ZERO : wait;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
