package io.hivestream.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hivestream.connectors.agents.onnx.MiniLmEmbedder;
import io.hivestream.connectors.agents.onnx.StaticMiniLmEmbedder;
import io.hivestream.connectors.analyse.ComplexityTrainer;
import io.hivestream.connectors.analyse.ComplexityTrainer.Evaluation;
import io.hivestream.connectors.analyse.ComplexityTrainer.Model;
import io.hivestream.connectors.analyse.ComplexityTrainer.Split;
import io.hivestream.connectors.analyse.EmbeddingComplexityAnalyzer;
import io.hivestream.connectors.analyse.LabelledPrompt;
import io.hivestream.connectors.analyse.OnnxComplexityAnalyzer;
import io.hivestream.connectors.analyse.StaticEmbeddingComplexityAnalyzer;
import io.hivestream.connectors.kafka.KafkaClients;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.CostAwareThreshold;
import io.hivestream.operators.analyse.TaskFeatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Trains the complexity model from labelled JSON lines and exports it as ONNX. */
@Command(
        name = "train-router",
        mixinStandardHelpOptions = true,
        description = {
            "Trains the complexity model from labelled tasks and writes it as an ONNX file.",
            "The model (logistic regression over the task features) is trained from labelled",
            "JSON lines, evaluated on a seeded held-out split and on a separate unseen file",
            "(accuracy at the cloud threshold, ROC AUC), and written with its metadata",
            "(FILE.json beside FILE). With --embedding, the model reads the all-MiniLM-L6-v2",
            "embedding of the input before the features, and the feature model's figures on the",
            "same split are printed beside its own. With --bootstrap, the labelled routing",
            "examples the job wrote (hivestream.route.examples) are read from their topic, committed",
            "ones from the beginning to the end at start, and added to the training part: the",
            "held-out and unseen figures stay those of the labelled files. Paths are relative to",
            "the repository root."
        })
final class TrainRouterCommand implements Callable<Integer> {
    static final String SHIPPED =
            "connectors/src/main/resources" + OnnxComplexityAnalyzer.SHIPPED_MODEL;

    /** The default of hivestream.topics.routing-examples (a constant, for the option's text). */
    static final String DEFAULT_EXAMPLES_TOPIC = "hivestream.routing-examples";

    /** How long reading the examples topic to its end may take. */
    static final Duration EXAMPLES_TIMEOUT = Duration.ofSeconds(60);

    static final String SHIPPED_EMBEDDING =
            "connectors/src/main/resources" + EmbeddingComplexityAnalyzer.SHIPPED_MODEL;

    static final String SHIPPED_STATIC =
            "connectors/src/main/resources" + StaticEmbeddingComplexityAnalyzer.SHIPPED_MODEL;

    @Option(
            names = "--data",
            split = ",",
            defaultValue =
                    "data/router/hand.jsonl,data/router/templated.jsonl,data/router/voices.jsonl",
            description = "Labelled JSON-lines files to train on (default: ${DEFAULT-VALUE}).")
    List<Path> data;

    @Option(
            names = "--unseen",
            defaultValue = "data/router/unseen.jsonl",
            description =
                    "Labelled prompts written apart from the training data, only evaluated (default: ${DEFAULT-VALUE}; 'none' to skip).")
    String unseen;

    @Option(
            names = "--out",
            description =
                    "ONNX file to write (default: the model the job ships, "
                            + SHIPPED
                            + ", with --embedding "
                            + SHIPPED_EMBEDDING
                            + ", with --static "
                            + SHIPPED_STATIC
                            + ").")
    Path out;

    @Option(
            names = "--embedding",
            description =
                    "Train the embedding model (hivestream.analyse.analyzer=onnx-embedding): the"
                            + " input's all-MiniLM-L6-v2 embedding, then the features.")
    boolean embedding;

    @Option(
            names = "--static",
            description =
                    "Train the static embedding model (hivestream.analyse.analyzer=onnx-static):"
                            + " the input's static all-MiniLM-L6-v2 embedding (word vectors,"
                            + " weighted and averaged, no transformer), then the features.")
    boolean staticEmbedding;

