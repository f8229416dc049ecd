package io.hivestream.connectors.agents;

import static io.hivestream.operators.testing.TestRecords.agent;
import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.request;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.hivestream.operators.execute.ExecuteOperator;
import io.hivestream.operators.execute.ExecuteOperatorFactory;
import io.hivestream.operators.execute.ExecuteSettings;
import io.hivestream.operators.route.SessionKeys;
import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.AgentView;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Drives the {@link ExecuteOperator} with simulated agents made by the real {@link AgentRuntimes},
 * one attempt per agent. Agents answer without latency unless a test says otherwise.
 */
@Timeout(30)
class ExecuteOperatorSimulatedAgentsTest {
    private static final long NOW = 7_000;
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);

    /** Simulated failures are outages: retryable, reported by their kind. */
    private static final String FAILURE_CLASS = "UNAVAILABLE";

    private static final AnalyzedTask MATH =
            analyzed(task("t-1", "math", "What is 12 * (3 + 4)?").build(), 1, 1);

    private static AgentEvent simulated(String id, String... params) {
        return agent(id, List.of("math"), params).build();
    }

    /** Runs the requests through the async operator until every one has its reply. */
    private static List<CallReply> execute(CallRequest... requests) throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<
                        String, Either<CallRequest, AgentView>, CallReply>
                harness =
                        new KeyedOneInputStreamOperatorTestHarness<>(
                                new ExecuteOperatorFactory(
                                        new AgentRuntimes(),
                                        ExecuteSettings.builder().attemptsPerAgent(1).build(),
                                        ExecuteOperator.ToolPolicy.allowAll(),
                                        CLOCK),
                                SessionKeys::of,
                                Types.STRING)) {
            harness.open();
            for (CallRequest request : requests) {
                harness.processElement(Either.Left(request), 0);
            }
            // Waits for the requests still in flight.
            harness.endInput();
            return harness.extractOutputValues();
        }
    }

    private static Metric call(String agentId, int attempt, CallMetric.Builder call) {
        return Metric.newBuilder()
                .setKind(MetricKind.CALL)
                .setTimestamp(NOW)
                .setTaskId("t-1")
                .setAgentId(agentId)
                .setTenant("default")
                .setCall(call.setAttempt(attempt).build())
                .build();
    }

    private static CallMetric.Builder failure(String errorClass) {
        return CallMetric.newBuilder().setOutcome(CallOutcome.ERROR).setErrorClass(errorClass);
    }

    /** The call metric of a simulated answer "84" to MATH: 6 tokens in, 1 out. */
    private static CallMetric.Builder success(double cost) {
        return CallMetric.newBuilder()
                .setModel("simulated")
                .setOutcome(CallOutcome.SUCCESS)
                .setTokensIn(6)
                .setTokensOut(1)
                .setCostUsd(cost)
                .setSimulated(true);
    }

    /** A reply carries its request without the chains that only the execute stage follows. */
    private static CallRequest withoutChains(CallRequest request) {
        return CallRequest.newBuilder(request).setChain(List.of()).setEscalation(List.of()).build();
    }

    private static AgentAnswer.Builder answer84(String agentId, int attempts) {
        return AgentAnswer.newBuilder()
                .setAgentId(agentId)
                .setModel("simulated")
                .setOutput("84")
                .setTokensIn(6)
                .setTokensOut(1)
                .setAttempts(attempts)
                .setSimulated(true)
                .setTier(Tier.EDGE);
    }

    @Test
    void thePrimaryAnswersInOneAttempt() throws Exception {
        CallRequest request = request(MATH, 0, List.of(simulated("good"), simulated("spare")));

        assertThat(execute(request))
                .containsExactly(
                        CallReply.newBuilder()
                                .setRequest(withoutChains(request))
                                .setAnswer(answer84("good", 1).build())
                                .setCalls(List.of(call("good", 1, success(0.0))))
                                .build());
    }

    @Test
    void aFailingPrimaryFallsBackToTheNextAgentWithOneMetricPerAttempt() throws Exception {
        CallRequest request =
                request(
                        MATH,
                        0,
                        List.of(simulated("flaky", "errorRate", "1.0"), simulated("good")));

        assertThat(execute(request))
                .containsExactly(
                        CallReply.newBuilder()
                                .setRequest(withoutChains(request))
                                .setAnswer(answer84("good", 2).build())
                                .setCalls(
                                        List.of(
                                                call("flaky", 1, failure(FAILURE_CLASS)),
                                                call("good", 2, success(0.0))))
                                .build());
    }

    @Test
    void whenEveryAgentFailsTheReplyCarriesEveryError() throws Exception {
        CallRequest request =
                request(
                        MATH,
                        0,
                        List.of(
                                simulated("f1", "errorRate", "1"),
                                simulated("f2", "errorRate", "1")));

        CallReply reply = execute(request).get(0);

        assertThat(reply.getAnswer())
                .isEqualTo(
                        AgentAnswer.newBuilder()
                                .setAgentId("f2")
                                .setTier(Tier.EDGE)
                                .setError(
                                        "f1: simulated failure of f1 (error rate 1.0); f2:"
                                                + " simulated failure of f2 (error rate 1.0)")
                                .setAttempts(2)
                                .build());
        assertThat(reply.getCalls())
                .containsExactly(
                        call("f1", 1, failure(FAILURE_CLASS)),
                        call("f2", 2, failure(FAILURE_CLASS)));
    }

    @Test
    void anAgentWithAnUnknownRuntimeFailsItsAttempt() throws Exception {
        AgentEvent remote = agent("mini", List.of("math")).setRuntime("carrier-pigeon").build();
        CallRequest request = request(MATH, 0, List.of(remote));

        CallReply reply = execute(request).get(0);

        assertThat(reply.getAnswer().getError())
                .isEqualTo(
                        "mini: agent mini: runtime 'carrier-pigeon' is not available in this build;"
                                + " available: [simulated, openai, anthropic, tool, onnx]");
        assertThat(reply.getCalls())
                .containsExactly(call("mini", 1, failure("java.lang.IllegalArgumentException")));
    }

    @Test
    void anAgentThatAnswersTooLateTimesOut() throws Exception {
        AgentEvent slow =
                AgentEvent.newBuilder(simulated("slow", "latencyMs", "60000"))
                        .setTimeoutMs(1)
                        .build();
        CallRequest request = request(MATH, 0, List.of(slow, simulated("good")));

        CallReply reply = execute(request).get(0);

        assertThat(reply.getAnswer()).isEqualTo(answer84("good", 2).build());
        assertThat(reply.getCalls())
                .containsExactly(
                        call(
                                "slow",
                                1,
                                CallMetric.newBuilder()
                                        .setOutcome(CallOutcome.TIMEOUT)
                                        .setErrorClass("java.util.concurrent.TimeoutException")),
                        call("good", 2, success(0.0)));
    }

    @Test
    void aTimedOutLastAgentSaysHowLongItWasGiven() throws Exception {
        AgentEvent slow =
                AgentEvent.newBuilder(simulated("slow", "latencyMs", "60000"))
                        .setTimeoutMs(1)
                        .build();

        CallReply reply = execute(request(MATH, 0, List.of(slow))).get(0);

        assertThat(reply.getAnswer().getError()).isEqualTo("slow: no answer within 1 ms");
    }

    @Test
    void theCostIsPricedPerThousandTokens() throws Exception {
        AgentEvent priced =
                AgentEvent.newBuilder(simulated("priced"))
                        .setCostPer1kInputTokens(1.0)
                        .setCostPer1kOutputTokens(2.0)
                        .build();

        CallReply reply = execute(request(MATH, 0, List.of(priced))).get(0);

        // 6 / 1000 * 1.0 + 1 / 1000 * 2.0
        assertThat(reply.getAnswer().getCostUsd()).isEqualTo(0.008);
        assertThat(reply.getCalls()).containsExactly(call("priced", 1, success(0.008)));
    }

    @Test
    void aRequestWithoutRouteAnswersWithTheRouteError() throws Exception {
        CallRequest request =
                CallRequest.newBuilder(request(MATH, 0, List.of()))
                        .setRouteError("needs an agent with capabilities [math]")
                        .build();

        assertThat(execute(request))
                .containsExactly(
                        CallReply.newBuilder()
                                .setRequest(withoutChains(request))
                                .setAnswer(
                                        AgentAnswer.newBuilder()
                                                .setAgentId("-")
                                                .setError("needs an agent with capabilities [math]")
                                                .setAttempts(0)
                                                .build())
                                .setCalls(List.of())
                                .build());
    }

    @Test
    void eachReplicaIsAnsweredByItsOwnChain() throws Exception {
        AnalyzedTask vote = analyzed(task("t-1", "math", "What is 12 * (3 + 4)?").build(), 2, 2);
        CallRequest first = request(vote, 0, List.of(simulated("a")));
        CallRequest second = request(vote, 1, List.of(simulated("b", "mode", "wrong")));

        List<CallReply> replies = execute(first, second);

        assertThat(replies)
                .extracting(r -> r.getRequest().getReplica(), r -> r.getAnswer().getOutput())
                .containsExactly(tuple(0, "84"), tuple(1, "85"));
    }
}
