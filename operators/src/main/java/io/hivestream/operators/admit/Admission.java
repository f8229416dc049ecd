package io.hivestream.operators.admit;

import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.plan.Cancellations;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tenant;
import io.hivestream.schemas.internal.TenantLedger;
import java.util.List;
import java.util.Locale;

/**
 * Whether a tenant's task may start now: the rules of the admit stage, with no Flink in them. A
 * task is checked, in this order, against its deadline (past it, it is answered TIMED_OUT), its
 * tenant's record (a task of a tenant that is not registered waits for its record), the
 * capabilities the tenant may ask for, its budgets (a spent budget rejects), its tasks in flight
 * and its rate (both make the task wait).
 *
 * <p>A budget is spent when what was booked is at least the budget: a task is admitted while
 * anything at all is left. Subtasks of a plan were admitted with their root, so they are checked
 * against the budgets only; counting them in flight could leave a plan waiting on itself.
 */
public final class Admission {
    private Admission() {}

    /** What to do with a task. */
    public sealed interface Decision permits Admit, Wait, Reject, TimedOut {}

    /** Start the task; the ledger has counted it. */
    public record Admit() implements Decision {}

    /**
     * The task waits.
     *
     * @param reason why, for the result if it waits too long
     * @param retryAt when it may start at the earliest; {@link Long#MAX_VALUE}: when something
     *     changes (a task finishes, the tenant's record arrives)
     */
    public record Wait(String reason, long retryAt) implements Decision {}

    /** The task is answered {@code REJECTED} with this reason. */
    public record Reject(String reason) implements Decision {}

    /** The task's deadline passed before it could start: answered {@code TIMED_OUT}. */
    public record TimedOut(String reason) implements Decision {}

    private static final Admit ADMIT = new Admit();

    /**
     * Decides about {@code task}; when it is admitted, takes it from the rate bucket and counts it
     * in flight (a subtask only against the budgets).
     *
     * @param tenant the tenant's record; null when it has not arrived
     * @param ledger the tenant's ledger, rolled to {@code now} here
     */
    public static Decision decide(Task task, Tenant tenant, TenantLedger ledger, long now) {
        if (Cancellations.cancelled(task) != null) {
            return ADMIT; // not work: it stops a step its plan no longer needs
        }
        if (task.getDeadline() != null && now >= task.getDeadline()) {
            return new TimedOut(pastDeadline(task.getDeadline()));
        }
        if (tenant == null) {
            return new Wait(
                    "tenant " + task.getTenant() + " is not registered on the tenants topic",
                    Long.MAX_VALUE);
        }
        String refused = refusedCapability(task, tenant);
        if (refused != null) {
            return new Reject(refused);
        }
        Ledger.roll(ledger, now);
        String spent = spentBudget(tenant, ledger, now);
        if (spent != null) {
            return new Reject(spent);
        }
        if (task.getRootId() != null) {
            return ADMIT;
        }
        if (tenant.getMaxInFlight() != null && ledger.getInFlight() >= tenant.getMaxInFlight()) {
            return new Wait(
                    "tenant "
                            + tenant.getTenant()
                            + " has "
                            + ledger.getInFlight()
                            + " tasks in flight, its maxInFlight",
                    Long.MAX_VALUE);
        }
        if (tenant.getTasksPerSecond() != null) {
            long next = Ledger.nextToken(ledger, tenant, now);
            if (next > now) {
                return new Wait(
                        "tenant "
                                + tenant.getTenant()
                                + " is over its rate of "
                                + number(tenant.getTasksPerSecond())
                                + " tasks per second (burst "
                                + Ledger.burst(tenant)
                                + ")",
                        next);
            }
            Ledger.take(ledger, tenant, now);
        }
        ledger.setInFlight(ledger.getInFlight() + 1);
        return ADMIT;
    }

    /** The reason given to a task whose deadline passed before it could start. */
    static String pastDeadline(long deadline) {
        return "the deadline "
                + java.time.Instant.ofEpochMilli(deadline)
                + " passed before the task could start; no agent was called";
    }

    /** Why the tenant may not ask for what the task asks for; null when it may. */
    static String refusedCapability(Task task, Tenant tenant) {
        List<String> allowed = tenant.getCapabilities();
        if (allowed.isEmpty()) {
            return null;
        }
        for (String capability : AnalysisPolicy.capabilitiesAsked(task)) {
            if (!allowed.contains(capability)) {
                return "tenant "
                        + tenant.getTenant()
                        + " may not ask for '"
                        + capability
                        + "'; it may ask for "
                        + allowed;
            }
        }
        return null;
    }

    /** The first budget that is spent, with what was spent and the window; null when none is. */
    static String spentBudget(Tenant tenant, TenantLedger ledger, long now) {
        Double day = tenant.getBudgetUsdPerDay();
        if (day != null && ledger.getDayUsd() >= day) {
            return over(
                    tenant, usd(ledger.getDayUsd()), usd(day) + " budget", UtcWindows.dayName(now));
        }
        Double month = tenant.getBudgetUsdPerMonth();
        if (month != null && ledger.getMonthUsd() >= month) {
            return over(
                    tenant,
                    usd(ledger.getMonthUsd()),
                    usd(month) + " budget",
                    UtcWindows.monthName(now));
        }
        Long tokens = tenant.getTokensPerDay();
        if (tokens != null && ledger.getDayTokens() >= tokens) {
            return over(
                    tenant,
                    ledger.getDayTokens() + " tokens",
                    tokens + " tokens",
                    UtcWindows.dayName(now));
        }
        return null;
    }

    private static String over(Tenant tenant, String spent, String budget, String window) {
        return "tenant "
                + tenant.getTenant()
                + " spent "
                + spent
                + " of its "
                + budget
                + " for the "
                + window
                + "; the task was not started";
    }

    /** USD with up to six decimals, as results and the command line print it. */
    public static String usd(double value) {
        return number(value) + " USD";
    }

    static String number(double value) {
        String text = String.format(Locale.ROOT, "%.6f", value);
        text = text.replaceAll("0+$", "");
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }
}