    @Option(
            names = "--bootstrap",
            paramLabel = "HOST:PORT",
            description =
                    "Kafka bootstrap servers to read routing examples from, HOST:PORT[,HOST:PORT...].")
    String bootstrap;

    @Option(
            names = "--examples-topic",
            paramLabel = "TOPIC",
            description =
                    "Topic of the routing examples, with --bootstrap (default: "
                            + DEFAULT_EXAMPLES_TOPIC
                            + ").")
    String examplesTopic;

    @Mixin KafkaConfigOption kafkaConfig;

    @Option(
            names = "--simulated-examples",
            description =
                    "Also train on topic examples whose answers came from simulated agents (the"
                            + " demo, tests): their labels are the simulation's.")
    boolean simulatedExamples;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Seed of the held-out split (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--held-out",
            defaultValue = "0.2",
            description =
                    "Share of each label held out for evaluation (default: ${DEFAULT-VALUE}).")
    double heldOut;

    @Option(
            names = "--cloud-threshold",
            defaultValue = "" + OnnxComplexityAnalyzer.DEFAULT_CLOUD_THRESHOLD,
            description =
                    "Score from which a task counts as CLOUD when measuring accuracy (default: ${DEFAULT-VALUE}).")
    double cloudThreshold;

    @Option(
            names = "--l2",
            description =
                    "L2 regularisation (default: "
                            + ComplexityTrainer.DEFAULT_L2
                            + ", with --embedding "
                            + ComplexityTrainer.DEFAULT_EMBEDDING_L2
                            + " for the embedding model).")
    Double l2;

    @Option(
            names = "--target-quality",
            description =
                    "Also choose the cloud threshold from a quality target: the cheapest threshold"
                            + " whose routing of the held-out prompts keeps this share of"
                            + " always-CLOUD quality, with the routing benchmark's tiers (EDGE"
                            + " cost 1, CLOUD cost 20); printed and written to the metadata as"
                            + " costAwareThreshold. E.g. 0.95.")
    Double targetQuality;

