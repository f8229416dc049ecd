package io.hivestream.connectors.analyse;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.ComplexityAnalyzer;
import io.hivestream.operators.analyse.TaskFeatures;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.Analysis;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The complexity score of a task from an ONNX model over its {@link TaskFeatures}: input {@code
 * float[N, TaskFeatures.SIZE]}, first output {@code float[N, 1]} (or {@code [N]}), the probability
 * that the task needs a large model. The score goes through an {@link AnalysisPolicy} like every
 * analyser's. {@link EmbeddingComplexityAnalyzer} runs its wider model through one of these.
 *
 * <p>Owns the model's bytes (a few hundred bytes for the shipped logistic regression) and, from the
 * first task on, one ONNX Runtime session with one thread and spinning off; {@link #close()} frees
 * the session. Not thread-safe beyond what a Flink function instance needs: one caller at a time.
 */
public final class OnnxComplexityAnalyzer implements ComplexityAnalyzer {
    private static final long serialVersionUID = 1L;

    /**
     * The model the job uses unless told otherwise, trained by {@code ./hivestream train-router}.
     */
    public static final String SHIPPED_MODEL = "/io/hivestream/connectors/analyse/complexity.onnx";

    /**
     * The model's score is a probability: from one half on, a large model is the better bet. The
     * rule-based score is not one, hence its own default.
     */
    public static final double DEFAULT_CLOUD_THRESHOLD = 0.5;

    /** Metadata keys written by the trainer; a model that has them must match these features. */
    public static final String FEATURES_VERSION_KEY = "hivestream.features.version";

    public static final String FEATURES_KEY = "hivestream.features";

    /**
     * Metadata key of the sentence embedding a model reads before the features; absent in a model
     * of the features alone.
     */
    public static final String EMBEDDING_KEY = "hivestream.embedding.model";

    public static final String EMBEDDING_DIMENSIONS_KEY = "hivestream.embedding.dimensions";

    /** The version results name for the shipped feature model. */
    public static final String SHIPPED_VERSION = "shipped-features";

    private final byte[] model;
    private final String source;
    private final String version;
    private final AnalysisPolicy policy;
    private final int width;
    private final String embedding;
    private transient OrtSession session;
    private transient String inputName;
    private transient OneRow oneRow;

    /**
     * @param model the ONNX model's bytes
     * @param source where the model came from, for error messages
     * @throws IllegalArgumentException when ONNX Runtime cannot load the model or it does not read
     *     this build's features
     */
    public OnnxComplexityAnalyzer(byte[] model, String source, AnalysisPolicy policy) {
        this(model, source, source, policy);
    }

    /**
     * @param version what results name as the model that scored their task
     */
    public OnnxComplexityAnalyzer(
            byte[] model, String source, String version, AnalysisPolicy policy) {
        this(model, source, version, policy, TaskFeatures.SIZE, null);
    }

    /**
     * A model of {@code width} inputs; with an {@code embedding}, the model must say in its
     * metadata that it was trained on that embedding (see {@link EmbeddingComplexityAnalyzer}).
     */
    OnnxComplexityAnalyzer(
            byte[] model,
            String source,
            String version,
            AnalysisPolicy policy,
            int width,
            String embedding) {
        this.model = model.clone();
        this.source = source;
        this.version = version;
        this.policy = policy;
        this.width = width;
        this.embedding = embedding;
        // Refuse a wrong model when the job is built, not on its first task.
        session();
        close();
    }

    /** The model shipped in this build. */
    public static OnnxComplexityAnalyzer shipped(AnalysisPolicy policy) {
        return new OnnxComplexityAnalyzer(
                shippedBytes(SHIPPED_MODEL), "shipped model", SHIPPED_VERSION, policy);
    }

    /** The model in a file. */
    public static OnnxComplexityAnalyzer fromFile(Path file, AnalysisPolicy policy) {
        return new OnnxComplexityAnalyzer(
                fileBytes(file), file.toString(), String.valueOf(file.getFileName()), policy);
    }

    /** The bytes of a model shipped on the class path. */
    static byte[] shippedBytes(String resource) {
        try (InputStream in = OnnxComplexityAnalyzer.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the shipped model " + resource + " is missing");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes of a model file, or an error that names it. */
    static byte[] fileBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read model " + file + ": " + e, e);
        }
    }

    @Override
    public Analysis analyse(Task task) {
        return decide(task, score(TaskFeatures.of(task)));
    }

    /** This model's decision for a task it scored {@code score}. */
    Analysis decide(Task task, double score) {
        return policy.decide(task, score, version);
    }

    /** What results name as the model that scored their task. */
    public String version() {
        return version;
    }

    /** The model's score for one feature vector. */
    public double score(float[] features) {
        return scoreAll(new float[][] {features})[0];
    }

    /** The model's scores for feature vectors, in one run. */
    public float[] scoreAll(float[][] rows) {
        OrtSession session = session();
        for (float[] row : rows) {
            if (row.length != width) {
                throw new IllegalArgumentException(
                        "expected " + width + " inputs, got " + row.length);
            }
        }
        try {
            if (rows.length == 1 && oneRow != null) {
                return new float[] {clamped(oneRow.score(session, rows[0]))};
            }
            FloatBuffer buffer = FloatBuffer.allocate(rows.length * width);
            for (float[] row : rows) {
                buffer.put(row);
            }
            buffer.flip();
            try (OnnxTensor input =
                            OnnxTensor.createTensor(
                                    OrtEnvironment.getEnvironment(),
                                    buffer,
                                    new long[] {rows.length, width});
                    OrtSession.Result result = session.run(Map.of(inputName, input))) {
                FloatBuffer scores = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[] out = new float[rows.length];
                scores.get(out);
                for (int i = 0; i < out.length; i++) {
                    out[i] = clamped(out[i]);
                }
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("complexity model " + source + " failed: " + e, e);
        }
    }

    /** A user's model might stray a little outside [0, 1]. */
    private static float clamped(float score) {
        return Math.max(0f, Math.min(1f, score));
    }

    /**
     * The tensors of a run of one row, made once per session: the input over a direct buffer that
     * ONNX Runtime reads in place, the score written into a pinned output. The stage scores one
     * task at a time, and making and freeing both tensors on every run cost more than the model.
     */
    private static final class OneRow implements AutoCloseable {
        private final FloatBuffer in;
        private final FloatBuffer out;
        private final OnnxTensor input;
        private final OnnxTensor output;
        private final Map<String, OnnxTensor> inputs;
        private final Map<String, OnnxTensor> outputs;

        private OneRow(String inputName, int width, String outputName, long[] outputShape)
                throws OrtException {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            in = direct(width);
            out = direct(1);
            input = OnnxTensor.createTensor(env, in, new long[] {1, width});
            try {
                output = OnnxTensor.createTensor(env, out, outputShape);
            } catch (OrtException | RuntimeException e) {
                input.close();
                throw e;
            }
            inputs = Map.of(inputName, input);
            outputs = Map.of(outputName, output);
        }

        /**
         * The tensors for the session's model, or null when its first output is not one float per
         * row (then every run makes its own).
         */
        static OneRow of(OrtSession session, String inputName, int width) throws OrtException {
            Map.Entry<String, NodeInfo> first =
                    session.getOutputInfo().entrySet().iterator().next();
            if (!(first.getValue().getInfo() instanceof TensorInfo tensor)
                    || tensor.type != OnnxJavaType.FLOAT) {
                return null;
            }
            long[] shape = tensor.getShape().clone();
            if (shape.length == 0 || shape.length > 2 || shape[0] > 1) {
                return null;
            }
            shape[0] = 1;
            if (shape.length == 2 && shape[1] != 1) {
                return null;
            }
            return new OneRow(inputName, width, first.getKey(), shape);
        }

        private static FloatBuffer direct(int floats) {
            return ByteBuffer.allocateDirect(floats * Float.BYTES)
                    .order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
        }

        float score(OrtSession session, float[] row) throws OrtException {
            in.clear();
            in.put(row);
            // The pinned output is not the result's to free.
            try (OrtSession.Result result = session.run(inputs, outputs)) {
                return out.get(0);
            }
        }

        @Override
        public void close() {
            input.close();
            output.close();
        }
    }

    @Override
    public void close() {
        if (oneRow != null) {
            oneRow.close();
            oneRow = null;
        }
        if (session != null) {
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException("cannot close complexity model: " + e, e);
            } finally {
                session = null;
            }
        }
    }

    private OrtSession session() {
        if (session == null) {
            session = open();
        }
        return session;
    }

    private OrtSession open() {
        OrtSession opened = null;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            options.addConfigEntry("session.inter_op.allow_spinning", "0");
            opened = OrtEnvironment.getEnvironment().createSession(model, options);
            check(opened);
            inputName = opened.getInputNames().iterator().next();
            oneRow = OneRow.of(opened, inputName, width);
            return opened;
        } catch (OrtException | RuntimeException e) {
            if (opened != null) {
                try {
                    opened.close();
                } catch (OrtException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new IllegalArgumentException(
                    "complexity model " + source + " cannot be used: " + e.getMessage(), e);
        }
    }

    /** The analyser, by name, whose models read the embedding named {@code embedding}. */
    private static String analyserOf(String embedding) {
        return io.hivestream.connectors.agents.onnx.StaticMiniLmEmbedder.MODEL.equals(embedding)
                ? "static embedding analyser (onnx-static)"
                : "embedding analyser (onnx-embedding)";
    }

    private void check(OrtSession session) throws OrtException {
        if (session.getNumInputs() != 1) {
            throw new IllegalArgumentException(
                    "expected one input, found " + session.getInputNames());
        }
        NodeInfo input = session.getInputInfo().values().iterator().next();
        long[] shape =
                input.getInfo() instanceof TensorInfo tensor ? tensor.getShape() : new long[0];
        Map<String, String> metadata = session.getMetadata().getCustomMetadata();
        // The embedding is checked before the width: naming the analyser a model belongs to is the
        // more useful message when a model of one path is given to the other.
        String trainedOn = metadata.get(EMBEDDING_KEY);
        if (embedding == null && trainedOn != null) {
            throw new IllegalArgumentException(
                    "it reads the "
                            + trainedOn
                            + " embedding of the input besides the features; it is a model for"
                            + " the "
                            + analyserOf(trainedOn));
        }
        if (embedding != null
                && trainedOn == null
                && shape.length == 2
                && shape[1] == TaskFeatures.SIZE) {
            throw new IllegalArgumentException(
                    "it reads the "
                            + TaskFeatures.SIZE
                            + " task features alone, not the "
                            + embedding
                            + " embedding; it is a model for the feature analyser (onnx)");
        }
        if (embedding != null && trainedOn == null) {
            throw new IllegalArgumentException(
                    "it does not name the embedding it was trained on (metadata "
                            + EMBEDDING_KEY
                            + "); this analyser computes "
                            + embedding);
        }
        if (embedding != null && !embedding.equals(trainedOn)) {
            throw new IllegalArgumentException(
                    "it was trained on the embedding "
                            + trainedOn
                            + " (a model for the "
                            + analyserOf(trainedOn)
                            + "), this analyser computes "
                            + embedding);
        }
        if (shape.length != 2 || shape[1] != width) {
            throw new IllegalArgumentException(
                    "its input "
                            + input.getName()
                            + " has the shape "
                            + java.util.Arrays.toString(shape)
                            + ", expected floats of shape [N, "
                            + width
                            + "]");
        }
        String version = metadata.get(FEATURES_VERSION_KEY);
        if (embedding != null && version == null) {
            // Which of the inputs after the embedding are which is only known from the version.
            throw new IllegalArgumentException(
                    "it does not name the features version it was trained on (metadata "
                            + FEATURES_VERSION_KEY
                            + "); this build computes version "
                            + TaskFeatures.VERSION);
        }
        if (version != null && !version.equals(Integer.toString(TaskFeatures.VERSION))) {
            throw new IllegalArgumentException(
                    "it was trained on features version "
                            + version
                            + ", this build computes version "
                            + TaskFeatures.VERSION);
        }
        String names = metadata.get(FEATURES_KEY);
        if (names != null && !names.equals(String.join(",", TaskFeatures.NAMES))) {
            throw new IllegalArgumentException(
                    "its features " + names + " differ from this build's " + TaskFeatures.NAMES);
        }
    }
}
