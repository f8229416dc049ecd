package io.hivestream.operators.execute;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.CallRequest;
import io.hivestream.schemas.internal.Escalating;
import java.util.ArrayList;
import java.util.List;

/**
 * One replica's way through its agent chain, or through its escalation chain in the cascade's
 * second phase: which agent to call, after a failure whether to call it again after a delay or to
 * go on to the next agent, and at the end of the chain whether to wait for agents whose breaker was
 * open or to fail with every agent's reason. Plain state, no Flink: the execute operator does what
 * {@link #next} says. Lives only while the replica's call is in flight (its request is in the
 * checkpointed {@code active} state; a restore starts a new one).
 */
final class ReplicaCall {
    /** What to do next. */
    sealed interface Step permits Call, Wait, Fail {}

    /** Call this agent now. */
    record Call(AgentEvent agent) implements Step {}

    /**
     * Try again after {@code delayMs}: the agents whose breaker was open may let a call through.
     */
    record Wait(long delayMs) implements Step {}

    /** The chain is exhausted: the replica's answer is this failure. */
    record Fail(AgentAnswer answer) implements Step {}

    /**
     * Most calls of a replica made again because they timed out while this JVM was paused, so that
     * a JVM that keeps stopping does not call forever.
     */
    static final int PAUSE_RETRIES = 3;

    final String key;
    final CallRequest request;

    /** The EDGE answer that escalated, in the cascade's second phase; else null. */
    final AgentAnswer edge;

    final List<Metric> metrics = new ArrayList<>();

    /** Whether the call holds a slot of the agent it calls ({@link AgentSlots}). */
    boolean holdsSlot;

    /**
     * Whether the call about to be made was sent before a failure and never answered (its marker is
     * in the journal, its outcome not), until it is made again.
     */
    boolean abandoned;

    /**
     * Set when the replica stopped before a call it would have made: {@code TIMED_OUT}, its task's
     * deadline had passed; {@code REJECTED}, every agent it would have called was over its task's
     * budget and it made no call.
     */
    TaskStatus refused;

    /** The estimated price that the call in flight holds of its task's budget. */
    double reservedUsd;

    private List<AgentEvent> chain;
    private int chainIndex;
    private int attemptOnAgent = 1;
    private int attempt = 1;
    private final List<String> errors = new ArrayList<>();
    private final List<AgentEvent> breakerOpen = new ArrayList<>();
    private long waitingSince = -1;
    private boolean overBudget;
    private int pauseRetries;

    ReplicaCall(String key, CallRequest request) {
        this.key = key;
        this.request = request;
        this.chain = request.getChain();
        this.edge = null;
    }

    /** The cascade's second phase: the escalation chain, after the EDGE answer's calls. */
    ReplicaCall(String key, CallRequest request, Escalating escalated) {
        this.key = key;
        this.request = request;
        this.chain = request.getEscalation();
        this.edge = escalated.getEdge();
        this.metrics.addAll(escalated.getCalls());
    }

    /**
     * What to do now: call the next agent of the chain; at its end, wait while agents skipped for
     * an open breaker may still let the call through, else fail.
     *
     * @param now the time the breaker wait is measured with
     */
    Step next(long now, BreakerWait wait) {
        if (chainIndex < chain.size()) {
            return new Call(chain.get(chainIndex));
        }
        if (!breakerOpen.isEmpty()) {
            if (waitingSince < 0) {
                waitingSince = now;
            }
            Long deadline = request.getTask().getTask().getDeadline();
            long delay = wait.nextTry(now, wait.waitEnds(waitingSince, deadline));
            if (delay >= 0) {
                // The next pass tries only the agents that refused for their breaker.
                chain = new ArrayList<>(breakerOpen);
                chainIndex = 0;
                breakerOpen.clear();
                return new Wait(delay);
            }
            String why =
                    deadline != null && deadline <= waitingSince + wait.agentWaitMs()
                            ? "until the task's deadline"
                            : "the longest hivestream.route.agent-wait allows";
            for (AgentEvent agent : breakerOpen) {
                errors.add(
                        agent.getAgentId()
                                + ": circuit breaker open; waited "
                                + (now - waitingSince)
                                + " ms for it to let a call through, "
                                + why);
            }
            breakerOpen.clear();
        }
        if (overBudget && attempt == 1) {
            refused = TaskStatus.REJECTED;
        }
        return failure();
    }

