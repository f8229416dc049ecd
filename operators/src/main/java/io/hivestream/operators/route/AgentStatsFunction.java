package io.hivestream.operators.route;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.AgentEventType;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.codec.FastCoders;
import io.hivestream.schemas.internal.AgentStats;
import io.hivestream.schemas.internal.AgentView;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keyed by agent id. Owns, per agent, its current record (from the agents topic) and its {@link
 * AgentStats} (from the call and reputation metrics read back from the metrics topic), and the
 * agent's two processing-time timers: the heartbeat deadline, after which an agent that opted in to
 * heartbeats leaves the rotation, and the next publication of changed statistics.
 *
 * <p>Emits an {@link AgentView} at once when the registry or an agent's health changes, and at most
 * once per {@code publishInterval} when only its statistics changed. A retired agent's state and
 * timers are removed; statistics of an agent that never registers are dropped after {@link
 * #ORPHAN_RETENTION}.
 */
public final class AgentStatsFunction
        extends KeyedCoProcessFunction<String, AgentEvent, Metric, AgentView> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AgentStatsFunction.class);

    public static final int DEFAULT_MISSED_HEARTBEATS = 3;
    public static final Duration DEFAULT_PUBLISH_INTERVAL = Duration.ofSeconds(1);

    /** How long metrics of an agent with no record are kept, waiting for its registration. */
    public static final Duration ORPHAN_RETENTION = Duration.ofHours(1);

    private final AgentStatistics statistics;
    private final int missedHeartbeats;
    private final Duration publishInterval;
    private final Clock clock;

    private transient ValueState<AgentEvent> agent;
    private transient ValueState<AgentStats> stats;

    /**
     * What {@link #stats} holds for each agent of this instance that was read or written since it
     * opened: every write goes through {@link #store} or {@link #forget}, so a call's metric does
     * not read and deserialise the agent's statistics from RocksDB again. The records are never
     * changed in place ({@link AgentStatistics} copies what it changes).
     */
    private transient Map<String, AgentStats> cached;

    private transient Counter expired;

    /**
     * @param missedHeartbeats heartbeat intervals an agent may miss before it leaves the rotation
     * @param publishInterval the least time between two views of an agent whose statistics changed;
     *     zero publishes every change
     */
    public AgentStatsFunction(
            AgentStatistics statistics,
            int missedHeartbeats,
            Duration publishInterval,
            Clock clock) {
        if (missedHeartbeats < 1) {
            throw new IllegalArgumentException(
                    "missedHeartbeats must be at least 1: " + missedHeartbeats);
        }
        if (publishInterval.isNegative()) {
            throw new IllegalArgumentException(
                    "publishInterval must not be negative: " + publishInterval);
        }
        this.statistics = statistics;
        this.missedHeartbeats = missedHeartbeats;
        this.publishInterval = publishInterval;
        this.clock = clock;
    }

    @Override
    public void open(OpenContext openContext) {
        FastCoders.enable();
        agent =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "agent", new AvroTypeInfo<>(AgentEvent.class)));
        stats =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "stats", new AvroTypeInfo<>(AgentStats.class)));
        cached = new HashMap<>();
        expired = getRuntimeContext().getMetricGroup().counter("agentsLeftRotation");
    }

    /** The agent's statistics; null when it has none. */
    private AgentStats statsOf(String agentId) throws IOException {
        AgentStats known = cached.get(agentId);
        if (known == null) {
            known = stats.value();
            if (known != null) {
                cached.put(agentId, known);
            }
        }
        return known;
    }

    private void store(String agentId, AgentStats updated) throws IOException {
        stats.update(updated);
        cached.put(agentId, updated);
    }

    private void forget(String agentId) {
        stats.clear();
        cached.remove(agentId);
    }

    @Override
    public void processElement1(AgentEvent event, Context ctx, Collector<AgentView> out)
            throws Exception {
        long now = clock.millis();
        AgentEvent known = agent.value();
        AgentStats current = statsOf(ctx.getCurrentKey());
        AgentRegistry.apply(AgentRegistry.of(agent), event, now);
        if (event.getType() == AgentEventType.RETIRE) {
            if (current != null) {
                cancel(ctx, current.getExpiresAt());
                cancel(ctx, current.getPublishAt());
            }
            forget(ctx.getCurrentKey());
            AgentEvent retired =
                    AgentEvent.newBuilder(known != null ? known : event)
                            .setType(AgentEventType.RETIRE)
                            .setTimestamp(now)
                            .build();
            out.collect(new AgentView(retired, AgentStatistics.empty()));
            return;
        }
        AgentEvent stored = agent.value();
        if (stored == null) {
            return; // a heartbeat does not register an agent
        }
        AgentStats.Builder next =
                AgentStats.newBuilder(current != null ? current : AgentStatistics.empty());
        boolean wasHealthy = next.getHealthy();
        if (known == null) {
            // Statistics gathered before the registration are kept; their cleanup timer is not.
            cancel(ctx, next.getPublishAt());
            next.setPublishAt(0);
        }
        cancel(ctx, next.getExpiresAt());
        long expiresAt = 0;
        Long interval = stored.getHeartbeatIntervalMs();
        if (interval != null && interval > 0) {
            expiresAt = now + interval * missedHeartbeats;
            ctx.timerService().registerProcessingTimeTimer(expiresAt);
        }
        next.setLastSeenAt(now).setHealthy(true).setExpiresAt(expiresAt);
        boolean publish = event.getType() != AgentEventType.HEARTBEAT || !wasHealthy;
        if (publish) {
            cancel(ctx, next.getPublishAt());
            next.setPublishAt(0);
        }
        AgentStats updated = next.build();
        store(ctx.getCurrentKey(), updated);
        if (publish) {
            if (!wasHealthy) {
                LOG.info("agent {} is back in the rotation", stored.getAgentId());
            }
            out.collect(new AgentView(stored, updated));
        }
    }

    @Override
    public void processElement2(Metric metric, Context ctx, Collector<AgentView> out)
            throws Exception {
        AgentStats current = statsOf(ctx.getCurrentKey());
        AgentStats before = current != null ? current : AgentStatistics.empty();
        AgentStats after;
        if (metric.getCall() != null) {
            after = statistics.onCall(before, metric.getCall(), metric.getTimestamp());
        } else if (metric.getReputation() != null) {
            after = statistics.onVote(before, metric.getReputation().getAgreed());
        } else {
            return;
        }
        if (after == before) {
            return; // the metric says nothing about the agent
        }
        if (after.getPublishAt() == 0) {
            long at =
                    clock.millis()
                            + (agent.value() == null
                                    ? ORPHAN_RETENTION.toMillis()
                                    : publishInterval.toMillis());
            after.setPublishAt(at); // a new record: onCall and onVote copy what they change
            ctx.timerService().registerProcessingTimeTimer(at);
        }
        store(ctx.getCurrentKey(), after);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AgentView> out)
            throws Exception {
        AgentStats current = statsOf(ctx.getCurrentKey());
        if (current == null) {
            return;
        }
        AgentEvent known = agent.value();
        if (known == null) {
            if (current.getPublishAt() != 0 && timestamp >= current.getPublishAt()) {
                forget(ctx.getCurrentKey()); // statistics of an agent that never registered
            }
            return;
        }
        AgentStats.Builder next = AgentStats.newBuilder(current);
        boolean publish = false;
        if (current.getExpiresAt() != 0 && timestamp >= current.getExpiresAt()) {
            next.setHealthy(false).setExpiresAt(0);
            expired.inc();
            LOG.warn(
                    "agent {} missed {} heartbeats of {} ms: out of the rotation until it beats again",
                    known.getAgentId(),
                    missedHeartbeats,
                    known.getHeartbeatIntervalMs());
            publish = true;
        }
        if (current.getPublishAt() != 0 && timestamp >= current.getPublishAt()) {
            publish = true;
        }
        if (!publish) {
            return;
        }
        if (next.getPublishAt() != 0) {
            cancel(ctx, next.getPublishAt());
            next.setPublishAt(0);
        }
        AgentStats updated = next.build();
        store(ctx.getCurrentKey(), updated);
        out.collect(new AgentView(known, updated));
    }

    private static void cancel(Context ctx, long timer) {
        if (timer != 0) {
            ctx.timerService().deleteProcessingTimeTimer(timer);
        }
    }
}
