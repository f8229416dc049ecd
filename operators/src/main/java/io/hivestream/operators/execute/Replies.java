package io.hivestream.operators.execute;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.codec.RecordDefaults;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import io.hivestream.schemas.internal.Cascade;
import java.util.ArrayList;
import java.util.List;

/** The replies the execute stage sends on, one per replica of a request. */
final class Replies {
    private static final RecordDefaults<AgentAnswer> ANSWERS = RecordDefaults.of(AgentAnswer::new);
    private static final RecordDefaults<CallReply> REPLIES = RecordDefaults.of(CallReply::new);

    /** The agent id of an answer that no agent gave: a route error or a cancellation. */
    static final String NO_AGENT = "-";

    private Replies() {}

    /** The replica's reply: its request without the chains, its answer, and its calls' metrics. */
    static CallReply of(CallRequest request, AgentAnswer answer, List<Metric> calls) {
        CallReply reply = REPLIES.make();
        reply.setRequest(slim(request));
        reply.setAnswer(answer);
        reply.setCalls(new ArrayList<>(calls));
        return reply;
    }

    /** A request the route stage could not route: no call, its reason as the answer's error. */
    static CallReply routeError(CallRequest request) {
        return of(request, unanswered(request.getRouteError()), List.of());
    }

    /**
     * The reply of a cancelled step's replica: no answer, the cancellation's reason, and the calls
     * it made before.
     */
    static CallReply cancelled(CallRequest request, String cancellation, List<Metric> calls) {
        CallRequest cancelledRequest =
                CallRequest.newBuilder(request).setCancel(cancellation).build();
        return of(cancelledRequest, unanswered(cancellation), calls);
    }

    /**
     * The reply of an escalated replica: the CLOUD answer unless every CLOUD agent failed, then the
     * EDGE answer; its cascade keeps both.
     */
    static CallReply cascaded(
            CallRequest request, AgentAnswer edge, AgentAnswer cloud, List<Metric> calls) {
        CallReply reply = of(request, cloud.getError() == null ? cloud : edge, calls);
        reply.setCascade(
                Cascade.newBuilder()
                        .setEdge(edge)
                        .setThreshold(request.getCascadeThreshold())
                        .setCloud(cloud)
                        .build());
        return reply;
    }

    /** The answer of an agent's reply, priced at {@code costUsd}, after {@code attempts} calls. */
    static AgentAnswer answer(
            AgentEvent agent, AgentReply reply, long latencyMs, double costUsd, int attempts) {
        AgentAnswer answer = ANSWERS.make();
        answer.setAgentId(agent.getAgentId());
        answer.setTier(agent.getTier());
        answer.setModel(reply.model());
        answer.setOutput(reply.output());
        answer.setConfidence(reply.confidence());
        answer.setLatencyMs(latencyMs);
        answer.setTokensIn(reply.tokensIn());
        answer.setTokensOut(reply.tokensOut());
        answer.setCostUsd(costUsd);
        answer.setAttempts(attempts);
        answer.setSimulated(reply.simulated());
        return answer;
    }

    private static AgentAnswer unanswered(String why) {
        return AgentAnswer.newBuilder().setAgentId(NO_AGENT).setError(why).setAttempts(0).build();
    }

    /**
     * The request as the stages after this one need it: without its agent chain and escalation
     * chain, which were only this stage's to follow. A reply is serialized between operators and
     * kept in consensus state, and the chains' agent records are most of a request's bytes.
     */
    static CallRequest slim(CallRequest request) {
        if (request.getChain().isEmpty() && request.getEscalation().isEmpty()) {
            return request;
        }
        // The all-arguments constructor shares the task; a builder would deep-copy it.
        return new CallRequest(
                request.getTask(),
                request.getReplica(),
                List.of(),
                request.getRouteError(),
                List.of(),
                request.getCascadeThreshold(),
                request.getCancel());
    }
}
