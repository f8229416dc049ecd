package io.hivestream.operators.admit;

import io.hivestream.schemas.AgentEvent;

/**
 * Whether one more call may start for a task, given what the task has spent and its {@code
 * budgetUsd} (which the admit stage caps at what the tenant has left). A call is not started when
 * its estimated price, input tokens at the input price plus the most output tokens it may return at
 * the output price, would bring the task's spend over its budget; exactly reaching it is allowed.
 * The actual cost is booked after the call.
 *
 * <p>Keeping every call's estimate within the budget is what bounds a task's overspend by one
 * call's price: only the difference between a call's estimate and its actual cost can cross it.
 *
 * <p>One instance per task in flight, in the execute stage's state: replicas, retries, fallbacks,
 * escalations and a plan's steps all draw from it.
 */
public final class CallBudget {
    private final Double budgetUsd;
    private double spentUsd;

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
     * @param maxOutputTokens the most tokens the call may return: the agent's {@code maxTokens} or
     *     the runtime's default
     */
    public static double estimate(AgentEvent agent, long inputTokens, long maxOutputTokens) {
        return inputTokens / 1000.0 * agent.getCostPer1kInputTokens()
                + maxOutputTokens / 1000.0 * agent.getCostPer1kOutputTokens();
    }

    /** A prompt's tokens as the estimate counts them: one per four characters, rounded up. */
    public static long inputTokens(String prompt) {
        return (prompt.length() + 3) / 4;
    }

    /** Why a call of this estimated price may not start; null when it may. */
    public String refusal(String agentId, double estimateUsd) {
        if (budgetUsd == null || spentUsd + estimateUsd <= budgetUsd) {
            return null;
        }
        return "the call to "
                + agentId
                + " was not started: its estimated price of "
                + Admission.usd(estimateUsd)
                + " would bring the task's spend from "
                + Admission.usd(spentUsd)
                + " over its budget of "
                + Admission.usd(budgetUsd);
    }

    /** Books what a call actually cost. */
    public void book(double costUsd) {
        spentUsd += costUsd;
    }

    public double spentUsd() {
        return spentUsd;
    }
}
