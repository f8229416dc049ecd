package io.hivestream.operators.execute;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.Analysis;
import io.hivestream.schemas.internal.Turn;
import java.util.List;

/**
 * One call to one agent.
 *
 * @param task the task, as published
 * @param analysis what the analyser decided
 * @param agent the agent's registry record
 * @param replica which replica of the task this call answers (0 unless consensus)
 * @param attempt 1 for the first call of this replica, counting retries and fallbacks
 * @param history the earlier turns of the task's session, oldest first (empty without memory)
 * @param allowedTools the tools the task's tenant may use in ReAct steps; null allows every tool
 */
public record AgentCall(
        Task task,
        Analysis analysis,
        AgentEvent agent,
        int replica,
        int attempt,
        List<Turn> history,
        List<String> allowedTools) {

    public AgentCall {
        history = history == null ? List.of() : List.copyOf(history);
        allowedTools = allowedTools == null ? null : List.copyOf(allowedTools);
    }

    /** A call without session memory that may use any tool. */
    public AgentCall(Task task, Analysis analysis, AgentEvent agent, int replica, int attempt) {
        this(task, analysis, agent, replica, attempt, List.of(), null);
    }
}
