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
 * model's score replaces it (milliseconds). Each score goes through its model's {@link
 * AnalysisPolicy}. The embeddings of the last {@value #CACHED} inputs that reached the second stage
 * are kept, so a repeated input is embedded once.
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
            UncertainBand band) {
        this.features = features;
        this.embedding = embedding;
        this.band = band;
    }

    /** The models shipped in this build, with {@code band}. */
    public static TwoStageComplexityAnalyzer shipped(UncertainBand band, AnalysisPolicy policy) {
        return new TwoStageComplexityAnalyzer(
                OnnxComplexityAnalyzer.shipped(policy),
                EmbeddingComplexityAnalyzer.shipped(policy),
                band);
    }

    @Override
    public Analysis analyse(Task task) {
        float[] row = TaskFeatures.of(task);
        double first = firstStage(row);
        if (!band.contains(first)) {
            return features.decide(task, first);
        }
        return embedding.decide(task, secondStage(task, row));
    }

    /** The task's score: the feature model's, or inside the band the embedding model's. */
    public double score(Task task) {
        float[] row = TaskFeatures.of(task);
        double first = firstStage(row);
        return band.contains(first) ? secondStage(task, row) : first;
    }

    private double firstStage(float[] row) {
        tasks++;
        return features.score(row);
    }

    private double secondStage(Task task, float[] row) {
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

    /** The first stage. */
    public OnnxComplexityAnalyzer features() {
        return features;
    }

    /** The second stage. */
    public EmbeddingComplexityAnalyzer embedding() {
        return embedding;
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
