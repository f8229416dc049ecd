package io.hivestream.operators.execute;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The hard cap on an agent's calls in flight, as one execute instance keeps it: per agent, the
 * calls in flight against the instance's share of the agent's {@code maxConcurrency}, and the calls
 * waiting for a slot, oldest first. A slot that frees goes to the oldest waiting call at once, so a
 * waiting call is never overtaken by a later one. Not thread-safe: the operator's mailbox thread
 * owns it.
 *
 * @param <C> a waiting call
 */
public final class AgentSlots<C> {
    private static final class Agent<C> {
        int inFlight;
        final ArrayDeque<C> waiting = new ArrayDeque<>();
    }

    private final Map<String, Agent<C>> agents = new HashMap<>();

    /**
     * The slots of an agent in one of {@code parallelism} instances: an equal share of its {@code
     * maxConcurrency}, rounded down, and at least one, so that every instance can reach every
     * agent. The job as a whole stays within {@code maxConcurrency} when it is at least the
     * parallelism; below it, the job may have up to {@code parallelism} calls in flight.
     */
    public static int perInstance(int maxConcurrency, int parallelism) {
        return Math.max(1, Math.max(1, maxConcurrency) / Math.max(1, parallelism));
    }

    /** Takes a slot of {@code agentId} when fewer than {@code slots} calls are in flight. */
    public boolean tryAcquire(String agentId, int slots) {
        Agent<C> agent = agents.computeIfAbsent(agentId, id -> new Agent<>());
        if (agent.inFlight >= slots || !agent.waiting.isEmpty()) {
            return false;
        }
        agent.inFlight++;
        return true;
    }

    /** Queues a call that found no slot; it gets one from {@link #release} in its turn. */
    public void await(String agentId, C call) {
        agents.computeIfAbsent(agentId, id -> new Agent<>()).waiting.addLast(call);
    }

    /**
     * Frees a slot of {@code agentId}.
     *
     * @return the oldest waiting call, which now holds the slot, or null when none waits or the
     *     agent's slots (which may have shrunk) are still all taken
     */
    public C release(String agentId, int slots) {
        Agent<C> agent = agents.get(agentId);
        if (agent == null || agent.inFlight == 0) {
            throw new IllegalStateException("no call of " + agentId + " holds a slot");
        }
        agent.inFlight--;
        if (!agent.waiting.isEmpty() && agent.inFlight < slots) {
            agent.inFlight++;
            return agent.waiting.pollFirst();
        }
        if (agent.inFlight == 0 && agent.waiting.isEmpty()) {
            agents.remove(agentId);
        }
        return null;
    }

    public int inFlight(String agentId) {
        Agent<C> agent = agents.get(agentId);
        return agent == null ? 0 : agent.inFlight;
    }

    public int waiting(String agentId) {
        Agent<C> agent = agents.get(agentId);
        return agent == null ? 0 : agent.waiting.size();
    }

    /** Calls waiting for a slot, over every agent. */
    public int waiting() {
        int total = 0;
        for (Agent<C> agent : agents.values()) {
            total += agent.waiting.size();
        }
        return total;
    }
}