    @Override
    public Integer call() throws Exception {
        if (bootstrap == null && examplesTopic != null) {
            throw new IllegalArgumentException(
                    "--examples-topic needs --bootstrap HOST:PORT of the Kafka to read it from");
        }
        List<LabelledPrompt> prompts = new ArrayList<>();
        for (Path file : data) {
            prompts.addAll(LabelledPrompt.read(resolve(file)));
        }
        List<LabelledPrompt> unseenPrompts =
                unseen.equals("none") ? null : LabelledPrompt.read(resolve(Path.of(unseen)));
        TopicExamples examples = readExamples();
        Split labelled = ComplexityTrainer.split(prompts, heldOut, seed);
        Split split = labelled;
        if (examples != null) {
            List<LabelledPrompt> train = new ArrayList<>(labelled.train());
            train.addAll(examples.prompts());
            split = new Split(List.copyOf(train), labelled.heldOut());
        }
        double featureL2 = l2 != null ? l2 : ComplexityTrainer.DEFAULT_L2;
        if (embedding && staticEmbedding) {
            throw new IllegalArgumentException(
                    "--embedding and --static train different models: choose one");
        }
        boolean embedded = embedding || staticEmbedding;
        String embeddingName = staticEmbedding ? StaticMiniLmEmbedder.MODEL : MiniLmEmbedder.MODEL;
        double embeddingL2 =
                l2 != null
                        ? l2
                        : staticEmbedding
                                ? ComplexityTrainer.DEFAULT_STATIC_L2
                                : ComplexityTrainer.DEFAULT_EMBEDDING_L2;
        ComplexityTrainer trainer =
                new ComplexityTrainer(
                        featureL2,
                        ComplexityTrainer.DEFAULT_ITERATIONS,
                        ComplexityTrainer.DEFAULT_LEARNING_RATE);
        Model featureModel = trainer.train(split.train());
        Evaluations features =
                new Evaluations(
                        ComplexityTrainer.evaluate(featureModel, split.train(), cloudThreshold),
                        ComplexityTrainer.evaluate(featureModel, split.heldOut(), cloudThreshold),
                        unseenPrompts == null
                                ? null
                                : ComplexityTrainer.evaluate(
                                        featureModel, unseenPrompts, cloudThreshold));

        Path onnx =
                resolve(
                        out != null
                                ? out
                                : Path.of(
                                        staticEmbedding
                                                ? SHIPPED_STATIC
                                                : embedding ? SHIPPED_EMBEDDING : SHIPPED));
        if (onnx.getParent() != null) {
            Files.createDirectories(onnx.getParent());
        }
        Map<String, String> trainedOn =
                Map.of(
                        "hivestream.trained-on",
                        split.train().size()
                                + " prompts"
                                + (examples == null
                                        ? ""
                                        : " (" + examples.prompts().size() + " from the topic)")
                                + ", seed "
                                + seed);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode meta = json.createObjectNode();
        Evaluations shown;
        double[] heldOutScores = new double[split.heldOut().size()];
        double maxDifference;
        if (embedded) {
            EmbeddedSplit rows = EmbeddedSplit.of(split, unseenPrompts, staticEmbedding);
            Model model =
                    new ComplexityTrainer(
                                    embeddingL2,
                                    ComplexityTrainer.DEFAULT_ITERATIONS,
                                    ComplexityTrainer.DEFAULT_LEARNING_RATE)
                            .train(rows.train(), rows.trainLabels());
            shown = rows.evaluate(model, cloudThreshold);
            for (int i = 0; i < heldOutScores.length; i++) {
                heldOutScores[i] = model.score(rows.heldOut()[i]);
            }
            Files.write(
                    onnx,
                    staticEmbedding
                            ? StaticEmbeddingComplexityAnalyzer.toOnnx(model, trainedOn)
                            : EmbeddingComplexityAnalyzer.toOnnx(model, trainedOn));
            maxDifference = checkEmbeddingExport(onnx, model, rows.heldOut(), staticEmbedding);
            meta.put("model", "logistic regression");
            meta.put("embedding", embeddingName);
            meta.put("embeddingDimensions", MiniLmEmbedder.DIMENSIONS);
            meta.put("featuresVersion", TaskFeatures.VERSION);
            ArrayNode names = meta.putArray("features");
            TaskFeatures.NAMES.forEach(names::add);
            ArrayNode embeddingWeights = meta.putArray("embeddingWeights");
            for (int i = 0; i < MiniLmEmbedder.DIMENSIONS; i++) {
                embeddingWeights.add(model.weights()[i]);
            }
            ObjectNode weights = meta.putObject("weights");
            for (int i = 0; i < TaskFeatures.SIZE; i++) {
                weights.put(
                        TaskFeatures.NAMES.get(i), model.weights()[MiniLmEmbedder.DIMENSIONS + i]);
            }
            meta.put("bias", model.bias());
        } else {
            shown = features;
            for (int i = 0; i < heldOutScores.length; i++) {
                heldOutScores[i] = featureModel.score(split.heldOut().get(i).features());
            }
            Files.write(onnx, featureModel.toOnnx(trainedOn));
            maxDifference = checkExport(onnx, featureModel, split.heldOut());
            meta.put("model", "logistic regression");
            meta.put("featuresVersion", TaskFeatures.VERSION);
            ArrayNode names = meta.putArray("features");
            TaskFeatures.NAMES.forEach(names::add);
            ObjectNode weights = meta.putObject("weights");
            for (int i = 0; i < TaskFeatures.SIZE; i++) {
                weights.put(TaskFeatures.NAMES.get(i), featureModel.weights()[i]);
            }
            meta.put("bias", featureModel.bias());
        }
        meta.put("cloudThreshold", cloudThreshold);
        meta.put("seed", seed);
        meta.put("heldOutShare", heldOut);
        meta.put("l2", embedded ? embeddingL2 : featureL2);
        put(meta.putObject("metrics"), shown);
        if (embedded) {
            put(meta.putObject("featureModelMetrics"), features);
        }
        meta.put("onnxMaxAbsDifference", maxDifference);
        if (examples != null) {
            ObjectNode fromTopic = meta.putObject("topicExamples");
            fromTopic.put("topic", examplesTopic());
            fromTopic.put("read", examples.prompts().size());
            fromTopic.put("skipped", examples.skipped().size());
            fromTopic.put("simulatedLeftOut", examples.simulatedLeftOut());
            ObjectNode counts = fromTopic.putObject("counts");
            examples.counts().forEach(counts::put);
        }
        CostAwareThreshold.Choice choice = null;
        if (targetQuality != null) {
            boolean[] labels = new boolean[heldOutScores.length];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = split.heldOut().get(i).cloud();
            }
            choice =
                    CostAwareThreshold.choose(
                            heldOutScores,
                            labels,
                            targetQuality,
                            CostAwareThreshold.EDGE,
                            CostAwareThreshold.CLOUD);
            ObjectNode chosen = meta.putObject("costAwareThreshold");
            chosen.put("targetQuality", targetQuality);
            chosen.put("prompts", "held-out");
            chosen.put("threshold", choice.threshold());
            chosen.put("quality", choice.quality());
            chosen.put("alwaysCloudQuality", choice.cloudQuality());
            chosen.put("costSaved", choice.saved());
        }
        Path metaFile = onnx.resolveSibling(baseName(onnx) + ".json");
        Files.writeString(metaFile, json.writeValueAsString(meta) + "\n");

