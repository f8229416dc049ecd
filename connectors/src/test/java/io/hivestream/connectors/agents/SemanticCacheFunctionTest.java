package io.hivestream.connectors.agents;

import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import io.hivestream.connectors.agents.onnx.MiniLmTextEmbedder;
import io.hivestream.operators.cache.CacheKeys;
import io.hivestream.operators.cache.SemanticCache;
import io.hivestream.operators.execute.SemanticCacheFunction;
import io.hivestream.operators.testing.MutableClock;
import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CachedAnswer;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import io.hivestream.schemas.internal.SemanticEntries;
import io.hivestream.schemas.internal.SemanticEntry;
import io.hivestream.schemas.internal.SemanticFill;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Drives the {@link SemanticCacheFunction} in Flink's harness for broadcast process functions, with
 * the real MiniLM embedder: the fills are the broadcast input, the tasks the other.
 */
@Timeout(60)
class SemanticCacheFunctionTest {
    private static final long NOW = 1_000_000;
    private static final Duration TTL = Duration.ofMinutes(10);
    private static final MiniLmTextEmbedder EMBEDDER = new MiniLmTextEmbedder();

    private static final String QUESTION = "What is the capital of Portugal?";
    private static final String PARAPHRASE = "Which city is the capital of Portugal?";

    private static final String AGENT = "gpt";
    private static final String MODEL = "gpt-4o-mini";
    private static final double COST = 0.002;

