package io.hivestream.operators.admit;

import io.hivestream.schemas.Tenant;
import io.hivestream.schemas.internal.TenantLedger;

/**
 * The rules of a tenant's {@link TenantLedger}: what its calls cost in the current UTC day and
 * month, its rate bucket, its tasks in flight. The admit stage keeps one ledger per tenant in keyed
 * state; the rules live here so that they can be tested on a controllable clock.
 *
 * <p>Spend is booked in the window of the call's own timestamp: a call of yesterday that is read
 * back after midnight does not count against today. A window that has passed is reset when a later
 * call is booked or a task is checked.
 */
public final class Ledger {
    /** Rounding slack of the bucket's arithmetic in doubles. */
    private static final double EPSILON = 1e-9;

    private Ledger() {}

    /** A fresh ledger: nothing spent, the bucket full. */
    public static TenantLedger empty(long now) {
        return TenantLedger.newBuilder()
                .setDay(UtcWindows.day(now))
                .setMonth(UtcWindows.month(now))
                .build();
    }

    /** Moves the windows forward to {@code now}, forgetting what earlier windows spent. */
    public static void roll(TenantLedger ledger, long now) {
        long day = UtcWindows.day(now);
        if (day > ledger.getDay()) {
            ledger.setDay(day);
            ledger.setDayUsd(0.0);
            ledger.setDayTokens(0L);
        }
        int month = UtcWindows.month(now);
        if (month > ledger.getMonth()) {
            ledger.setMonth(month);
            ledger.setMonthUsd(0.0);
        }
    }

    /** Books one call's cost and tokens in the windows of its timestamp. */
    public static void book(TenantLedger ledger, long callAt, double usd, long tokens) {
        roll(ledger, callAt);
        if (UtcWindows.day(callAt) == ledger.getDay()) {
            ledger.setDayUsd(ledger.getDayUsd() + usd);
            ledger.setDayTokens(ledger.getDayTokens() + tokens);
        }
        if (UtcWindows.month(callAt) == ledger.getMonth()) {
            ledger.setMonthUsd(ledger.getMonthUsd() + usd);
        }
    }

    /** The bucket's size: the tenant's burst, else its rate rounded up. */
    public static int burst(Tenant tenant) {
        if (tenant.getBurst() != null) {
            return tenant.getBurst();
        }
        return (int) Math.max(1, Math.ceil(tenant.getTasksPerSecond()));
    }

    /** Tasks the bucket holds at {@code now} (a full bucket when it has never been used). */
    public static double bucket(TenantLedger ledger, Tenant tenant, long now) {
        int burst = burst(tenant);
        if (ledger.getBucketAt() < 0) {
            return burst;
        }
        long elapsed = Math.max(0, now - ledger.getBucketAt());
        return Math.min(
                burst, ledger.getBucketTokens() + elapsed * tenant.getTasksPerSecond() / 1000.0);
    }

    /**
     * When the bucket holds one task again; {@code now} when it does already. Counted from the
     * bucket's last use, so that the answer does not drift with the time it is asked.
     */
    public static long nextToken(TenantLedger ledger, Tenant tenant, long now) {
        if (bucket(ledger, tenant, now) >= 1 - EPSILON) {
            return now;
        }
        long refill =
                (long)
                        Math.ceil(
                                (1 - ledger.getBucketTokens())
                                        * 1000.0
                                        / tenant.getTasksPerSecond());
        return Math.max(now + 1, ledger.getBucketAt() + refill);
    }

    /** Takes one task from the bucket; the caller has checked that it holds one. */
    public static void take(TenantLedger ledger, Tenant tenant, long now) {
        ledger.setBucketTokens(bucket(ledger, tenant, now) - 1);
        ledger.setBucketAt(now);
    }

    /** What is left of the tightest USD budget at {@code now}; null when there is none. */
    public static Double remainingUsd(TenantLedger ledger, Tenant tenant) {
        Double remaining = null;
        if (tenant.getBudgetUsdPerDay() != null) {
            remaining = Math.max(0, tenant.getBudgetUsdPerDay() - ledger.getDayUsd());
        }
        if (tenant.getBudgetUsdPerMonth() != null) {
            double month = Math.max(0, tenant.getBudgetUsdPerMonth() - ledger.getMonthUsd());
            remaining = remaining == null ? month : Math.min(remaining, month);
        }
        return remaining;
    }
}
