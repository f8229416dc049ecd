package io.hivestream.connectors.agents;

import io.hivestream.operators.plan.Plans;
import io.hivestream.operators.plan.RolePrompts;
import io.hivestream.schemas.Task;

/**
 * A deterministic synthesizer for the demo and tests: it answers a synthesis subtask (role {@value
 * RolePrompts#SYNTHESIZER}) with {@code "Answer to: "} and the root task's text (metadata {@value
 * Plans#TASK}, else the subtask's input), then, for each step id in metadata {@value Plans#STEPS}
 * (comma-separated, in plan order), a new line with {@code "- "} and that step's output (metadata
 * {@code context.ID}). A listed step without an output is left out.
 */
public final class SimulatedSynthesis {
    private SimulatedSynthesis() {}

    public static String answer(Task task) {
        String text = task.getMetadata().getOrDefault(Plans.TASK, task.getInput());
        StringBuilder answer = new StringBuilder("Answer to: ").append(text);
        String steps = task.getMetadata().get(Plans.STEPS);
        if (steps != null) {
            for (String id : steps.split(",")) {
                String output = task.getMetadata().get(Plans.CONTEXT + id.strip());
                if (!id.isBlank() && output != null) {
                    answer.append("\n- ").append(output);
                }
            }
        }
        return answer.toString();
    }
}
