package io.hivestream.loadtests;

import io.hivestream.connectors.agents.onnx.MiniLmEmbedder;
import io.hivestream.connectors.analyse.EmbeddingComplexityAnalyzer;
import io.hivestream.connectors.analyse.LabelledPrompt;
import io.hivestream.connectors.analyse.OnnxComplexityAnalyzer;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.ComplexityAnalyzer;
import io.hivestream.operators.analyse.RuleBasedAnalyzer;
import io.hivestream.operators.analyse.TaskFeatures;
import io.hivestream.schemas.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The analyse stage's cost per task on one thread, without Kafka or Flink: feature extraction, the
 * ONNX model on ready features (one run per task, and in batches of 64), the whole ONNX analyser,
 * the all-MiniLM-L6-v2 embedding of the input alone and the whole embedding analyser, and the
 * rule-based analyser as the baseline, each warmed up and then timed over several rounds (the
 * embedding paths, at milliseconds a task, over {@value #EMBEDDING_ROUNDS} rounds after {@value
 * #EMBEDDING_WARMUP}). The tasks are the labelled prompts of {@code data/router} (all three files),
 * which span one-line questions to long multi-step requests.
 *
 * <pre>./load-tests/bench analyse [rounds]</pre>
 */
public final class AnalyseBench {
    private static volatile double sink;

    private AnalyseBench() {}

    /** One measured variant: nanoseconds per task, best and median over the rounds. */
    record Row(String name, double bestNs, double medianNs) {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Path data = Path.of(System.getProperty("hivestream.home", ".")).resolve("data/router");
        List<Task> tasks = new ArrayList<>();
        for (String file : List.of("hand.jsonl", "templated.jsonl", "unseen.jsonl")) {
            Path path = data.resolve(file);
            if (Files.exists(path)) {
                int i = 0;
                for (LabelledPrompt p : LabelledPrompt.read(path)) {
                    tasks.add(
                            Task.newBuilder()
                                    .setTaskId(file + "-" + i++)
                                    .setKind(p.kind())
                                    .setInput(p.input())
                                    .setCapabilities(p.capabilities())
                                    .build());
                }
            }
        }
        if (tasks.isEmpty()) {
            throw new IllegalStateException("no prompts under " + data.toAbsolutePath());
        }
        double meanChars = tasks.stream().mapToInt(t -> t.getInput().length()).average().orElse(0);
        AnalysisPolicy policy =
                new AnalysisPolicy(OnnxComplexityAnalyzer.DEFAULT_CLOUD_THRESHOLD, false, 0.85);
        OnnxComplexityAnalyzer onnx = OnnxComplexityAnalyzer.shipped(policy);
        EmbeddingComplexityAnalyzer embedding = EmbeddingComplexityAnalyzer.shipped(policy);
        MiniLmEmbedder embedder = MiniLmEmbedder.shared();
        ComplexityAnalyzer rules = new RuleBasedAnalyzer(policy);
        float[][] features = tasks.stream().map(TaskFeatures::of).toArray(float[][]::new);

        List<Row> rows = new ArrayList<>();
        rows.add(
                measure(
                        "rules analyser (baseline)",
                        tasks,
                        rounds,
                        t -> rules.analyse(t).getComplexity()));
        rows.add(measure("features only", tasks, rounds, t -> TaskFeatures.of(t)[0]));
        rows.add(
                measureIndexed("ONNX run on ready features, 1 task a run", features, rounds, onnx));
        rows.add(
                measureBatched(
                        "ONNX run on ready features, 64 tasks a run", features, rounds, onnx));
        rows.add(
                measure(
                        "ONNX analyser (features + run + policy)",
                        tasks,
                        rounds,
                        t -> onnx.analyse(t).getComplexity()));
        onnx.close();
        rows.add(
                measure(
                        "all-MiniLM-L6-v2 embedding of the input alone, 1 task a run",
                        tasks,
                        EMBEDDING_WARMUP,
                        EMBEDDING_ROUNDS,
                        t -> embedder.embed(t.getInput())[0]));
        rows.add(
                measure(
                        "embedding analyser (embedding + features + run + policy)",
                        tasks,
                        EMBEDDING_WARMUP,
                        EMBEDDING_ROUNDS,
                        t -> embedding.analyse(t).getComplexity()));
        embedding.close();

        System.out.printf(
                Locale.ROOT,
                "analyse stage on one thread: %d tasks (mean %.0f characters), %d rounds after %d"
                        + " warm-up rounds (embedding paths: %d after %d), Java %s, %d cores%n",
                tasks.size(),
                meanChars,
                rounds,
                WARMUP,
                EMBEDDING_ROUNDS,
                EMBEDDING_WARMUP,
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        System.out.println("| path | best ns/task | median ns/task |");
        System.out.println("|---|---|---|");
        for (Row row : rows) {
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.0f | %.0f |%n",
                    row.name(),
                    row.bestNs(),
                    row.medianNs());
        }
    }

    static final int WARMUP = 20;
    static final int EMBEDDING_WARMUP = 2;
    static final int EMBEDDING_ROUNDS = 5;

    private static Row measure(
            String name, List<Task> tasks, int rounds, ToDoubleFunction<Task> work) {
        return measure(name, tasks, WARMUP, rounds, work);
    }

    private static Row measure(
            String name, List<Task> tasks, int warmup, int rounds, ToDoubleFunction<Task> work) {
        return timed(
                name,
                warmup,
                rounds,
                tasks.size(),
                () -> {
                    double total = 0;
                    for (Task task : tasks) {
                        total += work.applyAsDouble(task);
                    }
                    sink = total;
                });
    }

    private static Row measureIndexed(
            String name, float[][] features, int rounds, OnnxComplexityAnalyzer onnx) {
        return timed(
                name,
                WARMUP,
                rounds,
                features.length,
                () -> {
                    double total = 0;
                    for (float[] row : features) {
                        total += onnx.score(row);
                    }
                    sink = total;
                });
    }

    private static Row measureBatched(
            String name, float[][] features, int rounds, OnnxComplexityAnalyzer onnx) {
        return timed(
                name,
                WARMUP,
                rounds,
                features.length,
                () -> {
                    double total = 0;
                    for (int from = 0; from < features.length; from += 64) {
                        float[] scores =
                                onnx.scoreAll(
                                        Arrays.copyOfRange(
                                                features,
                                                from,
                                                Math.min(features.length, from + 64)));
                        total += scores[0];
                    }
                    sink = total;
                });
    }

    private static Row timed(String name, int warmup, int rounds, int tasks, Runnable round) {
        for (int i = 0; i < warmup; i++) {
            round.run();
        }
        double[] ns = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            round.run();
            ns[i] = (System.nanoTime() - start) / (double) tasks;
        }
        Arrays.sort(ns);
        return new Row(name, ns[0], ns[rounds / 2]);
    }
}
