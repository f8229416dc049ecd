package io.hivestream.connectors.analyse;

import static io.hivestream.connectors.analyse.OnnxLiveModelsTest.constantFeatureModel;
import static io.hivestream.connectors.analyse.OnnxLiveModelsTest.record;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.Outputs;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.LiveAnalyseFunction;
import io.hivestream.operators.analyse.TaskFeatures;
import io.hivestream.operators.cache.CachePolicy;
import io.hivestream.operators.decode.DecodeFunction;
import io.hivestream.schemas.DeadLetter;
import io.hivestream.schemas.RouterModel;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.codec.Codecs;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.RawRecord;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** The analyse stage taking a model while it runs, keeping it through a restore. */
class LiveAnalyseFunctionTest {
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(42_000), ZoneOffset.UTC);
    private static final AnalysisPolicy POLICY = new AnalysisPolicy(0.5, false, 0.85);

    private static OnnxLiveModels live() {
        return OnnxLiveModels.of(OnnxComplexityAnalyzer.shipped(POLICY), POLICY);
    }

    private static BroadcastOperatorTestHarness<Task, RouterModel, AnalyzedTask> harness(
            OperatorSubtaskState restoreFrom) throws Exception {
        var harness =
                new BroadcastOperatorTestHarness<Task, RouterModel, AnalyzedTask>(
                        new CoBroadcastWithNonKeyedOperator<>(
                                new LiveAnalyseFunction(live(), CLOCK, CachePolicy.off()),
                                List.of(LiveAnalyseFunction.MODELS)),
                        1,
                        1,
                        0);
        harness.setup();
        harness.initializeState(restoreFrom);
        harness.open();
        return harness;
    }

    private static AnalyzedTask analyse(
            BroadcastOperatorTestHarness<Task, RouterModel, AnalyzedTask> harness, String id)
            throws Exception {
        harness.processElement(task(id, "chat", "What is the capital of Peru?").build(), 0);
        List<AnalyzedTask> out = harness.extractOutputValues();
        return out.get(out.size() - 1);
    }

    @Test
    void tasksAfterAModelArrivesAreAnalysedByItAndARestoreKeepsIt() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness(null)) {
            AnalyzedTask before = analyse(harness, "t1");
            assertThat(before.getAnalysis().getModel()).isEqualTo("shipped-features");
            assertThat(before.getAnalysis().getTier()).isEqualTo(Tier.EDGE);

            harness.processBroadcastElement(
                    record("onnx", "router-2", constantFeatureModel(0.9)), 1);
            AnalyzedTask after = analyse(harness, "t2");
            assertThat(after.getAnalysis().getModel()).isEqualTo("router-2");
            assertThat(after.getAnalysis().getTier()).isEqualTo(Tier.CLOUD);
            assertThat(after.getAdmittedAt()).isEqualTo(42_000);

            harness.processBroadcastElement(
                    record("onnx", "router-3", constantFeatureModel(0.2)), 2);
            AnalyzedTask third = analyse(harness, "t3");
            assertThat(third.getAnalysis().getModel()).isEqualTo("router-3");
            assertThat(third.getAnalysis().getTier()).isEqualTo(Tier.EDGE);
            snapshot = harness.snapshot(1, 3);
        }
        try (var restored = harness(snapshot)) {
            AnalyzedTask afterRestore = analyse(restored, "t4");
            assertThat(afterRestore.getAnalysis().getModel()).isEqualTo("router-3");
        }
    }

    @Test
    void aModelThatNoLongerLoadsIsLeftOutAndTheJobsOwnModelAnalyses() throws Exception {
        // As a record restored from a savepoint of a build with other features would be: it
        // passed the check once, and fails to load now.
        RouterModel stale =
                record(
                        "onnx",
                        "old-features",
                        new ComplexityTrainer.Model(new float[TaskFeatures.SIZE], 0f)
                                .toOnnx(
                                        java.util.Map.of(
                                                OnnxComplexityAnalyzer.FEATURES_VERSION_KEY, "0")));
        try (var harness = harness(null)) {
            harness.processBroadcastElement(stale, 1);
            assertThat(analyse(harness, "t1").getAnalysis().getModel())
                    .isEqualTo("shipped-features");

            harness.processBroadcastElement(
                    record("onnx", "router-2", constantFeatureModel(0.9)), 2);
            assertThat(analyse(harness, "t2").getAnalysis().getModel()).isEqualTo("router-2");
        }
    }

    private static RawRecord raw(long offset, RouterModel model) {
        return RawRecord.newBuilder()
                .setTopic("hivestream.models")
                .setPartition(0)
                .setOffset(offset)
                .setTimestamp(7)
                .setKey(ByteBuffer.wrap(model.getAnalyzer().getBytes()))
                .setValue(ByteBuffer.wrap(Codecs.ROUTER_MODEL.encodeAvro(model)))
                .build();
    }

    @Test
    void theCheckPassesAGoodModelAndMakesADeadLetterOfABadOne() throws Exception {
        RouterModel good = record("onnx", "router-2", constantFeatureModel(0.9));
        RouterModel bad =
                record(
                        "onnx",
                        "narrow",
                        new ComplexityTrainer.Model(new float[5], 0f).toOnnx(java.util.Map.of()));
        try (OneInputStreamOperatorTestHarness<RawRecord, RouterModel> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new DecodeFunction<>(
                                "check-models", LiveAnalyseFunction.checker(live()), CLOCK))) {
            harness.processElement(raw(0, good), 0);
            harness.processElement(raw(1, bad), 0);

            assertThat(harness.extractOutputValues()).containsExactly(good);
            List<DeadLetter> dead =
                    harness.getSideOutput(Outputs.DEAD_LETTERS).stream()
                            .map(StreamRecord::getValue)
                            .toList();
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).getOffset()).isEqualTo(1);
            assertThat(dead.get(0).getStage()).isEqualTo("check-models");
            assertThat(dead.get(0).getReason())
                    .isEqualTo(
                            "model narrow for onnx refused, the models in use stay: complexity"
                                    + " model narrow cannot be used: its"
                                    + " input features has the shape [-1, 5], expected floats of"
                                    + " shape [N, 25]");
        }
    }
}
