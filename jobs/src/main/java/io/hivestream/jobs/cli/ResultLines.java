package io.hivestream.jobs.cli;

import io.hivestream.operators.plan.Plans;
import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import java.util.Locale;

/** One human-readable line per result. */
final class ResultLines {
    private ResultLines() {}

    static String line(TaskResult result) {
        StringBuilder line = new StringBuilder();
        line.append(
                String.format(
                        Locale.ROOT,
                        "%-12s %-24s %-10s ",
                        result.getStatus(),
                        result.getTaskId(),
                        result.getKind()));
        if (result.getStatus() == TaskStatus.COMPLETED) {
            line.append("→ ").append(oneLine(result.getOutput(), 60));
        } else {
            line.append("✗ ").append(oneLine(result.getError(), 90));
        }
        line.append("  [");
        if (!result.getAgents().isEmpty()) {
            line.append(String.join(",", result.getAgents()));
        } else if (!result.getAnswers().isEmpty()) {
            line.append(
                    result.getAnswers().stream()
                            .map(AgentAnswer::getAgentId)
                            .reduce((a, b) -> a + "," + b)
                            .orElse(""));
        }
        if (result.getAgreement() != null) {
            line.append(String.format(Locale.ROOT, " agree %.0f%%", 100 * result.getAgreement()));
        }
        // The analysed tier, then the tier of the agent that answered: they differ when a task
        // fell back, escalated or found no agent of its own tier.
        if (result.getTier() != null) {
            line.append(' ').append(result.getTier()).append(" task");
        }
        if (result.getAgentTier() != null) {
            line.append(result.getTier() != null ? ", " : " ")
                    .append(result.getAgentTier())
                    .append(" agent");
        } else if (!result.getSubtasks().isEmpty()) {
            // A plan's root: its agents are its steps'; say how the plan went instead.
            line.append(result.getTier() != null ? ", " : " ")
                    .append("plan of ")
                    .append(result.getSubtasks().size())
                    .append(" subtasks");
            String replans = result.getMetadata().get(Plans.REPLANS);
            if (replans != null && !replans.equals("0")) {
                line.append(", ").append(replans).append(" re-planned");
            }
        }
        line.append(
                String.format(
                        Locale.ROOT, " %d ms $%.6f", result.getLatencyMs(), result.getCostUsd()));
        if (result.getSimulated()) {
            line.append(" simulated");
        }
        if (result.getAnswers().stream().anyMatch(AgentAnswer::getCached)) {
            line.append(" cached");
        }
        return line.append(']').toString();
    }

    private static String oneLine(String text, int max) {
        if (text == null) {
            return "";
        }
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() <= max ? flat : flat.substring(0, max - 1) + "…";
    }
}
