package io.hivestream.operators.route;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.internal.Analysis;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by task id. Owns the agent registry (broadcast state, agentId to record) and, per task
 * waiting for a suitable agent, the pending task (keyed state) with a timer. A task is routed as
 * soon as enough agents offer its capabilities; one still waiting when its wait ends, or when the
 * input ends, fails with the reason instead of waiting forever.
 */
public final class RouteFunction
        extends KeyedBroadcastProcessFunction<String, AnalyzedTask, AgentEvent, CallRequest> {
    private static final long serialVersionUID = 1L;

    public static final MapStateDescriptor<String, AgentEvent> AGENTS =
            new MapStateDescriptor<>("agents", Types.STRING, new AvroTypeInfo<>(AgentEvent.class));

    private final Router router;
    private final Escalation escalation;
    private final Duration agentWait;
    private final Clock clock;
    private final boolean boundedInput;
    private transient ValueState<AnalyzedTask> pending;

    /**
     * @param boundedInput whether the input ends (a bounded run); then tasks still waiting for an
     *     agent fail when it ends rather than being dropped with the job
     */
    public RouteFunction(Router router, Duration agentWait, Clock clock, boolean boundedInput) {
        this(router, Escalation.off(), agentWait, clock, boundedInput);
    }

    /**
     * @param escalation picks the CLOUD agents an unsure EDGE answer escalates to
     * @param boundedInput whether the input ends (a bounded run); then tasks still waiting for an
     *     agent fail when it ends rather than being dropped with the job
     */
    public RouteFunction(
            Router router,
            Escalation escalation,
            Duration agentWait,
            Clock clock,
            boolean boundedInput) {
        if (agentWait.isNegative() || agentWait.isZero()) {
            throw new IllegalArgumentException("agentWait must be positive: " + agentWait);
        }
        this.router = router;
        this.escalation = escalation;
        this.agentWait = agentWait;
        this.clock = clock;
        this.boundedInput = boundedInput;
    }

    private static ValueStateDescriptor<AnalyzedTask> pendingDescriptor() {
        return new ValueStateDescriptor<>("pending", new AvroTypeInfo<>(AnalyzedTask.class));
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext openContext) {
        pending = getRuntimeContext().getState(pendingDescriptor());
    }

    @Override
    public void processElement(AnalyzedTask task, ReadOnlyContext ctx, Collector<CallRequest> out)
            throws Exception {
        List<AgentEvent> agents = agents(ctx.getBroadcastState(AGENTS).immutableEntries());
        Router.Route route = router.route(task, agents);
        if (route.routed()) {
            emit(task, route, agents, out);
            return;
        }
        pending.update(task);
        ctx.timerService().registerProcessingTimeTimer(clock.millis() + agentWait.toMillis());
        if (boundedInput) {
            // The final watermark fires it when the input ends, so no task waits past the end.
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        }
    }

    @Override
    public void processBroadcastElement(AgentEvent event, Context ctx, Collector<CallRequest> out)
            throws Exception {
        BroadcastState<String, AgentEvent> state = ctx.getBroadcastState(AGENTS);
        AgentRegistry.Store registry =
                new AgentRegistry.Store() {
                    @Override
                    public AgentEvent get(String agentId) throws Exception {
                        return state.get(agentId);
                    }

                    @Override
                    public void put(String agentId, AgentEvent agent) throws Exception {
                        state.put(agentId, agent);
                    }

                    @Override
                    public boolean remove(String agentId) throws Exception {
                        boolean known = state.contains(agentId);
                        state.remove(agentId);
                        return known;
                    }
                };
        if (!AgentRegistry.apply(registry, event, clock.millis())) {
            return;
        }
        List<AgentEvent> agents = agents(ctx.getBroadcastState(AGENTS).immutableEntries());
        ctx.applyToKeyedState(
                pendingDescriptor(),
                (taskId, waiting) -> {
                    AnalyzedTask task = waiting.value();
                    if (task == null) {
                        return;
                    }
                    Router.Route route = router.route(task, agents);
                    if (route.routed()) {
                        waiting.clear();
                        emit(task, route, agents, out);
                    }
                });
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<CallRequest> out)
            throws Exception {
        AnalyzedTask task = pending.value();
        if (task == null) {
            return;
        }
        pending.clear();
        List<AgentEvent> agents = agents(ctx.getBroadcastState(AGENTS).immutableEntries());
        Router.Route route = router.route(task, agents);
        if (route.routed()) {
            emit(task, route, agents, out);
        } else {
            out.collect(unroutable(task, route.problem()));
        }
    }

    /** A request that carries the routing failure; the consensus stage turns it into FAILED. */
    static CallRequest unroutable(AnalyzedTask task, String problem) {
        Analysis single =
                Analysis.newBuilder(task.getAnalysis()).setReplicas(1).setQuorum(1).build();
        AnalyzedTask copy = AnalyzedTask.newBuilder(task).setAnalysis(single).build();
        return CallRequest.newBuilder()
                .setTask(copy)
                .setReplica(0)
                .setChain(List.of())
                .setRouteError(problem)
                .build();
    }

    private void emit(
            AnalyzedTask task,
            Router.Route route,
            List<AgentEvent> agents,
            Collector<CallRequest> out) {
        for (int replica = 0; replica < route.chains().size(); replica++) {
            List<AgentEvent> chain = route.chains().get(replica);
            CallRequest.Builder request =
                    CallRequest.newBuilder().setTask(task).setReplica(replica).setChain(chain);
            List<AgentEvent> cloud = escalation.chain(task, chain, agents);
            if (!cloud.isEmpty()) {
                request.setEscalation(cloud).setCascadeThreshold(escalation.threshold(task));
            }
            out.collect(request.build());
        }
    }

    private static List<AgentEvent> agents(Iterable<Map.Entry<String, AgentEvent>> entries) {
        List<AgentEvent> agents = new ArrayList<>();
        for (Map.Entry<String, AgentEvent> entry : entries) {
            agents.add(entry.getValue());
        }
        return agents;
    }
}