    private final MutableClock clock = new MutableClock(NOW);
    private final List<BroadcastOperatorTestHarness<AnalyzedTask, SemanticFill, AnalyzedTask>>
            harnesses = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (var harness : harnesses) {
            harness.close();
        }
    }

    private BroadcastOperatorTestHarness<AnalyzedTask, SemanticFill, AnalyzedTask> open(
            SemanticCache cache) throws Exception {
        var harness =
                ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                        new SemanticCacheFunction(EMBEDDER, cache, clock),
                        SemanticCacheFunction.ENTRIES);
        harnesses.add(harness);
        return harness;
    }

    private BroadcastOperatorTestHarness<AnalyzedTask, SemanticFill, AnalyzedTask> open()
            throws Exception {
        return open(new SemanticCache(0.9, TTL, 1_000));
    }

    /** A stage restored from {@code snapshot}, as a job restores from a checkpoint. */
    private BroadcastOperatorTestHarness<AnalyzedTask, SemanticFill, AnalyzedTask> restore(
            OperatorSubtaskState snapshot) throws Exception {
        var harness =
                new BroadcastOperatorTestHarness<AnalyzedTask, SemanticFill, AnalyzedTask>(
                        new CoBroadcastWithNonKeyedOperator<>(
                                new SemanticCacheFunction(
                                        EMBEDDER, new SemanticCache(0.9, TTL, 1_000), clock),
                                List.of(SemanticCacheFunction.ENTRIES)),
                        1,
                        1,
                        0);
        harnesses.add(harness);
        harness.setup();
        harness.initializeState(snapshot);
        harness.open();
        return harness;
    }

    /** A chat task of {@code tenant} without a semantic class. */
    private static AnalyzedTask plain(String taskId, String tenant, String input) {
        return analyzed(task(taskId, "chat", input).setTenant(tenant).build(), 1, 1);
    }

    /** A chat task of {@code tenant} that the semantic cache serves, in its tenant's class. */
    private static AnalyzedTask semantic(String taskId, String tenant, String input) {
        AnalyzedTask task = plain(taskId, tenant, input);
        task.setSemanticClass(CacheKeys.classOf(task.getTask()));
        return task;
    }

    private static String classOf(String tenant) {
        return semantic("any", tenant, "any").getSemanticClass();
    }

    /** The fill of the answer {@code output} to {@code input}, given at {@code at}. */
    private static SemanticFill fill(
            String classKey, String taskId, String input, String output, long at) {
        return fill(classKey, taskId, input, EMBEDDER.embed(input), output, at);
    }

    private static SemanticFill fill(
            String classKey,
            String taskId,
            String input,
            float[] embedding,
            String output,
            long at) {
        CachedAnswer answer =
                CachedAnswer.newBuilder()
                        .setAgentId(AGENT)
                        .setModel(MODEL)
                        .setOutput(output)
                        .setConfidence(0.8)
                        .setCostUsd(COST)
                        .setTaskId(taskId)
                        .setCachedAt(at)
                        .build();
        SemanticEntry entry =
                SemanticEntry.newBuilder()
                        .setTaskId(taskId)
                        .setInput(input)
                        .setEmbedding(
                                SemanticCache.bytes(SemanticCache.unit(EMBEDDER.embed(input))))
                        .setAnswer(answer)
                        .setTier(Tier.CLOUD)
                        .setCachedAt(at)
                        .build();
        return SemanticFill.newBuilder().setClassKey(classKey).setEntry(entry).build();
    }

    /** The reply {@code asked} gets from the answer {@code output}, at {@code at}. */
    private static CallReply cachedReply(AnalyzedTask asked, String output, long at) {
        AgentAnswer answer =
                AgentAnswer.newBuilder()
                        .setAgentId(AGENT)
                        .setTier(Tier.CLOUD)
                        .setModel(MODEL)
                        .setOutput(output)
                        .setConfidence(0.8)
                        .setLatencyMs(0)
                        .setTokensIn(0)
                        .setTokensOut(0)
                        .setCostUsd(0.0)
                        .setAttempts(0)
                        .setSimulated(false)
                        .setCached(true)
                        .build();
        Metric call =
                Metric.newBuilder()
                        .setKind(MetricKind.CALL)
                        .setTimestamp(at)
                        .setTaskId(asked.getTask().getTaskId())
                        .setAgentId(AGENT)
                        .setTenant(asked.getTask().getTenant())
                        .setCall(
                                CallMetric.newBuilder()
                                        .setModel(MODEL)
                                        .setAttempt(1)
                                        .setOutcome(CallOutcome.SUCCESS)
                                        .setLatencyMs(0)
                                        .setTokensIn(0)
                                        .setTokensOut(0)
                                        .setCostUsd(0.0)
                                        .setSimulated(false)
                                        .setCached(true)
                                        .setSavedUsd(COST)
                                        .build())
                        .build();
        return CallReply.newBuilder()
                .setRequest(
                        CallRequest.newBuilder()
                                .setTask(asked)
                                .setReplica(0)
                                .setChain(List.of())
                                .setEscalation(List.of())
                                .setCascadeThreshold(0.0)
                                .build())
                .setAnswer(answer)
                .setCalls(List.of(call))
                .build();
    }

    private static List<CallReply> hits(
            BroadcastOperatorTestHarness<AnalyzedTask, SemanticFill, AnalyzedTask> harness) {
        Queue<StreamRecord<CallReply>> out = harness.getSideOutput(SemanticCacheFunction.HITS);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void aTaskWithoutASemanticClassPassesThroughUntouched() throws Exception {
        var harness = open();
        harness.processBroadcastElement(fill(classOf("acme"), "s1", QUESTION, "Lisbon", NOW), 0);
        AnalyzedTask task = plain("t1", "acme", QUESTION);

        harness.processElement(task, 5);

        // The harness copies what it collects (by Java serialization): equal in every field.
        assertThat(task).isEqualTo(plain("t1", "acme", QUESTION));
        assertThat(harness.extractOutputValues()).containsExactly(plain("t1", "acme", QUESTION));
        assertThat(harness.extractOutputValues().get(0).getEmbedding()).isNull();
        assertThat(harness.extractOutputValues().get(0).getSemanticClass()).isNull();
        assertThat(hits(harness)).isEmpty();
    }

    @Test
    void aMissGoesOnWithItsUnitLengthEmbedding() throws Exception {
        var harness = open();

        harness.processElement(semantic("t1", "acme", QUESTION), 5);

        assertThat(hits(harness)).isEmpty();
        List<AnalyzedTask> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        AnalyzedTask missed = out.get(0);
        assertThat(missed.getTask()).isEqualTo(semantic("t1", "acme", QUESTION).getTask());
        assertThat(missed.getSemanticClass()).isEqualTo(classOf("acme"));
        assertThat(missed.getEmbedding().remaining()).isEqualTo(1536);
        float[] embedding = SemanticCache.floats(missed.getEmbedding());
        assertThat(embedding).hasSize(384);
        double dot = 0;
        for (float x : embedding) {
            dot += (double) x * x;
        }
        assertThat(dot).isCloseTo(1.0, within(1e-5));
        assertThat(embedding)
                .containsExactly(SemanticCache.unit(EMBEDDER.embed(QUESTION)), within(0f));
    }

    @Test
    void aParaphraseInTheClassOfAFillGetsItsAnswerAsACachedReply() throws Exception {
        var harness = open();
        harness.processBroadcastElement(fill(classOf("acme"), "s1", QUESTION, "Lisbon", NOW), 0);
        clock.advance(5_000);
        AnalyzedTask asked = semantic("t2", "acme", PARAPHRASE);

        harness.processElement(asked, 5);

        assertThat(harness.extractOutputValues()).isEmpty();
        List<CallReply> hits = hits(harness);
        assertThat(hits)
                .containsExactly(
                        cachedReply(semantic("t2", "acme", PARAPHRASE), "Lisbon", NOW + 5_000));
        CallReply hit = hits.get(0);
        assertThat(hit.getAnswer().getOutput()).isEqualTo("Lisbon");
        assertThat(hit.getAnswer().getCached()).isTrue();
        assertThat(hit.getAnswer().getCostUsd()).isEqualTo(0.0);
        assertThat(hit.getAnswer().getAgentId()).isEqualTo(AGENT);
        assertThat(hit.getAnswer().getTier()).isEqualTo(Tier.CLOUD);
        assertThat(hit.getCalls()).hasSize(1);
        assertThat(hit.getCalls().get(0).getCall().getCached()).isTrue();
        assertThat(hit.getCalls().get(0).getCall().getSavedUsd()).isEqualTo(0.002);
        assertThat(hit.getCalls().get(0).getCall().getCostUsd()).isEqualTo(0.0);
        assertThat(hit.getRequest().getTask().getEmbedding()).isNull();
    }

    @Test
    void theParaphraseInAnotherTenantsClassMisses() throws Exception {
        var harness = open();
        harness.processBroadcastElement(fill(classOf("acme"), "s1", QUESTION, "Lisbon", NOW), 0);

        harness.processElement(semantic("t2", "beta", PARAPHRASE), 5);

        assertThat(classOf("beta")).isNotEqualTo(classOf("acme"));
        assertThat(hits(harness)).isEmpty();
        assertThat(harness.extractOutputValues())
                .extracting(t -> t.getTask().getTaskId(), AnalyzedTask::getSemanticClass)
                .containsExactly(tuple("t2", classOf("beta")));
        assertThat(harness.extractOutputValues().get(0).getEmbedding()).isNotNull();
    }

    @Test
    void aQuestionNamingAnotherCountryMisses() throws Exception {
        var harness = open();
        harness.processBroadcastElement(fill(classOf("acme"), "s1", QUESTION, "Lisbon", NOW), 0);

        harness.processElement(semantic("t2", "acme", "What is the capital of Spain?"), 5);

        assertThat(hits(harness)).isEmpty();
        assertThat(harness.extractOutputValues())
                .extracting(t -> t.getTask().getTaskId())
                .containsExactly("t2");
    }

    @Test
    void anAnswerIsGivenUntilItsTtlEnds() throws Exception {
        var harness = open();
        harness.processBroadcastElement(fill(classOf("acme"), "s1", QUESTION, "Lisbon", NOW), 0);

        clock.set(NOW + TTL.toMillis() - 1);
        harness.processElement(semantic("t2", "acme", PARAPHRASE), 5);
        clock.set(NOW + TTL.toMillis());
        harness.processElement(semantic("t3", "acme", PARAPHRASE), 6);

        assertThat(hits(harness))
                .containsExactly(
                        cachedReply(
                                semantic("t2", "acme", PARAPHRASE),
                                "Lisbon",
                                NOW + TTL.toMillis() - 1));
        assertThat(harness.extractOutputValues())
                .extracting(t -> t.getTask().getTaskId())
                .containsExactly("t3");
    }

    @Test
    void theAnswersSurviveARestore() throws Exception {
        var harness = open();
        harness.processBroadcastElement(fill(classOf("acme"), "s1", QUESTION, "Lisbon", NOW), 0);
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();
        harnesses.remove(harness);
        clock.advance(1_000);

        var restored = restore(snapshot);
        restored.processElement(semantic("t2", "acme", PARAPHRASE), 5);

        assertThat(restored.extractOutputValues()).isEmpty();
        assertThat(hits(restored))
                .containsExactly(
                        cachedReply(semantic("t2", "acme", PARAPHRASE), "Lisbon", NOW + 1_000));
    }

    @Test
    void aClassKeepsItsNewestAnswers() throws Exception {
        var harness = open(new SemanticCache(0.9, Duration.ofHours(1), 2));
        String acme = classOf("acme");
        harness.processBroadcastElement(fill(acme, "s1", QUESTION, "Lisbon", NOW), 0);
        clock.advance(1);
        harness.processBroadcastElement(
                fill(acme, "s2", "What is the capital of Spain?", "Madrid", NOW + 1), 0);
        clock.advance(1);
        harness.processBroadcastElement(
                fill(acme, "s3", "What is the capital of Italy?", "Rome", NOW + 2), 0);

        harness.processElement(semantic("t1", "acme", PARAPHRASE), 5);
        harness.processElement(semantic("t2", "acme", "Which city is the capital of Spain?"), 6);
        harness.processElement(semantic("t3", "acme", "Which city is the capital of Italy?"), 7);

        SemanticEntries kept = harness.getBroadcastState(SemanticCacheFunction.ENTRIES).get(acme);
        assertThat(kept.getEntries())
                .extracting(SemanticEntry::getTaskId)
                .containsExactly("s2", "s3");
        assertThat(harness.extractOutputValues())
                .extracting(t -> t.getTask().getTaskId())
                .containsExactly("t1");
        assertThat(hits(harness))
                .extracting(r -> r.getRequest().getTask().getTask().getTaskId())
                .containsExactly("t2", "t3");
        assertThat(hits(harness))
                .extracting(r -> r.getAnswer().getOutput())
                .containsExactly("Madrid", "Rome");
    }

    @Test
    void everyThousandthFillDropsTheClassesWhoseAnswersAllExpired() throws Exception {
        var harness = open();
        String acme = classOf("acme");
        String beta = classOf("beta");
        float[] question = EMBEDDER.embed(QUESTION);
        harness.processBroadcastElement(fill(beta, "b1", QUESTION, question, "Lisbon", NOW), 0);
        clock.set(NOW + TTL.toMillis());
        var entries = harness.getBroadcastState(SemanticCacheFunction.ENTRIES);

        // The beta fill was the first; the 1,000th fill sweeps.
        for (int i = 2; i < 1_000; i++) {
            harness.processBroadcastElement(
                    fill(acme, "a" + i, QUESTION, question, "Lisbon", NOW + TTL.toMillis()), 0);
        }
        assertThat(entries.contains(beta)).isTrue();
        harness.processBroadcastElement(
                fill(acme, "a1000", QUESTION, question, "Lisbon", NOW + TTL.toMillis()), 0);

        assertThat(entries.contains(beta)).isFalse();
        assertThat(entries.get(acme).getEntries()).hasSize(999);
    }

    /**
     * After a restore the execute stage replays the calls answered since the checkpoint and
     * journals their fills again, while this stage reads the first ones again from its checkpointed
     * offsets: a task's second fill takes no second place in its class.
     */
    @Test
    void aFillOfATaskAlreadyKeptTakesNoSecondPlace() throws Exception {
        var harness = open(new SemanticCache(0.9, Duration.ofHours(1), 2));
        String acme = classOf("acme");
        harness.processBroadcastElement(fill(acme, "s1", QUESTION, "Lisbon", NOW), 0);
        clock.advance(1);
        harness.processBroadcastElement(
                fill(acme, "s2", "What is the capital of Spain?", "Madrid", NOW + 1), 0);
        clock.advance(1);
        harness.processBroadcastElement(
                fill(acme, "s2", "What is the capital of Spain?", "Madrid", NOW + 2), 0);

        harness.processElement(semantic("t1", "acme", PARAPHRASE), 5);

        SemanticEntries kept = harness.getBroadcastState(SemanticCacheFunction.ENTRIES).get(acme);
        assertThat(kept.getEntries())
                .extracting(SemanticEntry::getTaskId, SemanticEntry::getCachedAt)
                .containsExactly(tuple("s1", NOW), tuple("s2", NOW + 1));
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(hits(harness))
                .containsExactly(
                        cachedReply(semantic("t1", "acme", PARAPHRASE), "Lisbon", NOW + 2));
    }
}
