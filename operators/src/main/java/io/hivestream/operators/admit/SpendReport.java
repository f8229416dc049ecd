package io.hivestream.operators.admit;

import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Tenant;
import io.hivestream.schemas.internal.TenantLedger;
import java.util.ArrayList;
import java.util.List;

/**
 * What a tenant spent in the current UTC day and month and what is left, computed from call metrics
 * by the same rules as the admit stage's ledger. {@code ./hivestream tenants show} prints it from
 * the metrics topic.
 */
public final class SpendReport {
    private SpendReport() {}

    /** The tenant's ledger at {@code now}, from every call metric given. */
    public static TenantLedger of(String tenant, Iterable<Metric> metrics, long now) {
        TenantLedger ledger = Ledger.empty(now);
        for (Metric metric : metrics) {
            if (metric.getKind() == MetricKind.CALL
                    && tenant.equals(metric.getTenant())
                    && metric.getCall() != null
                    && metric.getTimestamp() <= now) {
                Ledger.book(
                        ledger,
                        metric.getTimestamp(),
                        metric.getCall().getCostUsd(),
                        metric.getCall().getTokensIn() + metric.getCall().getTokensOut());
            }
        }
        Ledger.roll(ledger, now);
        return ledger;
    }

    /** The lines that describe the tenant's limits and what it spent. */
    public static List<String> lines(Tenant tenant, TenantLedger ledger, long now) {
        List<String> lines = new ArrayList<>();
        lines.add("tenant " + tenant.getTenant());
        lines.add(
                window(
                        "spent today",
                        Admission.usd(ledger.getDayUsd()),
                        tenant.getBudgetUsdPerDay() == null
                                ? null
                                : Admission.usd(tenant.getBudgetUsdPerDay()),
                        tenant.getBudgetUsdPerDay() == null
                                ? null
                                : Admission.usd(
                                        Math.max(
                                                0,
                                                tenant.getBudgetUsdPerDay() - ledger.getDayUsd())),
                        UtcWindows.dayName(now)));
        lines.add(
                window(
                        "spent this month",
                        Admission.usd(ledger.getMonthUsd()),
                        tenant.getBudgetUsdPerMonth() == null
                                ? null
                                : Admission.usd(tenant.getBudgetUsdPerMonth()),
                        tenant.getBudgetUsdPerMonth() == null
                                ? null
                                : Admission.usd(
                                        Math.max(
                                                0,
                                                tenant.getBudgetUsdPerMonth()
                                                        - ledger.getMonthUsd())),
                        UtcWindows.monthName(now)));
        lines.add(
                window(
                        "tokens today",
                        Long.toString(ledger.getDayTokens()),
                        tenant.getTokensPerDay() == null
                                ? null
                                : tenant.getTokensPerDay().toString(),
                        tenant.getTokensPerDay() == null
                                ? null
                                : Long.toString(
                                        Math.max(
                                                0,
                                                tenant.getTokensPerDay() - ledger.getDayTokens())),
                        UtcWindows.dayName(now)));
        lines.add(
                "  rate: "
                        + (tenant.getTasksPerSecond() == null
                                ? "unlimited"
                                : Admission.number(tenant.getTasksPerSecond())
                                        + " tasks per second, burst "
                                        + Ledger.burst(tenant)));
        lines.add(
                "  max in flight: "
                        + (tenant.getMaxInFlight() == null
                                ? "unlimited"
                                : tenant.getMaxInFlight()));
        lines.add(
                "  max per task: "
                        + (tenant.getMaxUsdPerTask() == null
                                ? "unlimited"
                                : Admission.usd(tenant.getMaxUsdPerTask())));
        lines.add("  capabilities: " + all(tenant.getCapabilities()));
        lines.add("  agents: " + all(tenant.getAgents()));
        lines.add("  tools: " + all(tenant.getTools()));
        lines.add(
                "  preference: "
                        + (tenant.getPreference() == null ? "the job's" : tenant.getPreference()));
        return lines;
    }

    private static String window(
            String what, String spent, String budget, String remaining, String window) {
        return "  "
                + what
                + ": "
                + spent
                + (budget == null ? " (no budget)" : " of " + budget + ", " + remaining + " left")
                + " in the "
                + window;
    }

    private static String all(List<String> values) {
        return values.isEmpty() ? "all" : String.join(", ", values);
    }
}
