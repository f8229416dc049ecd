package io.hivestream.operators.execute;

import io.hivestream.schemas.AgentEvent;
import java.io.Serializable;

/**
 * Creates the runtime for an agent's registry record. Shipped with the job graph, so it holds no
 * secrets: runtimes read API keys themselves when created on the TaskManager.
 */
public interface AgentRuntimeFactory extends Serializable {
    /**
     * @throws IllegalArgumentException when the record names a runtime this job cannot run
     */
    AgentRuntime create(AgentEvent agent);
}
