package io.hivestream.connectors.analyse;

import io.hivestream.connectors.agents.onnx.MiniLmEmbedder;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.ComplexityAnalyzer;
import io.hivestream.operators.analyse.TaskFeatures;
import io.hivestream.operators.analyse.UncertainBand;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.Analysis;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The feature model decides where it is sure; the embedding model decides the rest. A task's {@link
 * TaskFeatures} are scored by the feature model (tens of microseconds); when that score is inside
 * the {@link UncertainBand}, the task's all-MiniLM-L6-v2 embedding is computed and the embedding
 * model's score replaces it (milliseconds). Both scores go through the same {@link AnalysisPolicy}.
 * The embeddings of the last {@value #CACHED} inputs that reached the second stage are kept, so a
 * repeated input is embedded once.
 *
 * <p>Owns both models (each an ONNX Runtime session opened on first use, freed by {@link
 * #close()}); the embedder is the TaskManager's shared one. One caller at a time, like every Flink
 * function instance.
 */
public final class TwoStageComplexityAnalyzer implements ComplexityAnalyzer {
    private static final long serialVersionUID = 1L;

    /** Inputs whose embeddings are kept. */
    public static final int CACHED = 1024;

    private final OnnxComplexityAnalyzer features;
    private final EmbeddingComplexityAnalyzer embedding;
    private final UncertainBand band;
    private final AnalysisPolicy policy;
    private transient Map<String, float[]> embeddings;
    private transient long tasks;
    private transient long secondStage;
    private transient long embedded;

    /**
     * @param features the first stage: the feature model
     * @param embedding the second stage: the embedding model
     * @param band the first stage's scores that the second stage decides
     */
    public TwoStageComplexityAnalyzer(
            OnnxComplexityAnalyzer features,
            EmbeddingComplexityAnalyzer embedding,
            UncertainBand band,
            AnalysisPolicy policy) {
        this.features = features;
        this.embedding = embedding;
        this.band = band;
        this.policy = policy;
    }

    /** The models shipped in this build, with {@code band}. */
    public static TwoStageComplexityAnalyzer shipped(UncertainBand band, AnalysisPolicy policy) {
        return new TwoStageComplexityAnalyzer(
                OnnxComplexityAnalyzer.shipped(policy),
                EmbeddingComplexityAnalyzer.shipped(policy),
                band,
                policy);
    }

    @Override
    public Analysis analyse(Task task) {
        return policy.decide(task, score(task));
    }

    /** The task's score: the feature model's, or inside the band the embedding model's. */
    public double score(Task task) {
        tasks++;
        float[] row = TaskFeatures.of(task);
        double first = features.score(row);
        if (!band.contains(first)) {
            return first;
        }
        secondStage++;
        return embedding.score(EmbeddingComplexityAnalyzer.inputs(embed(task.getInput()), row));
    }

    private float[] embed(String input) {
        if (embeddings == null) {
            embeddings =
                    new LinkedHashMap<>(64, 0.75f, true) {
                        @Override
                        protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                            return size() > CACHED;
                        }
                    };
        }
        float[] vector = embeddings.get(input);
        if (vector == null) {
            embedded++;
            vector = MiniLmEmbedder.shared().embed(input);
            embeddings.put(input, vector);
        }
        return vector;
    }

    public UncertainBand band() {
        return band;
    }

    /** Tasks scored since this analyser was built. */
    public long tasks() {
        return tasks;
    }

    /** Of {@link #tasks()}, those the embedding model decided. */
    public long secondStage() {
        return secondStage;
    }

    /** Of {@link #secondStage()}, those whose input was embedded (not found in the cache). */
    public long embedded() {
        return embedded;
    }

    @Override
    public void close() {
        try {
            features.close();
        } finally {
            embedding.close();
        }
    }
}
