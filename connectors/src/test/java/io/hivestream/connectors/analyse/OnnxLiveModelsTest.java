package io.hivestream.connectors.analyse;

import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.hivestream.connectors.analyse.ComplexityTrainer.Model;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.ComplexityAnalyzer;
import io.hivestream.operators.analyse.RuleBasedAnalyzer;
import io.hivestream.operators.analyse.TaskFeatures;
import io.hivestream.operators.analyse.UncertainBand;
import io.hivestream.schemas.RouterModel;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.Analysis;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Checking a models topic record, and the analyser built from the accepted ones. */
class OnnxLiveModelsTest {
    private static final AnalysisPolicy POLICY = new AnalysisPolicy(0.5, false, 0.85);
    private static final Task EASY = task("t1", "chat", "What is the capital of Peru?").build();

    /** A feature model that scores every task {@code score}. */
    static byte[] constantFeatureModel(double score) {
        return new Model(new float[TaskFeatures.SIZE], (float) Math.log(score / (1 - score)))
                .toOnnx(Map.of());
    }

    static RouterModel record(String analyzer, String version, byte[] onnx) {
        return RouterModel.newBuilder()
                .setAnalyzer(analyzer)
                .setVersion(version)
                .setOnnx(ByteBuffer.wrap(onnx))
                .setSha256(OnnxLiveModels.sha256(onnx))
                .build();
    }

    private static OnnxLiveModels featureJob() {
        return OnnxLiveModels.of(OnnxComplexityAnalyzer.shipped(POLICY), POLICY);
    }

    @Test
    void withoutARecordTheJobsOwnModelAnalysesAndResultsNameIt() {
        Analysis analysis = featureJob().analyzer(Map.of()).analyse(EASY);
        assertThat(analysis.getModel()).isEqualTo("shipped-features");
        assertThat(analysis.getTier()).isEqualTo(Tier.EDGE);
    }

    @Test
    void anAcceptedFeatureModelAnalysesAndResultsNameItsVersion() {
        OnnxLiveModels live = featureJob();
        RouterModel model = record("onnx", "router-2", constantFeatureModel(0.9));
        live.check(model);

        try (ComplexityAnalyzer analyzer = live.analyzer(Map.of("onnx", model))) {
            Analysis analysis = analyzer.analyse(EASY);
            assertThat(analysis.getModel()).isEqualTo("router-2");
            assertThat(analysis.getComplexity()).isCloseTo(0.9, within(1e-6));
            assertThat(analysis.getTier()).isEqualTo(Tier.CLOUD);
        }
    }

    @Test
    void aRecordsCloudThresholdReplacesTheJobsForItsModel() {
        OnnxLiveModels live = featureJob();
        RouterModel model = record("onnx", "router-3", constantFeatureModel(0.9));
        model.setCloudThreshold(0.95);
        live.check(model);

        try (ComplexityAnalyzer analyzer = live.analyzer(Map.of("onnx", model))) {
            assertThat(analyzer.analyse(EASY).getTier()).isEqualTo(Tier.EDGE);
        }
    }

