package io.hivestream.operators.admit;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/** The budget windows: UTC calendar days and months, as numbers and as the names results give. */
public final class UtcWindows {
    private UtcWindows() {}

    /** The UTC epoch day of an instant. */
    public static long day(long epochMillis) {
        return Math.floorDiv(epochMillis, 86_400_000L);
    }

    /** The UTC month of an instant, as year * 12 + month - 1. */
    public static int month(long epochMillis) {
        LocalDate date = LocalDate.ofEpochDay(day(epochMillis));
        return date.getYear() * 12 + date.getMonthValue() - 1;
    }

    /** The first instant of the UTC month of an instant, in epoch milliseconds. */
    public static long startOfMonth(long epochMillis) {
        return LocalDate.ofEpochDay(day(epochMillis))
                .withDayOfMonth(1)
                .atStartOfDay(ZoneOffset.UTC)
                .toInstant()
                .toEpochMilli();
    }

    /** {@code day 2026-12-05 (UTC)}. */
    public static String dayName(long epochMillis) {
        return "day " + LocalDate.ofEpochDay(day(epochMillis)) + " (UTC)";
    }

    /** {@code month 2026-12 (UTC)}. */
    public static String monthName(long epochMillis) {
        LocalDate date = Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC).toLocalDate();
        return String.format("month %04d-%02d (UTC)", date.getYear(), date.getMonthValue());
    }
}
