package io.hivestream.operators.plan;

import io.hivestream.schemas.internal.Plan;
import io.hivestream.schemas.internal.PlanStep;

/**
 * A deterministic synthesis: the outputs of the completed steps in plan order, each headed by the
 * step's role, separated by blank lines.
 */
public final class MergeSynthesizer implements Synthesizer {
    private static final long serialVersionUID = 1L;

    @Override
    public String synthesize(Plan plan) {
        StringBuilder merged = new StringBuilder();
        for (PlanStep step : plan.getSteps()) {
            if (Plans.completed(step)) {
                if (merged.length() > 0) {
                    merged.append("\n\n");
                }
                merged.append('[')
                        .append(step.getRole())
                        .append("] ")
                        .append(step.getResult().getOutput());
            }
        }
        return merged.length() == 0 ? null : merged.toString();
    }
}
