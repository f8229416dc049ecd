package io.hivestream.operators.cache;

import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.AnalyzedTask;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * Which tasks the response cache serves: the mode a task asks for in its metadata ({@value
 * CacheMode#METADATA_KEY}), else its tenant's, else the job's default; and, of the tasks in {@link
 * CacheMode#EXACT} mode, only those whose answer depends on the request alone:
 *
 * <ul>
 *   <li>no session: a turn's call carries the session's memory, which only the execute stage has,
 *       so two equal turns are not equal requests;
 *   <li>one agent answering (strategy {@code DIRECT}, one replica): the replicas of a vote must
 *       answer independently, and a plan is not answered by a call.
 * </ul>
 *
 * The analyse stage asks {@link #key} once per task and keeps the answer in the analysed task, so
 * the route and execute stages key by it without hashing again.
 */
public final class CachePolicy implements Serializable {
    private static final long serialVersionUID = 1L;

    private final CacheMode defaultMode;
    private final Map<String, CacheMode> tenants;
    private final boolean semantic;

    /**
     * @param defaultMode the mode of a task that names none and whose tenant has none
     * @param tenants each tenant's mode for its tasks that name none
     */
    public CachePolicy(CacheMode defaultMode, Map<String, CacheMode> tenants) {
        this(defaultMode, tenants, false);
    }

    /**
     * @param semantic whether the job runs the semantic cache stage; without it a task in {@link
     *     CacheMode#SEMANTIC} mode is served by the exact cache alone
     */
    public CachePolicy(CacheMode defaultMode, Map<String, CacheMode> tenants, boolean semantic) {
        this.defaultMode = defaultMode;
        this.tenants = new HashMap<>(tenants);
        this.semantic = semantic;
    }

    /** The same policy with the semantic cache stage on or off. */
    public CachePolicy withSemantic(boolean on) {
        return new CachePolicy(defaultMode, tenants, on);
    }

    /** Nothing cached unless a task asks for it. */
    public static CachePolicy off() {
        return new CachePolicy(CacheMode.OFF, Map.of());
    }

    /**
     * The policy of the job's options.
     *
     * @param defaultSetting the option that names the default, for error messages
     * @param tenantsSetting the option that names the tenants' modes, for error messages
     * @throws IllegalArgumentException for a value that names no mode
     */
    public static CachePolicy parse(
            String defaultSetting,
            String defaultMode,
            String tenantsSetting,
            Map<String, String> tenantModes) {
        Map<String, CacheMode> tenants = new HashMap<>();
        tenantModes.forEach(
                (tenant, mode) ->
                        tenants.put(
                                tenant.strip(),
                                CacheMode.parse(tenantsSetting + " for tenant " + tenant, mode)));
        return new CachePolicy(CacheMode.parse(defaultSetting, defaultMode), tenants);
    }

    /** The mode of the task: its metadata's, else its tenant's, else the default. */
    public CacheMode mode(Task task) {
        CacheMode asked = CacheMode.ofMetadata(task.getMetadata());
        if (asked != null) {
            return asked;
        }
        return tenants.getOrDefault(task.getTenant(), defaultMode);
    }

    /** Whether the analysed task's answer may come from, and go to, the cache. */
    public boolean cacheable(AnalyzedTask task) {
        Task t = task.getTask();
        return t.getSessionId() == null
                && t.getRootId() == null
                && task.getAnalysis().getReplicas() == 1
                && task.getAnalysis().getStrategy() == Strategy.DIRECT
                && mode(t) != CacheMode.OFF;
    }

    /**
     * The task's cache key ({@link CacheKeys#of}) when it is cacheable, else null. A task in
     * semantic mode has one too: an exact repeat is the closest paraphrase.
     */
    public String key(AnalyzedTask task) {
        return cacheable(task) ? CacheKeys.of(task.getTask()) : null;
    }

    /**
     * The task's semantic class ({@link CacheKeys#classOf}) when it is cacheable in semantic mode
     * and the job runs the semantic cache stage, else null.
     */
    public String semanticClass(AnalyzedTask task) {
        return semantic && cacheable(task) && mode(task.getTask()) == CacheMode.SEMANTIC
                ? CacheKeys.classOf(task.getTask())
                : null;
    }
}
