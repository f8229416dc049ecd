package io.hivestream.jobs.cli;

import io.hivestream.connectors.analyse.EmbeddingComplexityAnalyzer;
import io.hivestream.connectors.analyse.OnnxComplexityAnalyzer;
import io.hivestream.connectors.analyse.OnnxLiveModels;
import io.hivestream.connectors.analyse.StaticEmbeddingComplexityAnalyzer;
import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.connectors.kafka.KafkaConnection;
import io.hivestream.jobs.HivestreamOptions;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.schemas.RouterModel;
import io.hivestream.schemas.codec.Codecs;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Publishes complexity models to the models topic, which a running job takes them from. */
@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        description =
                "Publishes complexity models to the models topic, a compacted registry that a job"
                        + " with hivestream.analyse.live-models=true reads while it runs, and lists"
                        + " them.",
        subcommands = {ModelsCommand.Publish.class, ModelsCommand.ListModels.class})
final class ModelsCommand implements Runnable {
    /** The default of {@link HivestreamOptions#MODELS_TOPIC}. */
    static final String TOPIC = "hivestream.models";

    /** Every analyser slot a model can fill. */
    static final List<String> SLOTS =
            List.of(OnnxLiveModels.FEATURES, OnnxLiveModels.EMBEDDING, OnnxLiveModels.STATIC);

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static class Common {
        @picocli.CommandLine.Mixin KafkaOptions kafka;

        @Option(
                names = "--topic",
                defaultValue = TOPIC,
                description = "Models topic (default: ${DEFAULT-VALUE}).")
        String topic;
    }

