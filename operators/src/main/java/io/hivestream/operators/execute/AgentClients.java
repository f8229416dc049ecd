package io.hivestream.operators.execute;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.hivestream.operators.route.AgentDirectory;
import io.hivestream.schemas.AgentEvent;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * One execute instance's clients of its agents: each agent's runtime, made for the agent's record
 * as last seen and made again when the record changes, and each agent's circuit breaker, which
 * outlives such changes. A breaker counts every failure against the agent except a bad request,
 * which is the caller's fault; it opens at {@link ExecuteSettings#breakerFailureRate()} over the
 * last {@link ExecuteSettings#breakerWindow()} calls, stays open for {@link
 * ExecuteSettings#breakerOpen()}, and then lets two probes through.
 */
final class AgentClients implements AutoCloseable {
    private record Runtime(AgentEvent agent, AgentRuntime runtime) {}

    private final AgentRuntimeFactory factory;
    private final CircuitBreakerConfig breakerConfig;
    private final Map<String, Runtime> runtimes = new HashMap<>();
    private final Map<String, CircuitBreaker> breakers = new HashMap<>();

    AgentClients(AgentRuntimeFactory factory, ExecuteSettings settings, Clock clock) {
        this.factory = factory;
        this.breakerConfig =
                CircuitBreakerConfig.custom()
                        .failureRateThreshold(settings.breakerFailureRate())
                        .slidingWindowSize(settings.breakerWindow())
                        .minimumNumberOfCalls(settings.breakerWindow())
                        .waitDurationInOpenState(settings.breakerOpen())
                        .permittedNumberOfCallsInHalfOpenState(2)
                        .clock(clock)
                        .recordException(
                                e ->
                                        !(e instanceof AgentCallException a)
                                                || a.kind() != AgentCallException.Kind.BAD_REQUEST)
                        .build();
    }

    /**
     * The runtime that calls {@code agent}: the one made for its record, or a new one when the
     * record changed (the old one is closed).
     */
    AgentRuntime runtime(AgentEvent agent) {
        Runtime known = runtimes.get(agent.getAgentId());
        if (known != null && known.agent() == agent) {
            return known.runtime();
        }
        // The agent's view is replaced with each statistics update, so an unchanged agent comes
        // back as an equal record: compared once, then kept, so that the calls until the next
        // update compare by identity. Copies are made only when the records differ.
        if (known != null
                && (known.agent().equals(agent)
                        || AgentDirectory.sameRecord(known.agent(), agent))) {
            runtimes.put(agent.getAgentId(), new Runtime(agent, known.runtime()));
            return known.runtime();
        }
        if (known != null) {
            known.runtime().close();
        }
        AgentRuntime runtime = factory.create(agent);
        runtimes.put(agent.getAgentId(), new Runtime(agent, runtime));
        return runtime;
    }

    /** The circuit breaker of the agent {@code agentId}. */
    CircuitBreaker breaker(String agentId) {
        return breakers.computeIfAbsent(agentId, id -> CircuitBreaker.of(id, breakerConfig));
    }

    /** Closes every runtime; the breakers stay. */
    @Override
    public void close() {
        runtimes.values().forEach(known -> known.runtime().close());
        runtimes.clear();
    }
}
