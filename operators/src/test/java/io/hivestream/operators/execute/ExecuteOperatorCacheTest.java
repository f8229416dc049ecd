package io.hivestream.operators.execute;

import static io.hivestream.operators.execute.ExecuteOperatorTest.drain;
import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.hivestream.operators.cache.CacheKeys;
import io.hivestream.operators.cache.CacheMode;
import io.hivestream.operators.cache.CachePolicy;
import io.hivestream.operators.route.SessionKeys;
import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The response cache of the execute stage, with scripted agents whose replies the test completes:
 * which requests find an earlier answer, what a cached answer and its metric say, how identical
 * requests in flight together make one call, and what the TTL, the size bound and a restore do.
 * Requests carry the cache key the analyse stage gives them ({@link CachePolicy}).
 */
@Timeout(60)
class ExecuteOperatorCacheTest {
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(5_000), ZoneOffset.UTC);

    /** acme and beta cache every task; other tenants only those that ask. */
    private static final CachePolicy POLICY =
            new CachePolicy(
                    CacheMode.OFF, Map.of("acme", CacheMode.EXACT, "beta", CacheMode.EXACT));

    static final List<AgentCall> CALLS = Collections.synchronizedList(new ArrayList<>());
    static final List<String> LOG = Collections.synchronizedList(new ArrayList<>());
    static final Map<String, CompletableFuture<AgentReply>> PENDING = new ConcurrentHashMap<>();

    /** Runtimes whose calls wait for the test to answer them. */
    static final class ScriptedRuntimes implements AgentRuntimeFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public AgentRuntime create(AgentEvent agent) {
            return call -> {
                String name =
                        call.task().getTaskId()
                                + "/"
                                + call.replica()
                                + "/"
                                + call.agent().getAgentId()
                                + "#"
                                + call.attempt();
                CALLS.add(call);
                LOG.add("call " + name);
                CompletableFuture<AgentReply> reply = new CompletableFuture<>();
                PENDING.put(name, reply);
                return reply;
            };
        }
    }

    @AfterEach
    void reset() {
        CALLS.clear();
        LOG.clear();
        PENDING.clear();
    }

    /** An agent that costs 2 USD per 1,000 tokens in and 4 per 1,000 out. */
    private static AgentEvent agent(String id) {
        return AgentEvent.newBuilder()
                .setAgentId(id)
                .setRuntime("scripted")
                .setModel("m-1")
                .setCapabilities(List.of("chat", "math"))
                .setCostPer1kInputTokens(2.0)
                .setCostPer1kOutputTokens(4.0)
                .setTimeoutMs(60_000)
                .build();
    }

    private static final AgentEvent A = agent("a");
    private static final AgentEvent B = agent("b");

    /** What {@link #answer} costs at A's and B's prices: 1,000 tokens in, 10 out. */
    private static final double COST = 1000 / 1000.0 * 2.0 + 10 / 1000.0 * 4.0;

    private static Task.Builder math(String taskId, String tenant) {
        return task(taskId, "math", "What is 2 + 2?").setTenant(tenant);
    }

    /** The one-replica request of the task, keyed as the analyse stage keys it. */
    private static CallRequest request(Task.Builder task, AgentEvent... chain) {
        return request(task, 1, 0, chain);
    }

    private static CallRequest request(
            Task.Builder task, int replicas, int replica, AgentEvent... chain) {
        AnalyzedTask analyzed = analyzed(task.setReplicas(replicas).build(), replicas, 1);
        analyzed.setCacheKey(POLICY.key(analyzed));
        return CallRequest.newBuilder()
                .setTask(analyzed)
                .setReplica(replica)
                .setChain(List.of(chain))
                .build();
    }

    private static ExecuteHarness harness(ExecuteSettings settings) throws Exception {
        return new ExecuteHarness(
                new ExecuteOperatorFactory(
                        new ScriptedRuntimes(),
                        settings,
                        ExecuteOperator.ToolPolicy.allowAll(),
                        CLOCK));
    }

    private static ExecuteHarness harness() throws Exception {
        return harness(settings().build());
    }

    private static ExecuteSettings.Builder settings() {
        return ExecuteSettings.builder()
                .backoff(Duration.ofMillis(1), Duration.ofMillis(1))
                .attemptsPerAgent(1);
    }

    private static void answer(String call, String output) {
        answer(call, output, null);
    }

    private static void answer(String call, String output, Double confidence) {
        PENDING.get(call).complete(new AgentReply(output, "m-1", 1000, 10, confidence, false));
    }

    private static void fail(String call) {
        PENDING.get(call)
                .completeExceptionally(
                        new AgentCallException(AgentCallException.Kind.UNAVAILABLE, "down"));
    }

    private static List<String> outputs(ExecuteHarness harness) {
        return harness.extractOutputValues().stream()
                .map(
                        r ->
                                r.getRequest().getTask().getTask().getTaskId()
                                        + "="
                                        + (r.getAnswer().getError() == null
                                                ? r.getAnswer().getOutput()
                                                : "error")
                                        + (r.getAnswer().getCached() ? " cached" : ""))
                .toList();
    }

    /** Runs the task {@code taskId} through A and answers its call with {@code output}. */
    private static void called(ExecuteHarness harness, CallRequest request, String output)
            throws Exception {
        harness.processElement(request, 0);
        String taskId = request.getTask().getTask().getTaskId();
        answer(taskId + "/0/" + request.getChain().get(0).getAgentId() + "#1", output);
        drain(harness);
    }

    @Test
    void theSameRequestAgainIsAnsweredFromTheCacheWithoutACall() throws Exception {
        try (var harness = harness()) {
            harness.open();
            called(harness, request(math("t1", "acme"), A), "4");
            harness.processElement(request(math("t2", "acme"), A), 0);

            assertThat(LOG).containsExactly("call t1/0/a#1");
            assertThat(outputs(harness)).containsExactly("t1=4", "t2=4 cached");
            CallReply first = harness.extractOutputValues().get(0);
            CallReply hit = harness.extractOutputValues().get(1);
            assertThat(first.getAnswer().getCostUsd()).isEqualTo(COST);
            assertThat(first.getAnswer().getCached()).isFalse();
            assertThat(hit.getAnswer())
                    .isEqualTo(
                            AgentAnswer.newBuilder()
                                    .setAgentId("a")
                                    .setTier(Tier.EDGE)
                                    .setModel("m-1")
                                    .setOutput("4")
                                    .setLatencyMs(0)
                                    .setTokensIn(0)
                                    .setTokensOut(0)
                                    .setCostUsd(0.0)
                                    .setAttempts(0)
                                    .setCached(true)
                                    .build());
            assertThat(hit.getCalls()).hasSize(1);
            Metric metric = hit.getCalls().get(0);
            assertThat(metric.getTaskId()).isEqualTo("t2");
            assertThat(metric.getAgentId()).isEqualTo("a");
            assertThat(metric.getTenant()).isEqualTo("acme");
            assertThat(metric.getTimestamp()).isEqualTo(5_000);
            assertThat(metric.getCall().getOutcome()).isEqualTo(CallOutcome.SUCCESS);
            assertThat(metric.getCall().getCached()).isTrue();
            assertThat(metric.getCall().getSavedUsd()).isEqualTo(COST);
            assertThat(metric.getCall().getCostUsd()).isEqualTo(0.0);
            assertThat(metric.getCall().getTokensIn()).isEqualTo(0);
            assertThat(metric.getCall().getTokensOut()).isEqualTo(0);
            assertThat(metric.getCall().getLatencyMs()).isEqualTo(0);
            assertThat(first.getCalls())
                    .extracting(m -> m.getCall().getCached(), m -> m.getCall().getSavedUsd())
                    .containsExactly(tuple(false, 0.0));
            // The cache entry is all the key keeps: no task in flight, no queue, no memory.
            assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        }
    }

    @Test
    void identicalRequestsInFlightTogetherMakeOneCall() throws Exception {
        try (var harness = harness()) {
            harness.open();
            for (int i = 1; i <= 4; i++) {
                harness.processElement(request(math("t" + i, "acme"), A), 0);
            }
            assertThat(LOG).containsExactly("call t1/0/a#1");
            assertThat(outputs(harness)).isEmpty();

            answer("t1/0/a#1", "4");
            drain(harness);

            assertThat(LOG).containsExactly("call t1/0/a#1");
            assertThat(outputs(harness))
                    .containsExactly("t1=4", "t2=4 cached", "t3=4 cached", "t4=4 cached");
            assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        }
    }

    @Test
    void aWaitingRequestCallsItselfWhenTheOneBeforeItFailed() throws Exception {
        try (var harness = harness()) {
            harness.open();
            harness.processElement(request(math("t1", "acme"), A), 0);
            harness.processElement(request(math("t2", "acme"), A), 0);
            fail("t1/0/a#1");
            drain(harness);

            assertThat(LOG).containsExactly("call t1/0/a#1", "call t2/0/a#1");
            answer("t2/0/a#1", "4");
            drain(harness);
            harness.processElement(request(math("t3", "acme"), A), 0);

            assertThat(outputs(harness)).containsExactly("t1=error", "t2=4", "t3=4 cached");
        }
    }

    @Test
    void anotherTenantNeverGetsTheAnswer() throws Exception {
        try (var harness = harness()) {
            harness.open();
            called(harness, request(math("t1", "acme"), A), "4");
            called(harness, request(math("t2", "beta"), A), "four");

            assertThat(LOG).containsExactly("call t1/0/a#1", "call t2/0/a#1");
            assertThat(outputs(harness)).containsExactly("t1=4", "t2=four");
        }
    }

    @Test
    void anotherKindCapabilityOrMetadataEntryIsAnotherRequest() throws Exception {
        List<UnaryOperator<Task.Builder>> changes =
                List.of(
                        t -> t.setKind("chat"),
                        t -> t.setCapabilities(List.of("math")),
                        t -> t.setMetadata(Map.of("format", "digits")),
                        t -> t.setInput("What is 2 + 3?"),
                        t -> t.setRole("checker"),
                        t -> t.setTier(Tier.CLOUD));
        try (var harness = harness()) {
            harness.open();
            called(harness, request(math("t0", "acme"), A), "4");
            for (int i = 0; i < changes.size(); i++) {
                String taskId = "t" + (i + 1);
                called(harness, request(changes.get(i).apply(math(taskId, "acme")), A), "x" + i);
            }

            assertThat(LOG).hasSize(1 + changes.size());
            assertThat(outputs(harness))
                    .containsExactly("t0=4", "t1=x0", "t2=x1", "t3=x2", "t4=x3", "t5=x4", "t6=x5");
        }
    }

    @Test
    void aTaskThatTurnsTheCacheOffIsNotServedNorStored() throws Exception {
        try (var harness = harness()) {
            harness.open();
            CallRequest off = request(math("t1", "acme").setMetadata(Map.of("cache", "off")), A);
            assertThat(SessionKeys.of(off)).isEqualTo("t/t1");
            called(harness, off, "4");
            called(harness, request(math("t2", "acme"), A), "4");
            called(
                    harness,
                    request(math("t3", "acme").setMetadata(Map.of("cache", "off")), A),
                    "4");

            assertThat(LOG).containsExactly("call t1/0/a#1", "call t2/0/a#1", "call t3/0/a#1");
        }
    }

    @Test
    void theReplicasOfAVoteAreNeverCached() throws Exception {
        try (var harness = harness()) {
            harness.open();
            for (String taskId : List.of("v1", "v2")) {
                for (int replica = 0; replica < 3; replica++) {
                    harness.processElement(
                            request(math(taskId, "acme"), 3, replica, agent("r" + replica)), 0);
                }
                for (int replica = 0; replica < 3; replica++) {
                    answer(taskId + "/" + replica + "/r" + replica + "#1", "4");
                }
                drain(harness);
            }

            assertThat(LOG).hasSize(6);
            assertThat(outputs(harness)).doesNotContain("v2=4 cached").hasSize(6);
            assertThat(harness.numKeyedStateEntries()).isEqualTo(0);
        }
    }

    @Test
    void theTurnsOfASessionAreNeverCached() throws Exception {
        try (var harness = harness()) {
            harness.open();
            CallRequest first =
                    request(
                            math("s1", "acme")
                                    .setSessionId("s")
                                    .setMetadata(Map.of("cache", "exact")),
                            A);
            assertThat(SessionKeys.of(first)).isEqualTo("s/acme/s");
            called(harness, first, "4");
            called(
                    harness,
                    request(
                            math("s2", "acme")
                                    .setSessionId("s")
                                    .setMetadata(Map.of("cache", "exact")),
                            A),
                    "still 4");

            assertThat(LOG).containsExactly("call s1/0/a#1", "call s2/0/a#1");
            assertThat(CALLS.get(1).history()).hasSize(1);
            assertThat(outputs(harness)).containsExactly("s1=4", "s2=still 4");
        }
    }

    @Test
    void theAnswerOfAFallbackIsFoundForTheChainThatFellBackToIt() throws Exception {
        try (var harness = harness()) {
            harness.open();
            harness.processElement(request(math("t1", "acme"), A, B), 0);
            fail("t1/0/a#1");
            drain(harness);
            answer("t1/0/b#2", "4");
            drain(harness);
            harness.processElement(request(math("t2", "acme"), A, B), 0);

            assertThat(LOG).containsExactly("call t1/0/a#1", "call t1/0/b#2");
            assertThat(outputs(harness)).containsExactly("t1=4", "t2=4 cached");
            assertThat(harness.extractOutputValues().get(1).getAnswer().getAgentId())
                    .isEqualTo("b");
        }
    }

    @Test
    void anAgentRegisteredAgainWithAnotherModelIsAskedAgain() throws Exception {
        try (var harness = harness()) {
            harness.open();
            called(harness, request(math("t1", "acme"), A), "4");
            AgentEvent upgraded = AgentEvent.newBuilder(A).setModel("m-2").build();
            called(harness, request(math("t2", "acme"), upgraded), "4!");
            AgentEvent repriced = AgentEvent.newBuilder(A).setCostPer1kInputTokens(9.0).build();
            harness.processElement(request(math("t3", "acme"), repriced), 0);

            assertThat(LOG).containsExactly("call t1/0/a#1", "call t2/0/a#1");
            assertThat(outputs(harness)).containsExactly("t1=4", "t2=4!", "t3=4 cached");
        }
    }

    @Test
    void anEscalatedAnswerIsNotCachedNorACachedAnswerThatWouldEscalate() throws Exception {
        AgentEvent cloud = AgentEvent.newBuilder(agent("cloud")).setTier(Tier.CLOUD).build();
        try (var harness = harness()) {
            harness.open();
            CallRequest unsure =
                    CallRequest.newBuilder(request(math("t1", "acme"), A))
                            .setEscalation(List.of(cloud))
                            .setCascadeThreshold(0.5)
                            .build();
            harness.processElement(unsure, 0);
            answer("t1/0/a#1", "5", 0.2);
            drain(harness);
            answer("t1/0/cloud#1", "4", 0.9);
            drain(harness);
            // Without a cascade the same answer is sure enough to keep; with one it is not served.
            harness.processElement(request(math("t2", "acme"), A), 0);
            answer("t2/0/a#1", "5", 0.2);
            drain(harness);
            CallRequest again =
                    CallRequest.newBuilder(request(math("t3", "acme"), A))
                            .setEscalation(List.of(cloud))
                            .setCascadeThreshold(0.5)
                            .build();
            harness.processElement(again, 0);
            harness.processElement(request(math("t4", "acme"), A), 0);

            assertThat(LOG)
                    .containsExactly(
                            "call t1/0/a#1", "call t1/0/cloud#1", "call t2/0/a#1", "call t3/0/a#1");
            answer("t3/0/a#1", "4", 0.8);
            drain(harness);
            assertThat(outputs(harness)).containsExactly("t1=4", "t2=5", "t3=4", "t4=4 cached");
        }
    }

    @Test
    void anAnswerExpiresAfterTheTtl() throws Exception {
        try (var harness = harness(settings().cache(Duration.ofMinutes(10), 100).build())) {
            harness.open();
            harness.setStateTtlProcessingTime(0);
            called(harness, request(math("t1", "acme"), A), "4");
            harness.setStateTtlProcessingTime(Duration.ofMinutes(10).toMillis() - 1);
            harness.processElement(request(math("t2", "acme"), A), 0);
            harness.setStateTtlProcessingTime(Duration.ofMinutes(10).toMillis());
            called(harness, request(math("t3", "acme"), A), "four");

            assertThat(LOG).containsExactly("call t1/0/a#1", "call t3/0/a#1");
            assertThat(outputs(harness)).containsExactly("t1=4", "t2=4 cached", "t3=four");
        }
    }

    @Test
    void beyondTheMaxEntriesNoMoreAnswersAreKept() throws Exception {
        try (var harness = harness(settings().cache(Duration.ofHours(1), 1).build())) {
            harness.open();
            called(harness, request(math("t1", "acme"), A), "4");
            called(harness, request(math("t2", "acme").setInput("What is 3 + 3?"), A), "6");
            called(harness, request(math("t3", "acme").setInput("What is 3 + 3?"), A), "6");
            harness.processElement(request(math("t4", "acme"), A), 0);

            assertThat(LOG).containsExactly("call t1/0/a#1", "call t2/0/a#1", "call t3/0/a#1");
            assertThat(outputs(harness)).containsExactly("t1=4", "t2=6", "t3=6", "t4=4 cached");
        }
    }

    @Test
    void aRestoreKeepsTheCache() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness()) {
            harness.open();
            called(harness, request(math("t1", "acme"), A), "4");
            snapshot = harness.snapshot(1, 1);
        }
        LOG.clear();
        PENDING.clear();
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement(request(math("t2", "acme"), A), 0);

            assertThat(LOG).isEmpty();
            assertThat(outputs(restored)).containsExactly("t2=4 cached");
            assertThat(
                            restored.extractOutputValues()
                                    .get(0)
                                    .getCalls()
                                    .get(0)
                                    .getCall()
                                    .getSavedUsd())
                    .isEqualTo(COST);
        }
    }

    @Test
    void theKeyOfACacheableRequestIsItsCacheKey() {
        CallRequest request = request(math("t1", "acme"), A);

        assertThat(SessionKeys.of(request))
                .isEqualTo(CacheKeys.of(request.getTask().getTask()))
                .startsWith("c/acme/");
    }
}
