package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.connectors.analyse.EmbeddingComplexityAnalyzer;
import io.hivestream.connectors.analyse.OnnxComplexityAnalyzer;
import io.hivestream.connectors.analyse.StaticEmbeddingComplexityAnalyzer;
import io.hivestream.connectors.analyse.TwoStageComplexityAnalyzer;
import io.hivestream.operators.analyse.ComplexityAnalyzer;
import io.hivestream.operators.analyse.RuleBasedAnalyzer;
import io.hivestream.operators.analyse.UncertainBand;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** {@code hivestream.analyse.analyzer} and {@code hivestream.analyse.model} pick the analyser. */
class AnalyzerOptionTest {
    private static final Path FEATURE_MODEL =
            Path.of("..", "connectors/src/main/resources" + OnnxComplexityAnalyzer.SHIPPED_MODEL);
    private static final Path EMBEDDING_MODEL =
            Path.of(
                    "..",
                    "connectors/src/main/resources" + EmbeddingComplexityAnalyzer.SHIPPED_MODEL);

    @Test
    void eachNameSelectsItsAnalyserWithTheShippedModelOrTheUsersFile() {
        assertThat(analyser("onnx", "")).isInstanceOf(OnnxComplexityAnalyzer.class);
        assertThat(analyser("rules", "")).isInstanceOf(RuleBasedAnalyzer.class);
        assertThat(analyser("onnx-embedding", "")).isInstanceOf(EmbeddingComplexityAnalyzer.class);
        assertThat(analyser("onnx-embedding", EMBEDDING_MODEL.toString()))
                .isInstanceOf(EmbeddingComplexityAnalyzer.class);
        assertThat(analyser("two-stage", "")).isInstanceOf(TwoStageComplexityAnalyzer.class);
        assertThat(new Configuration().get(HivestreamOptions.ANALYZER)).isEqualTo("onnx-static");
        assertThat(StageSettings.complexityAnalyzer(new Configuration()))
                .isInstanceOf(StaticEmbeddingComplexityAnalyzer.class);
        assertThat(analyser("onnx-static", ""))
                .isInstanceOf(StaticEmbeddingComplexityAnalyzer.class);
        Configuration twoStage = new Configuration();
        twoStage.set(HivestreamOptions.ANALYZER, "two-stage");
        assertThat(((TwoStageComplexityAnalyzer) StageSettings.complexityAnalyzer(twoStage)).band())
                .isEqualTo(new UncertainBand(0.1, 0.9));
        Configuration narrow = new Configuration();
        narrow.set(HivestreamOptions.ANALYZER, "two-stage");
        narrow.set(HivestreamOptions.UNCERTAIN_BAND, "0.3,0.7");
        assertThat(((TwoStageComplexityAnalyzer) StageSettings.complexityAnalyzer(narrow)).band())
                .isEqualTo(new UncertainBand(0.3, 0.7));
    }

    @Test
    void aModelOfTheOtherPathIsRefusedWhenTheJobIsBuilt() {
        assertThatThrownBy(() -> analyser("onnx-embedding", FEATURE_MODEL.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "complexity model "
                                + FEATURE_MODEL
                                + " cannot be used: it reads the 25 task features alone, not the"
                                + " all-MiniLM-L6-v2 embedding; it is a model for the feature"
                                + " analyser (onnx)");
        assertThatThrownBy(() -> analyser("onnx", EMBEDDING_MODEL.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "complexity model "
                                + EMBEDDING_MODEL
                                + " cannot be used: it reads the all-MiniLM-L6-v2 embedding of the"
                                + " input besides the features; it is a model for the embedding"
                                + " analyser (onnx-embedding)");
        assertThatThrownBy(() -> analyser("embedding", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "hivestream.analyse.analyzer must be two-stage, onnx, onnx-embedding,"
                                + " onnx-static or rules, got 'embedding'");
        assertThatThrownBy(() -> analyser("two-stage", FEATURE_MODEL.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "the two-stage analyser runs the shipped feature and embedding models; a"
                                + " model file ("
                                + FEATURE_MODEL
                                + ") is for onnx or onnx-embedding");
        Configuration badBand = new Configuration();
        badBand.set(HivestreamOptions.UNCERTAIN_BAND, "0.9");
        assertThatThrownBy(() -> StageSettings.complexityAnalyzer(badBand))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "hivestream.analyse.uncertain-band must be two scores LOWER,UPPER such as"
                                + " 0.1,0.9, got '0.9'");
    }

    private static ComplexityAnalyzer analyser(String name, String model) {
        Configuration conf = new Configuration();
        conf.set(HivestreamOptions.ANALYZER, name);
        conf.set(HivestreamOptions.ANALYSE_MODEL, model);
        ComplexityAnalyzer analyzer = StageSettings.complexityAnalyzer(conf);
        analyzer.close();
        return analyzer;
    }
}