        System.out.println(
                "trained on "
                        + split.train().size()
                        + " prompts ("
                        + data.size()
                        + " file(s)"
                        + (examples == null
                                ? ""
                                : ", " + examples.prompts().size() + " topic examples")
                        + "), seed "
                        + seed
                        + (embedded
                                ? ", inputs: the "
                                        + embeddingName
                                        + " embedding ("
                                        + MiniLmEmbedder.DIMENSIONS
                                        + ") and "
                                        + TaskFeatures.SIZE
                                        + " features"
                                : ""));
        print(shown);
        if (choice != null) {
            System.out.println("held-out: " + choice);
        }
        if (embedded) {
            System.out.println("the feature model on the same split:");
            print(features);
        }
        System.out.printf(
                Locale.ROOT,
                "onnx: %s (max |trainer - onnx| = %.2e), metadata: %s%n",
                onnx,
                maxDifference,
                metaFile);
        return 0;
    }

    private String examplesTopic() {
        return examplesTopic != null ? examplesTopic : DEFAULT_EXAMPLES_TOPIC;
    }

    /**
     * The examples of the topic, read before training and reported at once (bad records on standard
     * error); null without --bootstrap.
     */
    private TopicExamples readExamples() {
        if (bootstrap == null) {
            return null;
        }
        String topic = examplesTopic();
        TopicExamples examples =
                TopicExamples.of(
                        KafkaClients.readAll(
                                kafkaConfig.connection(bootstrap), topic, EXAMPLES_TIMEOUT),
                        simulatedExamples);
        for (String skipped : examples.skipped()) {
            System.err.println("error: not a routing example, skipped: " + skipped);
        }
        System.out.println("examples from " + topic + ": " + examples.summary());
        return examples;
    }

    /** A model's evaluations on the training part, the held-out part and the unseen file. */
    record Evaluations(Evaluation train, Evaluation heldOut, Evaluation unseen) {}

    /** A split's prompts as rows of the embedding model, each embedded on its own. */
    record EmbeddedSplit(
            float[][] train,
            boolean[] trainLabels,
            float[][] heldOut,
            boolean[] heldOutLabels,
            float[][] unseen,
            boolean[] unseenLabels) {
        static EmbeddedSplit of(Split split, List<LabelledPrompt> unseen, boolean staticOnes) {
            java.util.function.Function<List<LabelledPrompt>, float[][]> rows =
                    staticOnes
                            ? StaticEmbeddingComplexityAnalyzer::inputs
                            : EmbeddingComplexityAnalyzer::inputs;
            return new EmbeddedSplit(
                    rows.apply(split.train()),
                    labels(split.train()),
                    rows.apply(split.heldOut()),
                    labels(split.heldOut()),
                    unseen == null ? null : rows.apply(unseen),
                    unseen == null ? null : labels(unseen));
        }

        Evaluations evaluate(Model model, double threshold) {
            return new Evaluations(
                    ComplexityTrainer.evaluate(model, train, trainLabels, threshold),
                    ComplexityTrainer.evaluate(model, heldOut, heldOutLabels, threshold),
                    unseen == null
                            ? null
                            : ComplexityTrainer.evaluate(model, unseen, unseenLabels, threshold));
        }

        private static boolean[] labels(List<LabelledPrompt> prompts) {
            boolean[] labels = new boolean[prompts.size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = prompts.get(i).cloud();
            }
            return labels;
        }
    }

    private static void print(Evaluations e) {
        System.out.println(line("train", e.train()));
        System.out.println(line("held-out", e.heldOut()));
        if (e.unseen() != null) {
            System.out.println(line("unseen", e.unseen()));
        }
    }

    /** Scores the held-out rows with ONNX Runtime from the written embedding model. */
    private static double checkEmbeddingExport(
            Path onnx, Model model, float[][] rows, boolean staticOne) {
        AnalysisPolicy policy = new AnalysisPolicy();
        io.hivestream.operators.analyse.ComplexityAnalyzer analyzer =
                staticOne
                        ? StaticEmbeddingComplexityAnalyzer.fromFile(onnx, policy)
                        : EmbeddingComplexityAnalyzer.fromFile(onnx, policy);
        try {
            float[] scores =
                    analyzer instanceof StaticEmbeddingComplexityAnalyzer s
                            ? s.scoreAll(rows)
                            : ((EmbeddingComplexityAnalyzer) analyzer).scoreAll(rows);
            double max = 0;
            for (int i = 0; i < rows.length; i++) {
                max = Math.max(max, Math.abs(scores[i] - model.score(rows[i])));
            }
            return max;
        } finally {
            analyzer.close();
        }
    }

    /** Scores the held-out prompts with ONNX Runtime from the written file. */
    private static double checkExport(Path onnx, Model model, List<LabelledPrompt> prompts) {
        float[][] rows = new float[prompts.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = prompts.get(i).features();
        }
        OnnxComplexityAnalyzer analyzer =
                OnnxComplexityAnalyzer.fromFile(onnx, new AnalysisPolicy());
        try {
            float[] scores = analyzer.scoreAll(rows);
            double max = 0;
            for (int i = 0; i < rows.length; i++) {
                max = Math.max(max, Math.abs(scores[i] - model.score(rows[i])));
            }
            return max;
        } finally {
            analyzer.close();
        }
    }

    private static void put(ObjectNode metrics, Evaluations e) {
        put(metrics.putObject("train"), e.train());
        put(metrics.putObject("heldOut"), e.heldOut());
        if (e.unseen() != null) {
            put(metrics.putObject("unseen"), e.unseen());
        }
    }

    private static void put(ObjectNode node, Evaluation e) {
        node.put("examples", e.examples());
        node.put("accuracy", e.accuracy());
        node.put("rocAuc", e.rocAuc());
        node.put("truePositives", e.truePositives());
        node.put("falsePositives", e.falsePositives());
        node.put("trueNegatives", e.trueNegatives());
        node.put("falseNegatives", e.falseNegatives());
    }

    private static String line(String name, Evaluation e) {
        return String.format(
                Locale.ROOT,
                "%-8s n=%d accuracy=%.3f roc_auc=%.3f (cloud: %d right, %d missed; edge: %d right, %d"
                        + " sent to cloud)",
                name,
                e.examples(),
                e.accuracy(),
                e.rocAuc(),
                e.truePositives(),
                e.falseNegatives(),
                e.trueNegatives(),
                e.falsePositives());
    }

    private static String baseName(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
    }

    /** Relative paths are relative to the repository root when run by the launcher. */
    static Path resolve(Path path) {
        String home = System.getProperty("hivestream.home");
        return path.isAbsolute() || home == null ? path : Path.of(home).resolve(path);
    }
}