    /**
     * The record for the model in {@code file}, checked as a job of that slot checks it (with the
     * shipped model of the slot as the one it would replace).
     *
     * @throws IllegalArgumentException saying what is wrong and what to do
     */
    static RouterModel record(
            Path file,
            String analyzer,
            String version,
            Double cloudThreshold,
            String description,
            long now)
            throws Exception {
        OnnxLiveModels slot = slot(analyzer);
        byte[] onnx;
        try {
            onnx = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no model file " + file);
        }
        String sha256 = OnnxLiveModels.sha256(onnx);
        RouterModel model =
                RouterModel.newBuilder()
                        .setAnalyzer(analyzer)
                        .setVersion(version != null ? version : defaultVersion(file, sha256))
                        .setOnnx(ByteBuffer.wrap(onnx))
                        .setSha256(sha256)
                        .setCloudThreshold(cloudThreshold)
                        .setDescription(description)
                        .setCreatedAt(now)
                        .build();
        try {
            slot.check(model);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    file + " cannot be published for " + analyzer + ": " + e.getMessage(), e);
        }
        return model;
    }

    /** The check of a job whose analyser has the one slot {@code analyzer}. */
    static OnnxLiveModels slot(String analyzer) {
        AnalysisPolicy policy = new AnalysisPolicy();
        return switch (analyzer) {
            case OnnxLiveModels.FEATURES ->
                    OnnxLiveModels.of(OnnxComplexityAnalyzer.shipped(policy), policy);
            case OnnxLiveModels.EMBEDDING ->
                    OnnxLiveModels.of(EmbeddingComplexityAnalyzer.shipped(policy), policy);
            case OnnxLiveModels.STATIC ->
                    OnnxLiveModels.of(StaticEmbeddingComplexityAnalyzer.shipped(policy), policy);
            default ->
                    throw new IllegalArgumentException(
                            "--analyzer must be "
                                    + OnnxLiveModels.FEATURES
                                    + " (a feature model, train-router --out), "
                                    + OnnxLiveModels.EMBEDDING
                                    + " (an embedding model, train-router --embedding --out) or "
                                    + OnnxLiveModels.STATIC
                                    + " (a static embedding model, train-router --static --out),"
                                    + " got '"
                                    + analyzer
                                    + "'");
        };
    }

    /** Why a job would refuse {@code model}, or null when it would take it. */
    static String refusal(RouterModel model) {
        if (!SLOTS.contains(model.getAnalyzer())) {
            return "no analyser has the slot '"
                    + model.getAnalyzer()
                    + "' (slots: "
                    + String.join(", ", SLOTS)
                    + ")";
        }
        try {
            slot(model.getAnalyzer()).check(model);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /**
     * The file's name without {@code .onnx} (its first 80 characters), and the first 8 hex digits
     * of its SHA-256.
     */
    static String defaultVersion(Path file, String sha256) {
        String name = String.valueOf(file.getFileName()).replaceFirst("\\.onnx$", "");
        return name.substring(0, Math.min(80, name.length())) + "-" + sha256.substring(0, 8);
    }

    /** The latest model of every slot on the topic. */
    static Map<String, RouterModel> published(KafkaConnection kafka, String topic) {
        Map<String, RouterModel> models = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record :
                KafkaClients.readAll(kafka, topic, Duration.ofSeconds(30))) {
            if (record.value() == null) {
                continue;
            }
            try {
                RouterModel model = Codecs.ROUTER_MODEL.decode(record.value());
                models.put(model.getAnalyzer(), model);
            } catch (RuntimeException notAModel) {
                // The job sends it to the dead letters; the listing shows what a job would use.
            }
        }
        return models;
    }

    /** One line about a model: slot, version, size, hash, threshold, when, description. */
    static String line(RouterModel model) {
        return model.getAnalyzer()
                + "  "
                + model.getVersion()
                + "  "
                + model.getOnnx().remaining()
                + " bytes  sha256 "
                + model.getSha256()
                + "  cloudThreshold "
                + (model.getCloudThreshold() == null ? "(the job's)" : model.getCloudThreshold())
                + "  published "
                + Instant.ofEpochMilli(model.getCreatedAt())
                + (model.getDescription() == null ? "" : "  " + model.getDescription());
    }

    @Command(
            name = "publish",
            mixinStandardHelpOptions = true,
            description =
                    "Checks an ONNX complexity model as the job will (its input width, features"
                            + " version and embedding) and publishes it; a running job with live"
                            + " models uses it for the tasks it analyses next.")
    static final class Publish extends Common implements Callable<Integer> {
        @Parameters(index = "0", description = "ONNX model file, from train-router --out.")
        Path file;

        @Option(
                names = "--analyzer",
                defaultValue = OnnxLiveModels.STATIC,
                description =
                        "The slot it fills: onnx-static (the static embedding model of the default"
                                + " analyser, train-router --static), onnx (the feature model; the"
                                + " two-stage analyser's first stage) or onnx-embedding (the"
                                + " embedding model; its second) (default: ${DEFAULT-VALUE}).")
        String analyzer;

        @Option(
                names = "--version",
                description =
                        "The version results name it by (default: the file's name and the first 8"
                                + " hex digits of its SHA-256).")
        String version;

        @Option(
                names = "--cloud-threshold",
                description =
                        "Score from which a task prefers CLOUD with this model, e.g. the one"
                                + " train-router --target-quality printed (default: the job's"
                                + " hivestream.analyse.cloud-threshold).")
        Double cloudThreshold;

        @Option(names = "--description", description = "What it was trained on, for people.")
        String description;

        @Override
        public Integer call() throws Exception {
            RouterModel model =
                    record(
                            file,
                            analyzer,
                            version,
                            cloudThreshold,
                            description,
                            System.currentTimeMillis());
            RegistryRecords.publish(
                    kafka.connection(),
                    topic,
                    List.of(model),
                    RouterModel::getAnalyzer,
                    Codecs.ROUTER_MODEL::encodeAvro);
            System.out.println("published " + line(model));
            return 0;
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description =
                    "Prints the latest model published for each slot, and why a job refuses it"
                            + " when it does.")
    static final class ListModels extends Common implements Callable<Integer> {
        @Override
        public Integer call() {
            Map<String, RouterModel> models = published(kafka.connection(), topic);
            if (models.isEmpty()) {
                System.out.println(
                        "no model on "
                                + topic
                                + "; jobs use the models they were started with. Publish one with"
                                + " ./hivestream models publish FILE");
            }
            for (RouterModel model : models.values()) {
                String refusal = refusal(model);
                System.out.println(line(model) + (refusal == null ? "" : "  refused: " + refusal));
            }
            return 0;
        }
    }
}
