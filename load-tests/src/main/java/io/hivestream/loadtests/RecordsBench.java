package io.hivestream.loadtests;

import io.hivestream.operators.route.AgentStatistics;
import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Lineage;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskMetric;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.codec.Codecs;
import io.hivestream.schemas.codec.FastCoders;
import io.hivestream.schemas.codec.RecordCodec;
import io.hivestream.schemas.codec.RecordDefaults;
import io.hivestream.schemas.internal.AgentStats;
import io.hivestream.schemas.internal.Analysis;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallRequest;
import io.hivestream.schemas.internal.JournaledCall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;

/**
 * What making the records of one task costs on one thread, through the generated builders (column
 * {@code avro}) and through {@link RecordDefaults} (column {@code hivestream}): an analysed task, a
 * call request, an agent's answer, a call's journal entry, a call metric, a result and a lineage,
 * each with the fields the stages set, and an agent's statistics after a call (through {@link
 * AgentStatistics}, which copies them); and what encoding a result in Avro single-object bytes
 * costs, and decoding one and a task's metric, through Avro's {@code BinaryMessageEncoder} and
 * {@code BinaryMessageDecoder} and through {@link RecordCodec}. The best nanoseconds per record
 * over the rounds, after a warm-up.
 *
 * <pre>./load-tests/bench records [rounds]</pre>
 */
public final class RecordsBench {
    private static final RecordDefaults<CallRequest> REQUESTS = RecordDefaults.of(CallRequest::new);
    private static final RecordDefaults<AgentAnswer> ANSWERS = RecordDefaults.of(AgentAnswer::new);
    private static final RecordDefaults<CallMetric> CALLS = RecordDefaults.of(CallMetric::new);
    private static final RecordDefaults<Metric> METRICS = RecordDefaults.of(Metric::new);
    private static final RecordDefaults<TaskResult> RESULTS = RecordDefaults.of(TaskResult::new);
    private static final RecordDefaults<Lineage> LINEAGES = RecordDefaults.of(Lineage::new);

    private static final int PER_ROUND = 200_000;
    private static volatile Object sink;

    private static final AnalyzedTask TASK = new AnalyzedTask();
    private static final List<AgentEvent> CHAIN = List.of();

    private RecordsBench() {}

    record Row(String name, double avroNs, double hivestreamNs) {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        List<Row> rows = new ArrayList<>();
        rows.add(
                row(
                        "AnalyzedTask (analyse)",
                        RecordsBench::analyzedBuilt,
                        RecordsBench::analyzedFilled,
                        rounds));
        rows.add(
                row(
                        "CallRequest (route)",
                        RecordsBench::requestBuilt,
                        RecordsBench::requestFilled,
                        rounds));
        rows.add(
                row(
                        "AgentAnswer (execute)",
                        RecordsBench::answerBuilt,
                        RecordsBench::answerFilled,
                        rounds));
        rows.add(
                row(
                        "JournaledCall (execute)",
                        RecordsBench::journaledBuilt,
                        RecordsBench::journaledFilled,
                        rounds));
        rows.add(
                row(
                        "Metric with its CallMetric (execute)",
                        RecordsBench::metricBuilt,
                        RecordsBench::metricFilled,
                        rounds));
        rows.add(
                row(
                        "TaskResult (execute)",
                        RecordsBench::resultBuilt,
                        RecordsBench::resultFilled,
                        rounds));
        rows.add(
                row(
                        "Lineage with the task's hash",
                        RecordsBench::lineageBuilt,
                        RecordsBench::lineageFilled,
                        rounds));
        rows.add(
                row(
                        "AgentStats after a call (statistics)",
                        RecordsBench::statsBuilt,
                        RecordsBench::statsCopied,
                        rounds));
        rows.add(
                row(
                        "TaskResult encoded, one answer",
                        RecordsBench::encodedByAvro,
                        RecordsBench::encodedByCodec,
                        rounds));
        rows.add(
                row(
                        "TaskResult decoded, one answer",
                        () -> decodedByAvro(RESULT_DECODER, RESULT_BYTES),
                        () -> Codecs.TASK_RESULT.decode(RESULT_BYTES),
                        rounds));
        rows.add(
                row(
                        "Metric of a task decoded",
                        () -> decodedByAvro(METRIC_DECODER, METRIC_BYTES),
                        () -> Codecs.METRIC.decode(METRIC_BYTES),
                        rounds));
        System.out.printf(
                Locale.ROOT,
                "%-40s %14s %14s %8s%n",
                "record",
                "avro ns",
                "hivestream ns",
                "ratio");
        for (Row row : rows) {
            System.out.printf(
                    Locale.ROOT,
                    "%-40s %14.0f %14.0f %8.2f%n",
                    row.name(),
                    row.avroNs(),
                    row.hivestreamNs(),
                    row.hivestreamNs() / row.avroNs());
        }
        System.out.println(
                "best of " + rounds + " rounds of " + PER_ROUND + " records each, one thread");
    }