    /** The chain is exhausted: a failure with every agent's reason. */
    private Fail failure() {
        AgentEvent last = chain.get(Math.min(chainIndex, chain.size() - 1));
        return new Fail(
                AgentAnswer.newBuilder()
                        .setAgentId(last.getAgentId())
                        .setTier(last.getTier())
                        .setError(String.join("; ", errors))
                        .setAttempts(attempt - 1)
                        .build());
    }

    /**
     * The task's deadline passed before the call to {@code agent} could start: the replica ends
     * without it, {@code TIMED_OUT}.
     */
    Fail pastDeadline(AgentEvent agent, long deadline, long now) {
        errors.add(
                "the call to "
                        + agent.getAgentId()
                        + " was not started: the task's deadline, "
                        + java.time.Instant.ofEpochMilli(deadline)
                        + ", was "
                        + (now - deadline)
                        + " ms ago"
                        + (waitingSince >= 0
                                ? ", after waiting "
                                        + (now - waitingSince)
                                        + " ms for a circuit breaker to let a call through"
                                : ""));
        refused = TaskStatus.TIMED_OUT;
        return failure();
    }

    /**
     * The call to {@code agent} would cross the task's budget: it is not made, and the call goes on
     * to the next agent, which may cost less.
     */
    void overBudget(String why) {
        errors.add(why);
        overBudget = true;
        chainIndex++;
        attemptOnAgent = 1;
    }

    /**
     * The agent's breaker refused the call: the call goes on to the next agent and comes back to
     * this one if no other answers.
     *
     * @return whether this is the first refusal of the call, the one its metrics record
     */
    boolean refused(AgentEvent agent) {
        breakerOpen.add(agent);
        chainIndex++;
        attemptOnAgent = 1;
        return waitingSince < 0;
    }

    /**
     * The call to {@code agent} failed.
     *
     * @param decision the retry policy's decision for this failure
     * @return the delay after which to call the same agent again, or -1 when the call went on to
     *     the next agent
     */
    long failed(AgentEvent agent, String why, RetryPolicy.Decision decision) {
        attempt++;
        if (decision instanceof RetryPolicy.Retry retry) {
            attemptOnAgent++;
            return retry.delay().toMillis();
        }
        errors.add(agent.getAgentId() + ": " + why);
        chainIndex++;
        attemptOnAgent = 1;
        return -1;
    }

    /**
     * The call to the current agent timed out while this JVM was paused ({@link PauseDetector}):
     * the agent is not to blame, and up to {@link #PAUSE_RETRIES} times per replica the same agent
     * is called again at once, without using one of its attempts.
     *
     * @return whether the call is made again so; false when the replica had its pause retries, and
     *     the timeout goes to the retry policy like any other failure
     */
    boolean timedOutInPause() {
        if (pauseRetries >= PAUSE_RETRIES) {
            return false;
        }
        pauseRetries++;
        attempt++;
        return true;
    }

    /** Whether this answer is an unsure EDGE answer that the request escalates. */
    boolean escalates(AgentEvent agent, AgentAnswer answer) {
        return edge == null && escalates(request, agent, answer.getConfidence());
    }

    /**
     * Whether an answer of {@code agent} with this confidence, in the first phase, escalates: the
     * request has an escalation chain, the agent is EDGE and the confidence is under the request's
     * threshold. An answer without a confidence never escalates.
     */
    static boolean escalates(CallRequest request, AgentEvent agent, Double confidence) {
        return !request.getEscalation().isEmpty()
                && agent.getTier() == Tier.EDGE
                && confidence != null
                && confidence < request.getCascadeThreshold();
    }

    /**
     * The id of the call to {@code agent} now: tenant, task, replica, phase (1, or 2 for the
     * cascade's escalation), attempt and agent. The same call after a restore has the same id.
     */
    String callId(AgentEvent agent) {
        Task task = request.getTask().getTask();
        return task.getTenant()
                + "/"
                + task.getTaskId()
                + "/"
                + request.getReplica()
                + "/"
                + (edge == null ? 1 : 2)
                + "/"
                + attempt
                + "/"
                + agent.getAgentId();
    }

    /** Calls made so far, this one included: 1 for the first. */
    int attempt() {
        return attempt;
    }

    /** Calls made to the current agent, this one included. */
    int attemptOnAgent() {
        return attemptOnAgent;
    }
}
