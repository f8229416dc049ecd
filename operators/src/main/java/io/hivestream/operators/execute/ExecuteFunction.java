package io.hivestream.operators.execute;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Calls the agents of a request's chain without blocking: the primary first, and on failure the
 * next agent of the chain. Always completes with a reply, carrying the error when every agent
 * failed, and one call metric per attempt. Owns one runtime per agent, created on first use and
 * replaced when the agent's record changes.
 */
public final class ExecuteFunction extends RichAsyncFunction<CallRequest, CallReply> {
    private static final long serialVersionUID = 1L;

    private final AgentRuntimeFactory factory;
    private final Clock clock;
    private transient Map<String, RuntimeEntry> runtimes;
    private transient Counter calls;
    private transient Counter failures;

    private record RuntimeEntry(AgentEvent agent, AgentRuntime runtime) {}

    public ExecuteFunction(AgentRuntimeFactory factory, Clock clock) {
        this.factory = factory;
        this.clock = clock;
    }

    @Override
    public void open(OpenContext openContext) {
        runtimes = Collections.synchronizedMap(new HashMap<>());
        calls = getRuntimeContext().getMetricGroup().counter("agentCalls");
        failures = getRuntimeContext().getMetricGroup().counter("agentCallFailures");
    }

    @Override
    public void close() {
        if (runtimes != null) {
            synchronized (runtimes) {
                runtimes.values().forEach(entry -> entry.runtime().close());
                runtimes.clear();
            }
        }
    }

    @Override
    public void asyncInvoke(CallRequest request, ResultFuture<CallReply> resultFuture) {
        if (request.getRouteError() != null) {
            AgentAnswer answer =
                    AgentAnswer.newBuilder()
                            .setAgentId("-")
                            .setError(request.getRouteError())
                            .setAttempts(0)
                            .build();
            resultFuture.complete(List.of(reply(request, answer, List.of())));
            return;
        }
        attempt(request, 0, new ArrayList<>(), new ArrayList<>())
                .whenComplete(
                        (reply, error) -> {
                            if (error != null) {
                                resultFuture.completeExceptionally(error);
                            } else {
                                resultFuture.complete(List.of(reply));
                            }
                        });
    }

    private CompletableFuture<CallReply> attempt(
            CallRequest request, int index, List<Metric> metrics, List<String> errors) {
        List<AgentEvent> chain = request.getChain();
        AgentEvent agent = chain.get(index);
        AgentCall call =
                new AgentCall(
                        request.getTask().getTask(),
                        request.getTask().getAnalysis(),
                        agent,
                        request.getReplica(),
                        index + 1);
        long started = clock.millis();
        CompletableFuture<AgentReply> future;
        try {
            future =
                    runtimeFor(agent)
                            .call(call)
                            .orTimeout(agent.getTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        calls.inc();
        return future.handle(
                        (reply, error) -> {
                            long latency = clock.millis() - started;
                            if (error == null) {
                                double cost = cost(agent, reply);
                                metrics.add(
                                        metric(
                                                call,
                                                CallOutcome.SUCCESS,
                                                null,
                                                latency,
                                                reply,
                                                cost));
                                AgentAnswer answer =
                                        AgentAnswer.newBuilder()
                                                .setAgentId(agent.getAgentId())
                                                .setModel(reply.model())
                                                .setOutput(reply.output())
                                                .setConfidence(reply.confidence())
                                                .setLatencyMs(latency)
                                                .setTokensIn(reply.tokensIn())
                                                .setTokensOut(reply.tokensOut())
                                                .setCostUsd(cost)
                                                .setAttempts(index + 1)
                                                .setSimulated(reply.simulated())
                                                .build();
                                return CompletableFuture.completedFuture(
                                        reply(request, answer, metrics));
                            }
                            failures.inc();
                            Throwable cause = unwrap(error);
                            CallOutcome outcome =
                                    cause instanceof TimeoutException
                                            ? CallOutcome.TIMEOUT
                                            : CallOutcome.ERROR;
                            metrics.add(
                                    metric(
                                            call,
                                            outcome,
                                            cause.getClass().getName(),
                                            latency,
                                            null,
                                            0.0));
                            errors.add(agent.getAgentId() + ": " + describe(cause, agent));
                            if (index + 1 < chain.size()) {
                                return attempt(request, index + 1, metrics, errors);
                            }
                            AgentAnswer failed =
                                    AgentAnswer.newBuilder()
                                            .setAgentId(agent.getAgentId())
                                            .setError(String.join("; ", errors))
                                            .setLatencyMs(latency)
                                            .setAttempts(index + 1)
                                            .build();
                            return CompletableFuture.completedFuture(
                                    reply(request, failed, metrics));
                        })
                .thenCompose(next -> next);
    }

    @Override
    public void timeout(CallRequest request, ResultFuture<CallReply> resultFuture) {
        AgentAnswer answer =
                AgentAnswer.newBuilder()
                        .setAgentId(
                                request.getChain().isEmpty()
                                        ? "-"
                                        : request.getChain().get(0).getAgentId())
                        .setError("no answer within the execute stage's timeout")
                        .build();
        resultFuture.complete(List.of(reply(request, answer, List.of())));
    }

    private AgentRuntime runtimeFor(AgentEvent agent) {
        synchronized (runtimes) {
            RuntimeEntry entry = runtimes.get(agent.getAgentId());
            if (entry != null && sameEndpoint(entry.agent(), agent)) {
                return entry.runtime();
            }
            if (entry != null) {
                entry.runtime().close();
            }
            AgentRuntime runtime = factory.create(agent);
            runtimes.put(agent.getAgentId(), new RuntimeEntry(agent, runtime));
            return runtime;
        }
    }

    /** Heartbeats change only the timestamp; they must not rebuild a runtime. */
    private static boolean sameEndpoint(AgentEvent a, AgentEvent b) {
        return AgentEvent.newBuilder(a)
                .setTimestamp(null)
                .build()
                .equals(AgentEvent.newBuilder(b).setTimestamp(null).build());
    }

    static double cost(AgentEvent agent, AgentReply reply) {
        return reply.tokensIn() / 1000.0 * agent.getCostPer1kInputTokens()
                + reply.tokensOut() / 1000.0 * agent.getCostPer1kOutputTokens();
    }

    private Metric metric(
            AgentCall call,
            CallOutcome outcome,
            String errorClass,
            long latency,
            AgentReply reply,
            double cost) {
        return Metric.newBuilder()
                .setKind(MetricKind.CALL)
                .setTimestamp(clock.millis())
                .setTaskId(call.task().getTaskId())
                .setAgentId(call.agent().getAgentId())
                .setTenant(call.task().getTenant())
                .setCall(
                        CallMetric.newBuilder()
                                .setModel(reply != null ? reply.model() : call.agent().getModel())
                                .setAttempt(call.attempt())
                                .setOutcome(outcome)
                                .setErrorClass(errorClass)
                                .setLatencyMs(latency)
                                .setTokensIn(reply != null ? reply.tokensIn() : 0)
                                .setTokensOut(reply != null ? reply.tokensOut() : 0)
                                .setCostUsd(cost)
                                .setSimulated(reply != null && reply.simulated())
                                .build())
                .build();
    }

    private static CallReply reply(CallRequest request, AgentAnswer answer, List<Metric> metrics) {
        return CallReply.newBuilder()
                .setRequest(request)
                .setAnswer(answer)
                .setCalls(new ArrayList<>(metrics))
                .build();
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String describe(Throwable cause, AgentEvent agent) {
        if (cause instanceof TimeoutException) {
            return "no answer within " + agent.getTimeoutMs() + " ms";
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }
}
