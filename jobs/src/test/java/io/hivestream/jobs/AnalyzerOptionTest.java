package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.connectors.analyse.EmbeddingComplexityAnalyzer;
import io.hivestream.connectors.analyse.OnnxComplexityAnalyzer;
import io.hivestream.operators.analyse.ComplexityAnalyzer;
import io.hivestream.operators.analyse.RuleBasedAnalyzer;
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
        assertThat(new Configuration().get(HivestreamOptions.ANALYZER)).isEqualTo("onnx");
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
                        "hivestream.analyse.analyzer must be onnx, onnx-embedding or rules, got"
                                + " 'embedding'");
    }

    private static ComplexityAnalyzer analyser(String name, String model) {
        Configuration conf = new Configuration();
        conf.set(HivestreamOptions.ANALYZER, name);
        conf.set(HivestreamOptions.ANALYSE_MODEL, model);
        ComplexityAnalyzer analyzer = HivestreamOptions.complexityAnalyzer(conf);
        analyzer.close();
        return analyzer;
    }
}
