package io.hivestream.operators.execute;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.Analysis;

/**
 * One call to one agent.
 *
 * @param task the task, as published
 * @param analysis what the analyser decided
 * @param agent the agent's registry record
 * @param replica which replica of the task this call answers (0 unless consensus)
 * @param attempt 1 for the first call of this replica, counting fallbacks
 */
public record AgentCall(Task task, Analysis analysis, AgentEvent agent, int replica, int attempt) {}
