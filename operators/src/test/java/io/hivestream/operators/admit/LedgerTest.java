package io.hivestream.operators.admit;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.Tenant;
import io.hivestream.schemas.internal.TenantLedger;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LedgerTest {
    /** 2026-12-31T23:59:59.999Z: the last millisecond of a day, a month and a year. */
    private static final long LAST_MS = Instant.parse("2026-12-31T23:59:59.999Z").toEpochMilli();

    private static Tenant rate(double perSecond, Integer burst) {
        return Tenant.newBuilder()
                .setTenant("acme")
                .setTasksPerSecond(perSecond)
                .setBurst(burst)
                .build();
    }

    @Test
    void windowsAreUtcCalendarDaysAndMonths() {
        assertThat(UtcWindows.dayName(LAST_MS)).isEqualTo("day 2026-12-31 (UTC)");
        assertThat(UtcWindows.dayName(LAST_MS + 1)).isEqualTo("day 2027-01-01 (UTC)");
        assertThat(UtcWindows.monthName(LAST_MS)).isEqualTo("month 2026-12 (UTC)");
        assertThat(UtcWindows.monthName(LAST_MS + 1)).isEqualTo("month 2027-01 (UTC)");
        assertThat(UtcWindows.day(LAST_MS + 1) - UtcWindows.day(LAST_MS)).isEqualTo(1);
        assertThat(UtcWindows.month(LAST_MS + 1) - UtcWindows.month(LAST_MS)).isEqualTo(1);
        assertThat(UtcWindows.day(-1)).isEqualTo(-1);
        assertThat(UtcWindows.startOfMonth(LAST_MS))
                .isEqualTo(Instant.parse("2026-12-01T00:00:00Z").toEpochMilli());
        assertThat(UtcWindows.startOfMonth(LAST_MS + 1)).isEqualTo(LAST_MS + 1);
    }

    @Test
    void spendIsBookedInTheWindowOfTheCallAndResetAtMidnight() {
        TenantLedger ledger = Ledger.empty(LAST_MS - 1000);
        Ledger.book(ledger, LAST_MS - 500, 0.25, 100);
        Ledger.book(ledger, LAST_MS, 0.5, 20);
        assertThat(ledger.getDayUsd()).isEqualTo(0.75);
        assertThat(ledger.getDayTokens()).isEqualTo(120);
        assertThat(ledger.getMonthUsd()).isEqualTo(0.75);

        // The first call of the new day and month starts both windows again.
        Ledger.book(ledger, LAST_MS + 1, 0.125, 7);
        assertThat(ledger.getDayUsd()).isEqualTo(0.125);
        assertThat(ledger.getDayTokens()).isEqualTo(7);
        assertThat(ledger.getMonthUsd()).isEqualTo(0.125);

        // A call of yesterday read back late does not count against today.
        Ledger.book(ledger, LAST_MS - 10, 1.0, 1000);
        assertThat(ledger.getDayUsd()).isEqualTo(0.125);
        assertThat(ledger.getDayTokens()).isEqualTo(7);
        assertThat(ledger.getMonthUsd()).isEqualTo(0.125);
    }

    @Test
    void aNewDayOfTheSameMonthKeepsTheMonthsSpend() {
        long noon = Instant.parse("2026-12-05T12:00:00Z").toEpochMilli();
        TenantLedger ledger = Ledger.empty(noon);
        Ledger.book(ledger, noon, 2.0, 50);
        Ledger.roll(ledger, noon + 86_400_000L);
        assertThat(ledger.getDayUsd()).isEqualTo(0.0);
        assertThat(ledger.getDayTokens()).isEqualTo(0);
        assertThat(ledger.getMonthUsd()).isEqualTo(2.0);
    }

    @Test
    void theBucketStartsFullAndRefillsAtItsRate() {
        Tenant tenant = rate(2.0, 3);
        TenantLedger ledger = Ledger.empty(0);
        assertThat(Ledger.bucket(ledger, tenant, 0)).isEqualTo(3.0);
        Ledger.take(ledger, tenant, 0);
        Ledger.take(ledger, tenant, 0);
        Ledger.take(ledger, tenant, 0);
        assertThat(Ledger.bucket(ledger, tenant, 0)).isEqualTo(0.0);
        assertThat(Ledger.nextToken(ledger, tenant, 0)).isEqualTo(500);
        assertThat(Ledger.bucket(ledger, tenant, 499)).isEqualTo(0.998);
        assertThat(Ledger.nextToken(ledger, tenant, 499)).isEqualTo(500);
        assertThat(Ledger.bucket(ledger, tenant, 500)).isEqualTo(1.0);
        assertThat(Ledger.nextToken(ledger, tenant, 500)).isEqualTo(500);
        // Never more than the burst, however long it was quiet.
        assertThat(Ledger.bucket(ledger, tenant, 60_000)).isEqualTo(3.0);
    }

    @Test
    void theBurstDefaultsToTheRateRoundedUp() {
        assertThat(Ledger.burst(rate(2.5, null))).isEqualTo(3);
        assertThat(Ledger.burst(rate(0.2, null))).isEqualTo(1);
        assertThat(Ledger.burst(rate(0.2, 5))).isEqualTo(5);
    }

    @Test
    void theRemainingBudgetIsTheTightestWindowsNeverBelowZero() {
        TenantLedger ledger = Ledger.empty(LAST_MS);
        Ledger.book(ledger, LAST_MS, 1.5, 0);
        Tenant both =
                Tenant.newBuilder()
                        .setTenant("acme")
                        .setBudgetUsdPerDay(2.0)
                        .setBudgetUsdPerMonth(10.0)
                        .build();
        assertThat(Ledger.remainingUsd(ledger, both)).isEqualTo(0.5);
        ledger.setMonthUsd(9.75);
        assertThat(Ledger.remainingUsd(ledger, both)).isEqualTo(0.25);
        ledger.setDayUsd(3.0);
        assertThat(Ledger.remainingUsd(ledger, both)).isEqualTo(0.0);
        assertThat(Ledger.remainingUsd(ledger, Tenant.newBuilder().setTenant("free").build()))
                .isNull();
    }
}
