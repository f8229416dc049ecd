package io.hivestream.operators.admit;

import io.hivestream.schemas.AgentEvent;

/**
 * Whether one more call may start for a task, given what the task has spent, what its calls in
 * flight may still cost, and its {@code budgetUsd} (which the admit stage caps at what the tenant
 * has left, and a plan splits among its subtasks). A call is not started when its estimated price,
 * input tokens at the input price plus the most output tokens it may return at the output price,
 * would bring the task's spend over its budget; exactly reaching it is allowed. A call that starts
 * reserves its estimate until it ends; then its actual cost is booked instead.
 *
 * <p>Keeping every call's estimate within the budget is what bounds a task's overspend by one
 * call's price: only the difference between a call's estimate and its actual cost can cross it.
 *
 * <p>One instance per task in flight, in the execute stage: replicas, retries, fallbacks and
 * escalations all draw from it. Not thread-safe: the operator's mailbox thread owns it.
 */
public final class CallBudget {
    /** The most output tokens a call is counted for when its agent sets no {@code maxTokens}. */
    public static final long DEFAULT_OUTPUT_TOKENS = 1024;

    private final Double budgetUsd;
    private double spentUsd;
    private double reservedUsd;

    /**
     * @param budgetUsd what may be spent for the task; null: no limit
     * @param spentUsd what was already spent for it
     */
    public CallBudget(Double budgetUsd, double spentUsd) {
        this.budgetUsd = budgetUsd;
        this.spentUsd = spentUsd;
    }

    /**
     * The estimated price of a call.
     *
     * @param inputTokens the prompt's tokens (see {@link #inputTokens})
     * @param maxOutputTokens the most tokens the call may return (see {@link #outputTokens})
     */
    public static double estimate(AgentEvent agent, long inputTokens, long maxOutputTokens) {
        return inputTokens / 1000.0 * agent.getCostPer1kInputTokens()
                + maxOutputTokens / 1000.0 * agent.getCostPer1kOutputTokens();
    }

    /** The estimated price of a call of {@code agent} with {@code prompt}. */
    public static double estimate(AgentEvent agent, String prompt) {
        return estimate(agent, inputTokens(prompt), outputTokens(agent));
    }

    /** A prompt's tokens as the estimate counts them: one per four characters, rounded up. */
    public static long inputTokens(String prompt) {
        return (prompt.length() + 3) / 4;
    }

    /** The most tokens a call of {@code agent} may return: its {@code maxTokens}, or 1,024. */
    public static long outputTokens(AgentEvent agent) {
        return agent.getMaxTokens() != null ? agent.getMaxTokens() : DEFAULT_OUTPUT_TOKENS;
    }

    /** Whether the task has a budget at all; without one every call may start. */
    public boolean limited() {
        return budgetUsd != null;
    }

    /** Why a call of this estimated price may not start; null when it may. */
    public String refusal(String agentId, double estimateUsd) {
        double committed = spentUsd + reservedUsd;
        if (budgetUsd == null || committed + estimateUsd <= budgetUsd + Admission.ROUNDING) {
            return null;
        }
        return "the call to "
                + agentId
                + " was not started: its estimated price of "
                + Admission.usd(estimateUsd)
                + " would bring the task's spend from "
                + Admission.usd(committed)
                + (reservedUsd > 0 ? " (calls in flight included)" : "")
                + " over its budget of "
                + Admission.usd(budgetUsd);
    }

    /** A call of this estimated price starts: its estimate is held until it ends. */
    public void reserve(double estimateUsd) {
        reservedUsd += estimateUsd;
    }

    /** A call that reserved {@code estimateUsd} ended and cost {@code costUsd}. */
    public void settle(double estimateUsd, double costUsd) {
        reservedUsd = Math.max(0, reservedUsd - estimateUsd);
        spentUsd += costUsd;
    }

    /** Books what a call that reserved nothing cost (one replayed after a restore). */
    public void book(double costUsd) {
        spentUsd += costUsd;
    }

    public double spentUsd() {
        return spentUsd;
    }

    public double reservedUsd() {
        return reservedUsd;
    }
}
