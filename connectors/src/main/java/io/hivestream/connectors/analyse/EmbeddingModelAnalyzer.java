package io.hivestream.connectors.analyse;

import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.ComplexityAnalyzer;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.Analysis;

/**
 * An analyser whose ONNX model reads an embedding of the task's input followed by its features:
 * what {@link EmbeddingComplexityAnalyzer} (the transformer's embedding) and {@link
 * StaticEmbeddingComplexityAnalyzer} (the static one) share. A subclass names its embedding and
 * computes a task's row; this class owns the model (an {@link OnnxComplexityAnalyzer} of the wider
 * input, refused when its metadata names another embedding or features version), scores, decides
 * and closes it.
 */
public abstract class EmbeddingModelAnalyzer implements ComplexityAnalyzer {
    private static final long serialVersionUID = 1L;

    private final OnnxComplexityAnalyzer model;

    EmbeddingModelAnalyzer(
            byte[] model,
            String source,
            String version,
            AnalysisPolicy policy,
            int width,
            String embedding) {
        this.model = new OnnxComplexityAnalyzer(model, source, version, policy, width, embedding);
    }

    /** The model's inputs for a task: its input's embedding, then its features. */
    abstract float[] row(Task task);

    @Override
    public Analysis analyse(Task task) {
        return decide(task, score(row(task)));
    }

    /** This model's decision for a task it scored {@code score}. */
    Analysis decide(Task task, double score) {
        return model.decide(task, score);
    }

    /** What results name as the model that scored their task. */
    public String version() {
        return model.version();
    }

    /** The model's score for one row of its inputs. */
    public double score(float[] inputs) {
        return model.score(inputs);
    }

    /** The model's scores for rows of its inputs, in one run. */
    public float[] scoreAll(float[][] rows) {
        return model.scoreAll(rows);
    }

    @Override
    public void close() {
        model.close();
    }
}
