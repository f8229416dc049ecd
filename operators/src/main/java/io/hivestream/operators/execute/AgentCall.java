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
 * @param steps the journal of the call's ReAct steps: a runtime replays the steps it finds there
 *     and journals each step whose reply asks for tools
 */
public record AgentCall(
        Task task,
        Analysis analysis,
        AgentEvent agent,
        int replica,
        int attempt,
        List<Turn> history,
        List<String> allowedTools,
        StepJournal steps) {

    public AgentCall {
        history = history == null ? List.of() : List.copyOf(history);
        allowedTools = allowedTools == null ? null : List.copyOf(allowedTools);
        steps = steps == null ? StepJournal.NONE : steps;
    }

    /** A call whose steps are not journaled. */
    public AgentCall(
            Task task,
            Analysis analysis,
            AgentEvent agent,
            int replica,
            int attempt,
            List<Turn> history,
            List<String> allowedTools) {
        this(task, analysis, agent, replica, attempt, history, allowedTools, StepJournal.NONE);
    }

    /** A call without session memory that may use any tool. */
    public AgentCall(Task task, Analysis analysis, AgentEvent agent, int replica, int attempt) {
        this(task, analysis, agent, replica, attempt, List.of(), null);
    }

    /**
     * The steps of a ReAct tool loop, journaled as they complete so that a call made again after a
     * restore resumes from its last journaled step instead of paying for the earlier ones again.
     * Called from the runtime's threads.
     */
    public interface StepJournal {
        /**
         * The provider's reply to step {@code step} (1 for the first) journaled earlier, or null.
         */
        String replayed(int step);

        /**
         * Journals the provider's reply to step {@code step}, which asked for tools, with the
         * step's own usage.
         */
        void record(int step, String reply, long tokensIn, long tokensOut);

        StepJournal NONE =
                new StepJournal() {
                    @Override
                    public String replayed(int step) {
                        return null;
                    }

                    @Override
                    public void record(int step, String reply, long tokensIn, long tokensOut) {}
                };
    }
}