    @Test
    void aModelForAnotherSlotIsRefused() {
        byte[] onnx =
                EmbeddingComplexityAnalyzer.toOnnx(
                        new Model(new float[EmbeddingComplexityAnalyzer.WIDTH], 0f), Map.of());
        assertThatThrownBy(() -> featureJob().check(record("onnx-embedding", "e-1", onnx)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "it is a model for 'onnx-embedding', and this job's analyser takes models"
                                + " for onnx (analyzer onnx: the feature model; onnx-embedding:"
                                + " the embedding model; onnx-static: the static embedding"
                                + " model)");
    }

    @Test
    void anEmbeddingModelInTheFeatureSlotIsRefusedByWhatItReads() {
        byte[] onnx =
                EmbeddingComplexityAnalyzer.toOnnx(
                        new Model(new float[EmbeddingComplexityAnalyzer.WIDTH], 0f), Map.of());
        assertThatThrownBy(() -> featureJob().check(record("onnx", "e-2", onnx)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "complexity model e-2 cannot be used: it reads the"
                                + " all-MiniLM-L6-v2 embedding of the input besides the features;"
                                + " it is a model for the embedding analyser (onnx-embedding)");
    }

    @Test
    void aModelOfAnotherWidthIsRefused() {
        byte[] onnx = new Model(new float[5], 0f).toOnnx(Map.of());
        assertThatThrownBy(() -> featureJob().check(record("onnx", "narrow", onnx)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "complexity model narrow cannot be used: its input"
                                + " features has the shape [-1, 5], expected floats of shape [N, "
                                + TaskFeatures.SIZE
                                + "]");
    }

    @Test
    void aModelOfAnotherFeaturesVersionIsRefused() {
        byte[] onnx =
                new Model(new float[TaskFeatures.SIZE], 0f)
                        .toOnnx(Map.of(OnnxComplexityAnalyzer.FEATURES_VERSION_KEY, "99"));
        assertThatThrownBy(() -> featureJob().check(record("onnx", "old-features", onnx)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "complexity model old-features cannot be used: it"
                                + " was trained on features version 99, this build computes"
                                + " version "
                                + TaskFeatures.VERSION);
    }

    @Test
    void bytesThatAreNotTheOnesTheRecordHashedAreRefused() {
        RouterModel model = record("onnx", "cut", constantFeatureModel(0.9));
        byte[] cut = new byte[100];
        model.getOnnx().duplicate().get(cut);
        model.setOnnx(ByteBuffer.wrap(cut));
        assertThatThrownBy(() -> featureJob().check(model))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "its 100 bytes have the SHA-256 "
                                + OnnxLiveModels.sha256(cut)
                                + ", not the "
                                + OnnxLiveModels.sha256(constantFeatureModel(0.9))
                                + " the record names: the model was changed or cut on its way");
    }

    @Test
    void bytesThatAreNoModelAreRefused() {
        byte[] text = "not a model".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> featureJob().check(record("onnx", "text", text)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("complexity model text cannot be used: ");
    }

    @Test
    void aBlankVersionAndAThresholdOutsideZeroToOneAreRefused() {
        assertThatThrownBy(() -> featureJob().check(record("onnx", " ", constantFeatureModel(0.9))))
                .hasMessage("its version must be 1 to 100 characters, not blank");
        RouterModel model = record("onnx", "r", constantFeatureModel(0.9));
        model.setCloudThreshold(1.5);
        assertThatThrownBy(() -> featureJob().check(model))
                .hasMessage("its cloudThreshold must be in [0, 1], not 1.5");
    }

    @Test
    void theRulesHaveNoModelToReplace() {
        assertThatThrownBy(() -> OnnxLiveModels.of(new RuleBasedAnalyzer(POLICY), POLICY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "the analyser RuleBasedAnalyzer has no model to replace; live models need"
                                + " the onnx, onnx-embedding, onnx-static or two-stage analyser");
    }

    @Test
    void theStaticAnalyserTakesAStaticModelInItsOwnSlot() {
        OnnxLiveModels live =
                OnnxLiveModels.of(StaticEmbeddingComplexityAnalyzer.shipped(POLICY), POLICY);
        assertThat(live.slots()).containsExactly("onnx-static");
        byte[] onnx =
                StaticEmbeddingComplexityAnalyzer.toOnnx(
                        new Model(
                                new float[StaticEmbeddingComplexityAnalyzer.WIDTH],
                                (float) Math.log(0.9 / 0.1)),
                        Map.of());
        RouterModel model = record("onnx-static", "static-2", onnx);
        live.check(model);
        assertThat(live.analyzer(Map.of()).analyse(EASY).getModel()).isEqualTo("shipped-static");
        try (ComplexityAnalyzer analyzer = live.analyzer(Map.of("onnx-static", model))) {
            Analysis analysis = analyzer.analyse(EASY);
            assertThat(analysis.getModel()).isEqualTo("static-2");
            assertThat(analysis.getTier()).isEqualTo(Tier.CLOUD);
        }
        assertThatThrownBy(() -> live.check(record("onnx", "f", constantFeatureModel(0.9))))
                .hasMessageStartingWith(
                        "it is a model for 'onnx', and this job's analyser takes models for"
                                + " onnx-static");
    }

    @Test
    void theTwoStageAnalyserTakesAFirstStageAndKeepsItsSecond() {
        OnnxLiveModels live =
                OnnxLiveModels.of(
                        TwoStageComplexityAnalyzer.shipped(new UncertainBand(0.5, 0.95), POLICY),
                        POLICY);
        assertThat(live.slots()).containsExactly("onnx", "onnx-embedding");
        RouterModel sure = record("onnx", "first-sure", constantFeatureModel(0.99));
        RouterModel unsure = record("onnx", "first-unsure", constantFeatureModel(0.6));
        live.check(sure);
        live.check(unsure);

        try (ComplexityAnalyzer analyzer = live.analyzer(Map.of("onnx", sure))) {
            // Above the band: the new first stage decides.
            assertThat(analyzer.analyse(EASY).getModel()).isEqualTo("first-sure");
        }
        try (ComplexityAnalyzer analyzer = live.analyzer(Map.of("onnx", unsure))) {
            // Inside the band: the shipped embedding model decides.
            assertThat(analyzer.analyse(EASY).getModel()).isEqualTo("shipped-embedding");
        }
    }
}
