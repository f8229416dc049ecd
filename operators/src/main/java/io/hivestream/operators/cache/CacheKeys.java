package io.hivestream.operators.cache;

import io.hivestream.operators.lineage.Canonical;
import io.hivestream.operators.lineage.TaskHash;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What makes two requests the same for the response cache, and two agents the same answerer. Plain
 * functions over the canonical bytes of {@link Canonical} (length-prefixed, sorted maps), hashed
 * with SHA-256.
 *
 * <p>A request's key covers everything of the task that shapes what an agent is asked before an
 * agent is chosen: tenant, kind, capabilities (sorted: their order means nothing), role, tier,
 * input and the metadata entries other than {@value CacheMode#METADATA_KEY} itself and the record's
 * hash that signed results carry. It is the key of the route and execute stages for the task
 * ({@code c/TENANT/HASH}), so identical requests meet at one execute instance and key, where the
 * cache and the one-task-at-a-time queue are.
 *
 * <p>An agent's fingerprint covers the fields of its record that shape its request: id, runtime,
 * model, base URL, max tokens and params (the system prompt, tools and sampling settings live
 * there). A re-registered agent with other such fields has another fingerprint, so the answers its
 * earlier self gave are not served for it; price, tier, concurrency and the like do not count.
 */
public final class CacheKeys {
    /** The prefix of a cache key, next to {@code s/} (session) and {@code t/} (task). */
    public static final String PREFIX = "c/";

    static final String REQUEST = "hivestream/cache-request/1";
    static final String AGENT = "hivestream/cache-agent/1";
    static final String CLASS = "hivestream/cache-class/1";

    private CacheKeys() {}

    /** The key of the task's request: {@code c/TENANT/SHA256}. */
    public static String of(Task task) {
        return PREFIX + task.getTenant() + "/" + shape(new Canonical(REQUEST), task, true);
    }

    /**
     * The task's class for the semantic cache: everything of the key but the input ({@code
     * TENANT/SHA256}); an answer to another input of the same class may serve it.
     */
    public static String classOf(Task task) {
        return task.getTenant() + "/" + shape(new Canonical(CLASS), task, false);
    }

    private static String shape(Canonical bytes, Task task, boolean withInput) {
        List<String> capabilities = new ArrayList<>(task.getCapabilities().size());
        task.getCapabilities().forEach(c -> capabilities.add(c.toString()));
        capabilities.sort(null);
        Map<String, String> metadata = new TreeMap<>();
        task.getMetadata()
                .forEach(
                        (k, v) -> {
                            if (shapesTheRequest(k.toString())) {
                                metadata.put(k.toString(), v.toString());
                            }
                        });
        bytes.str(task.getTenant())
                .str(task.getKind())
                .strs(capabilities)
                .optStr(task.getRole())
                .optEnum(task.getTier());
        if (withInput) {
            bytes.str(task.getInput());
        }
        return bytes.map(metadata).sha256();
    }

    /**
     * Whether a metadata entry counts: not the cache mode, and not the hash of the task's record
     * that the decode stage adds for signed results ({@link TaskHash#KEY}), which differs for every
     * record.
     */
    private static boolean shapesTheRequest(String metadataKey) {
        return !CacheMode.METADATA_KEY.equals(metadataKey) && !TaskHash.KEY.equals(metadataKey);
    }

    /** Whether a key of the route and execute stages is a cache key: a cheap prefix test. */
    public static boolean isCacheKey(String key) {
        return key.startsWith(PREFIX);
    }

    /** The agent's fingerprint: the hash of the fields of its record that shape its request. */
    public static String agent(AgentEvent agent) {
        Canonical bytes =
                new Canonical(AGENT)
                        .str(agent.getAgentId())
                        .str(agent.getRuntime())
                        .optStr(agent.getModel())
                        .optStr(agent.getBaseUrl());
        Integer maxTokens = agent.getMaxTokens();
        if (maxTokens == null) {
            bytes.u8(0);
        } else {
            bytes.u8(1).u32(maxTokens);
        }
        return bytes.map(agent.getParams()).sha256();
    }
}