    private static Row row(
            String name, Supplier<Object> built, Supplier<Object> filled, int rounds) {
        // Warm-up, both paths alternating.
        for (int i = 0; i < 5; i++) {
            time(built);
            time(filled);
        }
        double[] b = new double[rounds];
        double[] f = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            b[i] = time(built);
            f[i] = time(filled);
        }
        Arrays.sort(b);
        Arrays.sort(f);
        return new Row(name, b[0], f[0]);
    }

    private static double time(Supplier<Object> make) {
        long start = System.nanoTime();
        for (int i = 0; i < PER_ROUND; i++) {
            sink = make.get();
        }
        return (System.nanoTime() - start) / (double) PER_ROUND;
    }

    private static final AgentStatistics STATISTICS = new AgentStatistics();
    private static final AgentStats STATS =
            new AgentStats(9.5, 0.5, 10L, 0.0, 0.0, 0L, 3.0, 0.001, 8.0, 1L, 1L, true, 0L, 0L);
    private static final CallMetric CALL = CALLS.make();

    static {
        CALL.setOutcome(CallOutcome.SUCCESS);
        CALL.setLatencyMs(3L);
        CALL.setCostUsd(0.001);
    }

    /** The agent statistics' update of one call as a generated builder makes it. */
    private static Object statsBuilt() {
        double decay = AgentStatistics.DEFAULT_DECAY;
        double smoothing = AgentStatistics.DEFAULT_SMOOTHING;
        return AgentStats.newBuilder(STATS)
                .setSuccesses(STATS.getSuccesses() * decay + 1)
                .setFailures(STATS.getFailures() * decay)
                .setCalls(STATS.getCalls() + 1)
                .setRecentCalls(AgentStatistics.recentCalls(STATS, 2L) + 1)
                .setRecentAt(2L)
                .setLatencyMs(
                        STATS.getLatencyMs()
                                + smoothing * (CALL.getLatencyMs() - STATS.getLatencyMs()))
                .setCostUsd(
                        STATS.getCostUsd() + smoothing * (CALL.getCostUsd() - STATS.getCostUsd()))
                .build();
    }

    private static Object statsCopied() {
        return STATISTICS.onCall(STATS, CALL, 2L);
    }

    private static final RecordDefaults<AnalyzedTask> ANALYZED =
            RecordDefaults.of(AnalyzedTask::new);
    private static final Task PLAIN_TASK = new Task();
    private static final Analysis ANALYSIS = new Analysis();

    private static Object analyzedBuilt() {
        return AnalyzedTask.newBuilder()
                .setTask(PLAIN_TASK)
                .setAnalysis(ANALYSIS)
                .setAdmittedAt(1L)
                .build();
    }

    private static Object analyzedFilled() {
        AnalyzedTask analyzed = ANALYZED.make();
        analyzed.setTask(PLAIN_TASK);
        analyzed.setAnalysis(ANALYSIS);
        analyzed.setAdmittedAt(1L);
        return analyzed;
    }

    private static final RecordDefaults<JournaledCall> JOURNALED =
            RecordDefaults.of(JournaledCall::new);
    private static final Metric CALL_METRIC = new Metric();

    private static Object journaledBuilt() {
        return JournaledCall.newBuilder()
                .setCallId("t-1/0/1/agent-1")
                .setKey("t/t-1")
                .setMetric(CALL_METRIC)
                .setOutput("output")
                .setConfidence(0.9)
                .build();
    }

    private static Object journaledFilled() {
        JournaledCall entry = JOURNALED.make();
        entry.setCallId("t-1/0/1/agent-1");
        entry.setKey("t/t-1");
        entry.setMetric(CALL_METRIC);
        entry.setOutput("output");
        entry.setConfidence(0.9);
        return entry;
    }

    private static Object requestBuilt() {
        return CallRequest.newBuilder().setTask(TASK).setReplica(0).setChain(CHAIN).build();
    }

    private static Object requestFilled() {
        CallRequest request = REQUESTS.make();
        request.setTask(TASK);
        request.setReplica(0);
        request.setChain(CHAIN);
        return request;
    }

    private static Object answerBuilt() {
        return AgentAnswer.newBuilder()
                .setAgentId("agent-1")
                .setTier(Tier.EDGE)
                .setModel("model")
                .setOutput("output")
                .setConfidence(0.9)
                .setLatencyMs(3)
                .setTokensIn(12)
                .setTokensOut(30)
                .setCostUsd(0.001)
                .setAttempts(1)
                .setSimulated(true)
                .build();
    }

    private static Object answerFilled() {
        AgentAnswer answer = ANSWERS.make();
        answer.setAgentId("agent-1");
        answer.setTier(Tier.EDGE);
        answer.setModel("model");
        answer.setOutput("output");
        answer.setConfidence(0.9);
        answer.setLatencyMs(3L);
        answer.setTokensIn(12L);
        answer.setTokensOut(30L);
        answer.setCostUsd(0.001);
        answer.setAttempts(1);
        answer.setSimulated(true);
        return answer;
    }

    private static Object metricBuilt() {
        return Metric.newBuilder()
                .setKind(MetricKind.CALL)
                .setTimestamp(1L)
                .setTaskId("t-1")
                .setAgentId("agent-1")
                .setTenant("default")
                .setCall(
                        CallMetric.newBuilder()
                                .setModel("model")
                                .setAttempt(1)
                                .setOutcome(CallOutcome.SUCCESS)
                                .setErrorClass(null)
                                .setLatencyMs(3)
                                .setTokensIn(12)
                                .setTokensOut(30)
                                .setCostUsd(0.001)
                                .setSimulated(true)
                                .build())
                .build();
    }

    private static Object metricFilled() {
        CallMetric call = CALLS.make();
        call.setModel("model");
        call.setAttempt(1);
        call.setOutcome(CallOutcome.SUCCESS);
        call.setLatencyMs(3L);
        call.setTokensIn(12L);
        call.setTokensOut(30L);
        call.setCostUsd(0.001);
        call.setSimulated(true);
        Metric metric = METRICS.make();
        metric.setKind(MetricKind.CALL);
        metric.setTimestamp(1L);
        metric.setTaskId("t-1");
        metric.setAgentId("agent-1");
        metric.setTenant("default");
        metric.setCall(call);
        return metric;
    }

    private static Object resultBuilt() {
        return TaskResult.newBuilder()
                .setTaskId("t-1")
                .setTenant("default")
                .setSessionId(null)
                .setKind("chat")
                .setStrategy(Strategy.DIRECT)
                .setTier(Tier.EDGE)
                .setComplexity(0.2)
                .setAnalyzerModel("model")
                .setMetadata(new HashMap<>())
                .setAnswers(List.of())
                .setTokensIn(12)
                .setTokensOut(30)
                .setCostUsd(0.001)
                .setSimulated(true)
                .setParentId(null)
                .setRootId(null)
                .setLineage(null)
                .setLatencyMs(5)
                .setStatus(TaskStatus.COMPLETED)
                .setOutput("output")
                .setAgents(List.of("agent-1"))
                .setAgentTier(Tier.EDGE)
                .build();
    }

    private static Object resultFilled() {
        TaskResult result = RESULTS.make();
        result.setTaskId("t-1");
        result.setTenant("default");
        result.setSessionId(null);
        result.setKind("chat");
        result.setStrategy(Strategy.DIRECT);
        result.setTier(Tier.EDGE);
        result.setComplexity(0.2);
        result.setAnalyzerModel("model");
        result.setMetadata(new HashMap<>());
        result.setAnswers(List.of());
        result.setTokensIn(12L);
        result.setTokensOut(30L);
        result.setCostUsd(0.001);
        result.setSimulated(true);
        result.setParentId(null);
        result.setRootId(null);
        result.setLineage(null);
        result.setLatencyMs(5L);
        result.setStatus(TaskStatus.COMPLETED);
        result.setOutput("output");
        result.setAgents(List.of("agent-1"));
        result.setAgentTier(Tier.EDGE);
        return result;
    }

    private static final TaskResult RESULT = encodable();
    private static final BinaryMessageEncoder<TaskResult> MESSAGES =
            new BinaryMessageEncoder<>(
                    SpecificData.getForClass(TaskResult.class), TaskResult.getClassSchema());

    private static TaskResult encodable() {
        FastCoders.enable();
        TaskResult result = (TaskResult) resultFilled();
        result.setAnswers(List.of((AgentAnswer) answerFilled()));
        return result;
    }

    private static Object encodedByAvro() {
        try {
            return MESSAGES.encode(RESULT).array();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object encodedByCodec() {
        return Codecs.TASK_RESULT.encodeAvro(RESULT);
    }

    private static final byte[] RESULT_BYTES = Codecs.TASK_RESULT.encodeAvro(RESULT);
    private static final BinaryMessageDecoder<TaskResult> RESULT_DECODER =
            new BinaryMessageDecoder<>(
                    SpecificData.getForClass(TaskResult.class), TaskResult.getClassSchema());
    private static final byte[] METRIC_BYTES = Codecs.METRIC.encodeAvro(taskMetric());
    private static final BinaryMessageDecoder<Metric> METRIC_DECODER =
            new BinaryMessageDecoder<>(
                    SpecificData.getForClass(Metric.class), Metric.getClassSchema());

    /** A task's metric as the aggregate stage writes it for a completed task. */
    private static Metric taskMetric() {
        TaskMetric task = RecordDefaults.of(TaskMetric::new).make();
        task.setStatus(TaskStatus.COMPLETED);
        task.setLatencyMs(5L);
        task.setCostUsd(0.001);
        Metric metric = METRICS.make();
        metric.setKind(MetricKind.TASK);
        metric.setTimestamp(1_700_000_000_000L);
        metric.setTaskId("t-1");
        metric.setTenant("default");
        metric.setTask(task);
        return metric;
    }

    private static Object decodedByAvro(BinaryMessageDecoder<?> decoder, byte[] bytes) {
        try {
            return decoder.decode(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object lineageBuilt() {
        return Lineage.newBuilder().setTaskSha256("ab12").build();
    }

    private static Object lineageFilled() {
        Lineage lineage = LINEAGES.make();
        lineage.setTaskSha256("ab12");
        return lineage;
    }
}
