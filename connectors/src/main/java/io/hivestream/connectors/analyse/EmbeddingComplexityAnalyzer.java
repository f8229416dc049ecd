package io.hivestream.connectors.analyse;

import io.hivestream.connectors.agents.onnx.MiniLmEmbedder;
import io.hivestream.connectors.analyse.ComplexityTrainer.Model;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.TaskFeatures;
import io.hivestream.schemas.Task;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The complexity score of a task from an ONNX model over the all-MiniLM-L6-v2 embedding of its
 * input followed by its {@link TaskFeatures}: input {@code float[N, 384 + TaskFeatures.SIZE]},
 * first output the probability that the task needs a large model, mapped to a tier and strategy by
 * the same {@link AnalysisPolicy} as the feature model's.
 *
 * <p>Owns the complexity model (through an {@link OnnxComplexityAnalyzer} of the wider input), not
 * the embedder: the embedding comes from the TaskManager's shared {@link MiniLmEmbedder} (one
 * intra-op thread a call, spinning off), loaded on the first task. The model's metadata must name
 * the embedding and the features version it was trained on; any other model is refused when the
 * analyser is built. One caller at a time, like every Flink function instance.
 */
public final class EmbeddingComplexityAnalyzer extends EmbeddingModelAnalyzer {
    private static final long serialVersionUID = 1L;

    /**
     * The model the job uses with this analyser unless told otherwise, trained by {@code
     * ./hivestream train-router --embedding}.
     */
    public static final String SHIPPED_MODEL =
            "/io/hivestream/connectors/analyse/complexity-embedding.onnx";

    /** Inputs of the model: the embedding, then the features. */
    public static final int WIDTH = MiniLmEmbedder.DIMENSIONS + TaskFeatures.SIZE;

    /** The version results name for the shipped embedding model. */
    public static final String SHIPPED_VERSION = "shipped-embedding";

    private EmbeddingComplexityAnalyzer(
            byte[] model, String source, String version, AnalysisPolicy policy) {
        super(model, source, version, policy, WIDTH, MiniLmEmbedder.MODEL);
    }

    /**
     * A model's bytes, named {@code version} in results.
     *
     * @throws IllegalArgumentException when it is not a model of this embedding and these features
     */
    public static EmbeddingComplexityAnalyzer of(
            byte[] model, String source, String version, AnalysisPolicy policy) {
        return new EmbeddingComplexityAnalyzer(model, source, version, policy);
    }

    /** The embedding model shipped in this build. */
    public static EmbeddingComplexityAnalyzer shipped(AnalysisPolicy policy) {
        return of(
                OnnxComplexityAnalyzer.shippedBytes(SHIPPED_MODEL),
                "shipped embedding model",
                SHIPPED_VERSION,
                policy);
    }

    /**
     * The model in a file.
     *
     * @throws IllegalArgumentException when it cannot be read or is not a model of this embedding
     *     and these features
     */
    public static EmbeddingComplexityAnalyzer fromFile(Path file, AnalysisPolicy policy) {
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

    /** The model's inputs for a task: its input's embedding, then its features. */
    public static float[] inputs(Task task) {
        return inputs(MiniLmEmbedder.shared().embed(task.getInput()), TaskFeatures.of(task));
    }

    /** The model's inputs for a labelled prompt, as {@link #inputs(Task)} computes them. */
    public static float[] inputs(LabelledPrompt prompt) {
        return inputs(MiniLmEmbedder.shared().embed(prompt.input()), prompt.features());
    }

    /**
     * The model's inputs for a list of prompts, one embedding run each, as the analyser runs them
     * (a batch would pad the shorter prompts and change the last bits of their embeddings).
     */
    public static float[][] inputs(List<LabelledPrompt> prompts) {
        float[][] rows = new float[prompts.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = inputs(prompts.get(i));
        }
        return rows;
    }

    /** The embedding followed by the features. */
    public static float[] inputs(float[] embedding, float[] features) {
        if (embedding.length != MiniLmEmbedder.DIMENSIONS || features.length != TaskFeatures.SIZE) {
            throw new IllegalArgumentException(
                    "expected an embedding of "
                            + MiniLmEmbedder.DIMENSIONS
                            + " and "
                            + TaskFeatures.SIZE
                            + " features, got "
                            + embedding.length
                            + " and "
                            + features.length);
        }
        float[] row = new float[WIDTH];
        System.arraycopy(embedding, 0, row, 0, embedding.length);
        System.arraycopy(features, 0, row, embedding.length, features.length);
        return row;
    }

    /**
     * The ONNX form of a model trained on {@link #inputs} rows: the features' names and version,
     * the embedding's name and size, and {@code extra} as metadata.
     */
    public static byte[] toOnnx(Model model, Map<String, String> extra) {
        return toOnnx(model, MiniLmEmbedder.MODEL, extra);
    }

    /** The ONNX form of a model trained on rows of the embedding named {@code embedding}. */
    static byte[] toOnnx(Model model, String embedding, Map<String, String> extra) {
        if (model.weights().length != WIDTH) {
            throw new IllegalArgumentException(
                    "expected a model of " + WIDTH + " inputs, got " + model.weights().length);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(OnnxComplexityAnalyzer.EMBEDDING_KEY, embedding);
        metadata.put(
                OnnxComplexityAnalyzer.EMBEDDING_DIMENSIONS_KEY,
                Integer.toString(MiniLmEmbedder.DIMENSIONS));
        metadata.putAll(extra);
        return model.toOnnx(metadata);
    }
}
