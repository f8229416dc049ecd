package io.hivestream.operators.plan;

import io.hivestream.schemas.Task;
import java.io.Serializable;
import java.util.List;
import java.util.Set;

/**
 * Splits a task into a plan: steps with roles, capabilities and dependencies that form a DAG. The
 * aggregate stage validates every plan ({@link PlanValidator}) before it releases a step, so a
 * planner may be anything from a fixed template to an agent.
 */
public interface Planner extends Serializable {

    /**
     * The plan for a task, steps in an order where each comes after its dependencies.
     *
     * @throws IllegalArgumentException when the task cannot be planned, with the reason
     */
    List<Step> plan(Task task);

    /** The capabilities this planner's steps may ask for; the validator refuses others. */
    Set<String> capabilities();

    /**
     * One step of a plan.
     *
     * @param id unique within the plan; letters, digits, '-' and '_'
     * @param role what the step's agent acts as (architect, coder, ...); its system prompt comes
     *     from {@link RolePrompts}
     * @param kind the subtask's kind
     * @param capabilities what an agent must offer to do the step
     * @param dependsOn the ids of the steps whose results this step needs
     * @param instruction what the step asks, before the task and the earlier results; {@code
     *     {{ID}}} stands for the output of step ID, one of its dependencies
     * @param replicas how many agents answer the step (they vote when more than one)
     * @param quorum how many of them must agree; null: a majority
     */
    record Step(
            String id,
            String role,
            String kind,
            List<String> capabilities,
            List<String> dependsOn,
            String instruction,
            int replicas,
            Integer quorum) {
        public Step {
            capabilities = List.copyOf(capabilities);
            dependsOn = List.copyOf(dependsOn);
        }

        /** A step one agent answers. */
        public Step(
                String id,
                String role,
                String kind,
                List<String> capabilities,
                List<String> dependsOn,
                String instruction) {
            this(id, role, kind, capabilities, dependsOn, instruction, 1, null);
        }
    }
}
