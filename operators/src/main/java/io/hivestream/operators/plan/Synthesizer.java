package io.hivestream.operators.plan;

import io.hivestream.schemas.internal.Plan;
import java.io.Serializable;

/** Makes a plan's answer from the results of its completed steps. */
@FunctionalInterface
public interface Synthesizer extends Serializable {
    /** The root task's output, or null when no step has completed. */
    String synthesize(Plan plan);
}
