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
 *
 * <p>A task with a limit of its own (its {@code budgetUsd}, or its tenant's {@code maxUsdPerTask})
 * under a tenant with a USD budget is held that much of what the budget has left while it runs: it
 * waits until its whole share is free of the shares of the tasks in flight, or gets what is left
 * when less than its share is. The execute stage makes none of its calls that would cross its
 * share, so the tasks in flight together never spend more than the budget leaves.
 */
public final class Admission {
    private Admission() {}

    /** What to do with a task. */
    public sealed interface Decision permits Admit, Wait, Reject, TimedOut {}

    /**
     * Start the task; the ledger has counted it.
     *
     * @param reservedUsd what the ledger holds for the task, which is then its budget; null: none
     */
    public record Admit(Double reservedUsd) implements Decision {}

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

    private static final Admit ADMIT = new Admit(null);

    /** How close to zero a USD amount counts as nothing: sums of prices are not exact. */
    static final double ROUNDING = 1e-12;

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
        Double share = share(task, tenant, ledger);
        // A share is set only under a USD budget, so there is what is left to hold it against.
        double left = share == null ? 0 : Ledger.remainingUsd(ledger, tenant);
        if (share != null
                && share + ledger.getReservedUsd() > left + Math.max(ROUNDING, left * 1e-12)) {
            return new Wait(
                    "tenant "
                            + tenant.getTenant()
                            + " has "
                            + usd(left)
                            + " left and its tasks in flight hold "
                            + usd(ledger.getReservedUsd())
                            + " of it; the task needs "
                            + usd(share),
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
        if (share == null) {
            return ADMIT;
        }
        ledger.setReservedUsd(ledger.getReservedUsd() + share);
        return new Admit(share);
    }

    /**
     * What a task is held of its tenant's budget while it runs: its own limit ({@code budgetUsd},
     * or the tenant's {@code maxUsdPerTask}, whichever is less), or what the budget has left when
     * that is less. Null when nothing is held: the tenant has no USD budget, or neither limit is
     * set.
     */
    static Double share(Task task, Tenant tenant, TenantLedger ledger) {
        Double remaining = Ledger.remainingUsd(ledger, tenant);
        Double own = task.getBudgetUsd();
        Double perTask = tenant.getMaxUsdPerTask();
        if (remaining == null || (own == null && perTask == null)) {
            return null;
        }
        double limit = own == null ? perTask : perTask == null ? own : Math.min(own, perTask);
        return Math.min(limit, remaining);
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
