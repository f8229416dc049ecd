package io.hivestream.operators.execute;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The hard cap on an agent's calls in flight, as one execute instance keeps it: per agent, the
 * calls in flight against the instance's share of the agent's {@code maxConcurrency}, and the calls
 * waiting for a slot. A slot that frees goes at once to the first waiting call in the given order
 * (the execute stage's: higher priority, then earlier deadline), and among equals to the one that
 * waited longest, so a waiting call is never overtaken by a later one of its rank. Not thread-safe:
 * the operator's mailbox thread owns it.
 *
 * @param <C> a waiting call
 */
public final class AgentSlots<C> {
    private record Waiting<C>(C call, long arrival) {}

    private final class Agent {
        int inFlight;
        final PriorityQueue<Waiting<C>> waiting = new PriorityQueue<>(order);
    }

    private final Comparator<Waiting<C>> order;
    private final Map<String, Agent> agents = new HashMap<>();
    private long arrivals;

    /** Waiting calls get slots in arrival order. */
    public AgentSlots() {
        this((a, b) -> 0);
    }

    /** Waiting calls get slots in {@code rank}'s order, then in arrival order. */
    public AgentSlots(Comparator<? super C> rank) {
        Comparator<Waiting<C>> byRank = (a, b) -> rank.compare(a.call(), b.call());
        this.order = byRank.thenComparingLong(Waiting::arrival);
    }

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
        Agent agent = agents.computeIfAbsent(agentId, id -> new Agent());
        if (agent.inFlight >= slots || !agent.waiting.isEmpty()) {
            return false;
        }
        agent.inFlight++;
        return true;
    }

    /** Queues a call that found no slot; it gets one from {@link #release} in its turn. */
    public void await(String agentId, C call) {
        agents.computeIfAbsent(agentId, id -> new Agent())
                .waiting
                .add(new Waiting<>(call, arrivals++));
    }

    /**
     * Frees a slot of {@code agentId}.
     *
     * @return the first waiting call, which now holds the slot, or null when none waits or the
     *     agent's slots (which may have shrunk) are still all taken
     */
    public C release(String agentId, int slots) {
        Agent agent = agents.get(agentId);
        if (agent == null || agent.inFlight == 0) {
            throw new IllegalStateException("no call of " + agentId + " holds a slot");
        }
        agent.inFlight--;
        if (!agent.waiting.isEmpty() && agent.inFlight < slots) {
            agent.inFlight++;
            return agent.waiting.poll().call();
        }
        if (agent.inFlight == 0 && agent.waiting.isEmpty()) {
            agents.remove(agentId);
        }
        return null;
    }

    public int inFlight(String agentId) {
        Agent agent = agents.get(agentId);
        return agent == null ? 0 : agent.inFlight;
    }

    public int waiting(String agentId) {
        Agent agent = agents.get(agentId);
        return agent == null ? 0 : agent.waiting.size();
    }

    /** Calls waiting for a slot, over every agent. */
    public int waiting() {
        int total = 0;
        for (Agent agent : agents.values()) {
            total += agent.waiting.size();
        }
        return total;
    }
}
