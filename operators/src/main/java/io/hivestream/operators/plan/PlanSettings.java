package io.hivestream.operators.plan;

import java.io.Serializable;
import java.util.Locale;

/**
 * How plans are made.
 *
 * @param planner who plans
 * @param maxReplans how many times a plan may be re-planned after a failed step before it fails
 * @param roles the system prompts of the roles
 * @param maxInputChars the longest input a task may have: a subtask's input, with the outputs it
 *     quotes, is cut to fit it
 */
public record PlanSettings(Mode planner, int maxReplans, RolePrompts roles, int maxInputChars)
        implements Serializable {

    /** Who plans a task to decompose. */
    public enum Mode {
        /**
         * A planner agent when the agents in rotation offer {@code plan} (or none is known yet);
         * else, or when no planner answers, the templates.
         */
        AUTO,
        /** Always a planner agent; the task fails when planning does. */
        AGENT,
        /** Always the templates ({@link TemplatePlanner}). */
        TEMPLATE;

        public static Mode parse(String setting, String value) {
            try {
                return valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        setting + " is '" + value + "'; use auto, agent or template", e);
            }
        }
    }

    public static final int DEFAULT_MAX_REPLANS = 1;

    /** A task's longest input, by default ({@code hivestream.validate.max-input-chars}). */
    public static final int DEFAULT_MAX_INPUT_CHARS = 200_000;

    /** The templates only, with no re-plan. */
    public static final PlanSettings TEMPLATES =
            new PlanSettings(Mode.TEMPLATE, 0, RolePrompts.builtIn(), DEFAULT_MAX_INPUT_CHARS);

    public PlanSettings {
        if (maxReplans < 0) {
            throw new IllegalArgumentException("maxReplans must not be negative: " + maxReplans);
        }
        if (maxInputChars < 100) {
            throw new IllegalArgumentException(
                    "maxInputChars must be at least 100: " + maxInputChars);
        }
    }
}
