package io.hivestream.connectors.analyse;

import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.ComplexityAnalyzer;
import io.hivestream.operators.analyse.LiveModels;
import io.hivestream.operators.analyse.TaskFeatures;
import io.hivestream.operators.decode.RawDecoder;
import io.hivestream.schemas.RouterModel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The ONNX analysers' models, replaceable while the job runs. The feature analyser has one slot,
 * {@value #FEATURES}; the embedding analyser one, {@value #EMBEDDING}; the two-stage analyser both,
 * its first stage and its second. A record for a slot replaces the model the job was started with
 * in that slot, with the record's cloud threshold when it names one.
 */
public final class OnnxLiveModels implements LiveModels {
    private static final long serialVersionUID = 1L;

    /**
     * The slot of the feature model: the onnx analyser, and the two-stage analyser's first stage.
     */
    public static final String FEATURES = "onnx";

    /**
     * The slot of the embedding model: the onnx-embedding analyser, and the two-stage analyser's
     * second stage.
     */
    public static final String EMBEDDING = "onnx-embedding";

    /** The slot of the static embedding model: the onnx-static analyser. */
    public static final String STATIC = "onnx-static";

    /** Longest version a record may name: it is written into every result. */
    public static final int MAX_VERSION_CHARS = 100;

    private final OnnxComplexityAnalyzer features;
    private final EmbeddingComplexityAnalyzer embedding;
    private final TwoStageComplexityAnalyzer twoStage;
    private final StaticEmbeddingComplexityAnalyzer staticModel;
    private final AnalysisPolicy policy;

    private OnnxLiveModels(
            OnnxComplexityAnalyzer features,
            EmbeddingComplexityAnalyzer embedding,
            TwoStageComplexityAnalyzer twoStage,
            StaticEmbeddingComplexityAnalyzer staticModel,
            AnalysisPolicy policy) {
        this.features = features;
        this.embedding = embedding;
        this.twoStage = twoStage;
        this.staticModel = staticModel;
        this.policy = policy;
    }

    /**
     * The live models of the job's analyser, which starts with its own models.
     *
     * @param policy the job's policy, whose cloud threshold a record may replace
     * @throws IllegalArgumentException for an analyser without a model (the rules)
     */
    public static OnnxLiveModels of(ComplexityAnalyzer analyzer, AnalysisPolicy policy) {
        if (analyzer instanceof OnnxComplexityAnalyzer onnx) {
            return new OnnxLiveModels(onnx, null, null, null, policy);
        }
        if (analyzer instanceof EmbeddingComplexityAnalyzer onnx) {
            return new OnnxLiveModels(null, onnx, null, null, policy);
        }
        if (analyzer instanceof StaticEmbeddingComplexityAnalyzer onnx) {
            return new OnnxLiveModels(null, null, null, onnx, policy);
        }
        if (analyzer instanceof TwoStageComplexityAnalyzer two) {
            return new OnnxLiveModels(two.features(), two.embedding(), two, null, policy);
        }
        throw new IllegalArgumentException(
                "the analyser "
                        + analyzer.getClass().getSimpleName()
                        + " has no model to replace; live models need the onnx, onnx-embedding,"
                        + " onnx-static or two-stage analyser");
    }

    /** The slots this job's analyser has, in the order {@link #FEATURES}, {@link #EMBEDDING}. */
    public List<String> slots() {
        if (twoStage != null) {
            return List.of(FEATURES, EMBEDDING);
        }
        if (staticModel != null) {
            return List.of(STATIC);
        }
        return List.of(features != null ? FEATURES : EMBEDDING);
    }

    @Override
    public void check(RouterModel model) {
        if (!slots().contains(model.getAnalyzer())) {
            throw new IllegalArgumentException(
                    "it is a model for '"
                            + model.getAnalyzer()
                            + "', and this job's analyser takes models for "
                            + String.join(" and ", slots())
                            + " (analyzer "
                            + FEATURES
                            + ": the feature model; "
                            + EMBEDDING
                            + ": the embedding model; "
                            + STATIC
                            + ": the static embedding model)");
        }
        String version = model.getVersion();
        if (version.isBlank() || version.length() > MAX_VERSION_CHARS) {
            throw new IllegalArgumentException(
                    "its version must be 1 to " + MAX_VERSION_CHARS + " characters, not blank");
        }
        byte[] onnx = RawDecoder.bytes(model.getOnnx());
        String sha256 = sha256(onnx);
        if (!sha256.equals(model.getSha256())) {
            throw new IllegalArgumentException(
                    "its "
                            + onnx.length
                            + " bytes have the SHA-256 "
                            + sha256
                            + ", not the "
                            + model.getSha256()
                            + " the record names: the model was changed or cut on its way");
        }
        Double threshold = model.getCloudThreshold();
        if (threshold != null && !(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException(
                    "its cloudThreshold must be in [0, 1], not " + threshold);
        }
        // Loading checks the model's input against this build's features and embedding; a score
        // checks that it runs and gives one number.
        if (FEATURES.equals(model.getAnalyzer())) {
            OnnxComplexityAnalyzer loaded = features(model);
            try {
                loaded.score(new float[TaskFeatures.SIZE]);
            } finally {
                loaded.close();
            }
        } else if (STATIC.equals(model.getAnalyzer())) {
            StaticEmbeddingComplexityAnalyzer loaded = staticModel(model);
            try {
                loaded.score(new float[StaticEmbeddingComplexityAnalyzer.WIDTH]);
            } finally {
                loaded.close();
            }
        } else {
            EmbeddingComplexityAnalyzer loaded = embedding(model);
            try {
                loaded.score(new float[EmbeddingComplexityAnalyzer.WIDTH]);
            } finally {
                loaded.close();
            }
        }
    }

    @Override
    public ComplexityAnalyzer analyzer(Map<String, RouterModel> models) {
        RouterModel first = models.get(FEATURES);
        RouterModel second = models.get(EMBEDDING);
        OnnxComplexityAnalyzer f = first != null && features != null ? features(first) : features;
        EmbeddingComplexityAnalyzer e =
                second != null && embedding != null ? embedding(second) : embedding;
        if (twoStage != null) {
            return new TwoStageComplexityAnalyzer(f, e, twoStage.band());
        }
        if (staticModel != null) {
            RouterModel record = models.get(STATIC);
            return record != null ? staticModel(record) : staticModel;
        }
        return f != null ? f : e;
    }

    private OnnxComplexityAnalyzer features(RouterModel model) {
        return new OnnxComplexityAnalyzer(
                RawDecoder.bytes(model.getOnnx()),
                source(model),
                model.getVersion(),
                policy(model));
    }

    private EmbeddingComplexityAnalyzer embedding(RouterModel model) {
        return EmbeddingComplexityAnalyzer.of(
                RawDecoder.bytes(model.getOnnx()),
                source(model),
                model.getVersion(),
                policy(model));
    }

    private StaticEmbeddingComplexityAnalyzer staticModel(RouterModel model) {
        return StaticEmbeddingComplexityAnalyzer.of(
                RawDecoder.bytes(model.getOnnx()),
                source(model),
                model.getVersion(),
                policy(model));
    }

    private AnalysisPolicy policy(RouterModel model) {
        return model.getCloudThreshold() == null
                ? policy
                : policy.withCloudThreshold(model.getCloudThreshold());
    }

    private static String source(RouterModel model) {
        return model.getVersion();
    }

    /** SHA-256 of {@code bytes}, 64 lowercase hex digits, as {@link RouterModel} names it. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
