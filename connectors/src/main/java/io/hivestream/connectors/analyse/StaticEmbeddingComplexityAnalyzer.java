package io.hivestream.connectors.analyse;

import io.hivestream.connectors.agents.onnx.StaticMiniLmEmbedder;
import io.hivestream.connectors.analyse.ComplexityTrainer.Model;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.TaskFeatures;
import io.hivestream.schemas.Task;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The complexity score of a task from an ONNX model over the static all-MiniLM-L6-v2 embedding of
 * its input ({@link StaticMiniLmEmbedder}: the model's word vectors, weighted and averaged, no
 * transformer) followed by its {@link TaskFeatures}: input {@code float[N, 384 +
 * TaskFeatures.SIZE]}. Nearly as cheap as the feature model, and as right as the transformer's
 * embedding on prompts unlike the training data (docs/analysis.md). The model's metadata must name
 * this embedding and the features version; any other model is refused when the analyser is built.
 * One caller at a time, like every Flink function instance.
 */
public final class StaticEmbeddingComplexityAnalyzer extends EmbeddingModelAnalyzer {
    private static final long serialVersionUID = 1L;

    /** The model the job uses with this analyser, trained by {@code train-router --static}. */
    public static final String SHIPPED_MODEL =
            "/io/hivestream/connectors/analyse/complexity-static.onnx";

    /** The version results name for the shipped model. */
    public static final String SHIPPED_VERSION = "shipped-static";

    /** Inputs of the model: the static embedding, then the features. */
    public static final int WIDTH = StaticMiniLmEmbedder.DIMENSIONS + TaskFeatures.SIZE;

    private StaticEmbeddingComplexityAnalyzer(
            byte[] model, String source, String version, AnalysisPolicy policy) {
        super(model, source, version, policy, WIDTH, StaticMiniLmEmbedder.MODEL);
    }

    /**
     * A model's bytes, named {@code version} in results.
     *
     * @throws IllegalArgumentException when it is not a model of this embedding and these features
     */
    public static StaticEmbeddingComplexityAnalyzer of(
            byte[] model, String source, String version, AnalysisPolicy policy) {
        return new StaticEmbeddingComplexityAnalyzer(model, source, version, policy);
    }

    /** The model shipped in this build. */
    public static StaticEmbeddingComplexityAnalyzer shipped(AnalysisPolicy policy) {
        return of(
                OnnxComplexityAnalyzer.shippedBytes(SHIPPED_MODEL),
                "shipped static embedding model",
                SHIPPED_VERSION,
                policy);
    }

    /**
     * The model in a file.
     *
     * @throws IllegalArgumentException when it cannot be read or is not a model of this embedding
     */
    public static StaticEmbeddingComplexityAnalyzer fromFile(Path file, AnalysisPolicy policy) {
        return of(
                OnnxComplexityAnalyzer.fileBytes(file),
                file.toString(),
                String.valueOf(file.getFileName()),
                policy);
    }

    @Override
    float[] row(Task task) {
        return inputs(task);
    }

    /** The model's inputs for a task: its input's static embedding, then its features. */
    public static float[] inputs(Task task) {
        return EmbeddingComplexityAnalyzer.inputs(
                StaticMiniLmEmbedder.shared().embed(task.getInput()), TaskFeatures.of(task));
    }

    /** The model's inputs for labelled prompts, as {@link #inputs(Task)} computes them. */
    public static float[][] inputs(List<LabelledPrompt> prompts) {
        float[][] rows = new float[prompts.size()][];
        for (int i = 0; i < rows.length; i++) {
            LabelledPrompt prompt = prompts.get(i);
            rows[i] =
                    EmbeddingComplexityAnalyzer.inputs(
                            StaticMiniLmEmbedder.shared().embed(prompt.input()), prompt.features());
        }
        return rows;
    }

    /** The ONNX form of a model trained on {@link #inputs} rows. */
    public static byte[] toOnnx(Model model, Map<String, String> extra) {
        return EmbeddingComplexityAnalyzer.toOnnx(model, StaticMiniLmEmbedder.MODEL, extra);
    }
}
