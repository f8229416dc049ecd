package io.hivestream.operators.execute;

import io.hivestream.operators.StateTtl;
import io.hivestream.operators.cache.CacheBudget;
import io.hivestream.operators.cache.CacheKeys;
import io.hivestream.operators.cache.CachePolicy;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.CachedAnswer;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import java.time.Clock;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * The execute stage's response cache, in keyed state under a cache key only ({@code c/TENANT/HASH}:
 * {@link CachePolicy}): each agent's answer to the key's request, by the agent's fingerprint
 * ({@link CacheKeys#agent}), until {@link ExecuteSettings#cacheTtl()} after the call that gave it,
 * as far as {@link ExecuteSettings#cacheMaxEntries()} allows ({@link CacheBudget}). Used under the
 * current key.
 */
final class ResponseCache {
    static final String STATE = "response-cache";

    private final MapState<String, CachedAnswer> responses;
    private final CacheBudget budget;
    private final Clock clock;
    private final ExecuteMetrics metrics;

    ResponseCache(
            RuntimeContext context, ExecuteSettings settings, Clock clock, ExecuteMetrics metrics) {
        MapStateDescriptor<String, CachedAnswer> descriptor =
                new MapStateDescriptor<>(
                        STATE, Types.STRING, new AvroTypeInfo<>(CachedAnswer.class));
        // Counted from the call that gave the answer: a hit does not make it live longer.
        descriptor.enableTimeToLive(StateTtl.afterWrite(settings.cacheTtl()));
        this.responses = context.getMapState(descriptor);
        this.budget = new CacheBudget(settings.cacheTtl().toMillis(), settings.cacheMaxEntries());
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * The reply to a request under a cache key, from the first agent of its chain with a cached
     * answer that would not escalate; null when there is none, or when {@code key} is not a cache
     * key (requests under other keys never look).
     */
    CallReply reply(String key, CallRequest request) throws Exception {
        if (!CacheKeys.isCacheKey(key)) {
            return null;
        }
        for (AgentEvent agent : request.getChain()) {
            CachedAnswer cached = responses.get(CacheKeys.agent(agent));
            if (cached != null && !ReplicaCall.escalates(request, agent, cached.getConfidence())) {
                Task task = request.getTask().getTask();
                Metric metric = CallMetrics.cached(task, cached, clock.millis());
                metrics.cacheHit(cached.getCostUsd());
                return Replies.of(request, CachedAnswers.answer(agent, cached), List.of(metric));
            }
        }
        metrics.cacheMisses.inc();
        return null;
    }

    /** Keeps what {@code agent} answered to {@code task}, the call having cost {@code costUsd}. */
    void store(Task task, AgentEvent agent, AgentReply reply, double costUsd) throws Exception {
        if (!CachedAnswers.storable(reply)) {
            return;
        }
        long now = clock.millis();
        if (!budget.tryStore(now)) {
            metrics.cacheFull.inc();
            return;
        }
        responses.put(
                CacheKeys.agent(agent), CachedAnswers.entry(task, agent, reply, costUsd, now));
        metrics.cacheStored.inc();
    }
}
