package io.hivestream.operators.cache;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whether a task's answer may come from the response cache: {@code exact} (an earlier answer to the
 * same request, byte for byte), {@code semantic} (also an earlier answer to a request of the same
 * class whose input means the same, see {@link SemanticCache}) or {@code off}.
 */
public enum CacheMode {
    OFF,
    EXACT,
    SEMANTIC;

    /** The task metadata entry that chooses the mode for one task. */
    public static final String METADATA_KEY = "cache";

    /**
     * The values a task, a tenant or the job's default may name, as the error messages list them.
     */
    public static final String ALLOWED = "exact, semantic or off";

    /**
     * The mode a value names, case and surrounding blanks ignored.
     *
     * @param setting what named it, for the error message
     * @throws IllegalArgumentException for any other value
     */
    public static CacheMode parse(String setting, String value) {
        CacheMode mode = named(value);
        if (mode == null) {
            throw new IllegalArgumentException(problem(setting, value));
        }
        return mode;
    }

    /** What is wrong with a task's {@value #METADATA_KEY} entry, if anything; for the decoder. */
    public static List<String> problems(Map<String, String> metadata) {
        String value = metadata.get(METADATA_KEY);
        if (value == null || named(value) != null) {
            return List.of();
        }
        return List.of(problem(METADATA_KEY, value));
    }

    /** The mode the task's metadata chooses; null when it chooses none or names no mode. */
    static CacheMode ofMetadata(Map<String, String> metadata) {
        String value = metadata.get(METADATA_KEY);
        return value == null ? null : named(value);
    }

    private static CacheMode named(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "exact" -> EXACT;
            case "semantic" -> SEMANTIC;
            case "off" -> OFF;
            default -> null;
        };
    }

    private static String problem(String setting, String value) {
        return setting + " is '" + value + "'; must be " + ALLOWED;
    }
}
