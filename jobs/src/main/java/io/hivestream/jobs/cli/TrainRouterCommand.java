package io.hivestream.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hivestream.connectors.analyse.ComplexityTrainer;
import io.hivestream.connectors.analyse.ComplexityTrainer.Evaluation;
import io.hivestream.connectors.analyse.ComplexityTrainer.Model;
import io.hivestream.connectors.analyse.ComplexityTrainer.Split;
import io.hivestream.connectors.analyse.LabelledPrompt;
import io.hivestream.connectors.analyse.OnnxComplexityAnalyzer;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.TaskFeatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Trains the complexity model from labelled JSON lines and exports it as ONNX. */
@Command(
        name = "train-router",
        mixinStandardHelpOptions = true,
        description = {
            "Trains the complexity model (logistic regression over the task features) from labelled",
            "JSON lines, evaluates it on a seeded held-out split and on a separate unseen file",
            "(accuracy at the cloud threshold, ROC AUC), and writes the ONNX model and its metadata",
            "(FILE.json beside FILE). Paths are relative to the repository root."
        })
final class TrainRouterCommand implements Callable<Integer> {
    static final String SHIPPED =
            "connectors/src/main/resources" + OnnxComplexityAnalyzer.SHIPPED_MODEL;

    @Option(
            names = "--data",
            split = ",",
            defaultValue = "data/router/hand.jsonl,data/router/templated.jsonl",
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
            defaultValue = SHIPPED,
            description =
                    "ONNX file to write (default: the model the job ships, ${DEFAULT-VALUE}).")
    Path out;

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
            defaultValue = "" + ComplexityTrainer.DEFAULT_L2,
            description = "L2 regularisation (default: ${DEFAULT-VALUE}).")
    double l2;

    @Override
    public Integer call() throws Exception {
        List<LabelledPrompt> prompts = new ArrayList<>();
        for (Path file : data) {
            prompts.addAll(LabelledPrompt.read(resolve(file)));
        }
        Split split = ComplexityTrainer.split(prompts, heldOut, seed);
        Model model =
                new ComplexityTrainer(
                                l2,
                                ComplexityTrainer.DEFAULT_ITERATIONS,
                                ComplexityTrainer.DEFAULT_LEARNING_RATE)
                        .train(split.train());
        Evaluation train = ComplexityTrainer.evaluate(model, split.train(), cloudThreshold);
        Evaluation held = ComplexityTrainer.evaluate(model, split.heldOut(), cloudThreshold);
        Evaluation unseenEvaluation = null;
        if (!unseen.equals("none")) {
            unseenEvaluation =
                    ComplexityTrainer.evaluate(
                            model, LabelledPrompt.read(resolve(Path.of(unseen))), cloudThreshold);
        }

        Path onnx = resolve(out);
        if (onnx.getParent() != null) {
            Files.createDirectories(onnx.getParent());
        }
        Files.write(
                onnx,
                model.toOnnx(
                        Map.of(
                                "hivestream.trained-on",
                                split.train().size() + " prompts, seed " + seed)));
        double maxDifference = checkExport(onnx, model, split.heldOut());

        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode meta = json.createObjectNode();
        meta.put("model", "logistic regression");
        meta.put("featuresVersion", TaskFeatures.VERSION);
        ArrayNode features = meta.putArray("features");
        TaskFeatures.NAMES.forEach(features::add);
        ObjectNode weights = meta.putObject("weights");
        for (int i = 0; i < TaskFeatures.SIZE; i++) {
            weights.put(TaskFeatures.NAMES.get(i), model.weights()[i]);
        }
        meta.put("bias", model.bias());
        meta.put("cloudThreshold", cloudThreshold);
        meta.put("seed", seed);
        meta.put("heldOutShare", heldOut);
        meta.put("l2", l2);
        ObjectNode metrics = meta.putObject("metrics");
        put(metrics.putObject("train"), train);
        put(metrics.putObject("heldOut"), held);
        if (unseenEvaluation != null) {
            put(metrics.putObject("unseen"), unseenEvaluation);
        }
        meta.put("onnxMaxAbsDifference", maxDifference);
        Path metaFile = onnx.resolveSibling(baseName(onnx) + ".json");
        Files.writeString(metaFile, json.writeValueAsString(meta) + "\n");

        System.out.println(
                "trained on "
                        + split.train().size()
                        + " prompts ("
                        + data.size()
                        + " file(s)), seed "
                        + seed);
        System.out.println(line("train", train));
        System.out.println(line("held-out", held));
        if (unseenEvaluation != null) {
            System.out.println(line("unseen", unseenEvaluation));
        }
        System.out.printf(
                Locale.ROOT,
                "onnx: %s (max |trainer - onnx| = %.2e), metadata: %s%n",
                onnx,
                maxDifference,
                metaFile);
        return 0;
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
