package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.connectors.analyse.ComplexityTrainer.Model;
import io.hivestream.connectors.analyse.OnnxLiveModels;
import io.hivestream.connectors.analyse.StaticEmbeddingComplexityAnalyzer;
import io.hivestream.jobs.HivestreamOptions;
import io.hivestream.operators.analyse.TaskFeatures;
import io.hivestream.schemas.RouterModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./hivestream models publish}: the record it builds, and what it refuses to publish. */
class ModelsCommandTest {
    @TempDir Path dir;

    @Test
    void publishesToTheTopicTheJobReads() {
        assertThat(ModelsCommand.TOPIC).isEqualTo(HivestreamOptions.MODELS_TOPIC.defaultValue());
    }

    @Test
    void aModelsRecordNamesItsBytesHashAndADefaultVersion() throws Exception {
        Path file = dir.resolve("router.onnx");
        byte[] onnx = new Model(new float[TaskFeatures.SIZE], 0.5f).toOnnx(Map.of());
        Files.write(file, onnx);

        RouterModel model = ModelsCommand.record(file, "onnx", null, 0.42, "more voices", 7L);

        String sha256 = OnnxLiveModels.sha256(onnx);
        assertThat(model.getAnalyzer()).isEqualTo("onnx");
        assertThat(model.getVersion()).isEqualTo("router-" + sha256.substring(0, 8));
        assertThat(model.getSha256()).isEqualTo(sha256);
        assertThat(model.getOnnx().remaining()).isEqualTo(onnx.length);
        assertThat(model.getCloudThreshold()).isEqualTo(0.42);
        assertThat(model.getDescription()).isEqualTo("more voices");
        assertThat(model.getCreatedAt()).isEqualTo(7L);
        assertThat(ModelsCommand.refusal(model)).isNull();
    }

    @Test
    void aStaticModelIsPublishedForTheDefaultAnalysersSlot() throws Exception {
        Path file = dir.resolve("static.onnx");
        Files.write(
                file,
                StaticEmbeddingComplexityAnalyzer.toOnnx(
                        new Model(new float[StaticEmbeddingComplexityAnalyzer.WIDTH], 0f),
                        Map.of()));
        RouterModel model = ModelsCommand.record(file, "onnx-static", "s-1", 0.71, null, 0);
        assertThat(model.getAnalyzer()).isEqualTo("onnx-static");
        assertThat(ModelsCommand.refusal(model)).isNull();
        assertThatThrownBy(() -> ModelsCommand.record(file, "onnx", "s-1", null, null, 0))
                .hasMessageStartingWith(file + " cannot be published for onnx: ");
    }

    @Test
    void aLongFileNameMakesAVersionOfAtMost89Characters() {
        String version =
                ModelsCommand.defaultVersion(
                        Path.of("m".repeat(120) + ".onnx"), "0123456789abcdef");
        assertThat(version).isEqualTo("m".repeat(80) + "-01234567");
    }

    @Test
    void aRecordOfNoKnownSlotIsListedWithTheSlots() throws Exception {
        Path file = dir.resolve("router.onnx");
        Files.write(file, new Model(new float[TaskFeatures.SIZE], 0.5f).toOnnx(Map.of()));
        RouterModel model = ModelsCommand.record(file, "onnx", "v", null, null, 0);
        model.setAnalyzer("rules");
        assertThat(ModelsCommand.refusal(model))
                .isEqualTo(
                        "no analyser has the slot 'rules' (slots: onnx, onnx-embedding,"
                                + " onnx-static)");
    }

    @Test
    void aMissingFileAnUnknownSlotAndAModelOfTheOtherSlotAreRefused() throws Exception {
        assertThatThrownBy(
                        () ->
                                ModelsCommand.record(
                                        dir.resolve("none.onnx"), "onnx", "v", null, null, 0))
                .hasMessage("no model file " + dir.resolve("none.onnx"));

        Path file = dir.resolve("router.onnx");
        Files.write(file, new Model(new float[TaskFeatures.SIZE], 0.5f).toOnnx(Map.of()));
        assertThatThrownBy(() -> ModelsCommand.record(file, "rules", "v", null, null, 0))
                .hasMessage(
                        "--analyzer must be onnx (a feature model, train-router --out),"
                                + " onnx-embedding (an embedding model, train-router --embedding"
                                + " --out) or onnx-static (a static embedding model, train-router"
                                + " --static --out), got 'rules'");
        assertThatThrownBy(() -> ModelsCommand.record(file, "onnx-embedding", "v", null, null, 0))
                .hasMessage(
                        file
                                + " cannot be published for onnx-embedding: complexity model v"
                                + " cannot be used: it reads the "
                                + TaskFeatures.SIZE
                                + " task features alone, not the all-MiniLM-L6-v2 embedding; it is"
                                + " a model for the feature analyser (onnx)");
    }
}
