package io.hivestream.loadtests;

import io.hivestream.connectors.agents.onnx.MiniLmEmbedder;
import io.hivestream.connectors.analyse.EmbeddingComplexityAnalyzer;
import io.hivestream.connectors.analyse.LabelledPrompt;
import io.hivestream.connectors.analyse.OnnxComplexityAnalyzer;
import io.hivestream.connectors.analyse.StaticEmbeddingComplexityAnalyzer;
import io.hivestream.connectors.analyse.TwoStageComplexityAnalyzer;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.ComplexityAnalyzer;
import io.hivestream.operators.analyse.RuleBasedAnalyzer;
import io.hivestream.operators.analyse.TaskFeatures;
import io.hivestream.operators.analyse.UncertainBand;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
 *
 * <p>With {@code accuracy}, each model analyser instead scores the labelled files once after a
 * warm-up, and prints per file its accuracy, the share the two-stage analyser's embedding model
 * decided, and the mean CPU time per task of the measuring thread (ONNX Runtime runs on it: one
 * intra-op thread), which a shared machine disturbs less than wall-clock time:
 *
 * <pre>./load-tests/bench analyse accuracy [LOWER,UPPER ...]</pre>
 */
public final class AnalyseBench {
    private static volatile double sink;

    private AnalyseBench() {}

    /** One measured variant: nanoseconds per task, best and median over the rounds. */
    record Row(String name, double bestNs, double medianNs) {}

    /** The length of the long prompts: a page of text, as prompts written elsewhere often are. */
    static final int LONG_CHARS = 2000;

    /** Prompts of {@code chars} characters: the labelled prompts in order, joined by spaces. */
    static List<Task> joined(List<Task> tasks, int chars) {
        List<Task> joined = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (Task task : tasks) {
            text.append(task.getInput()).append(' ');
            if (text.length() >= chars) {
                joined.add(
                        Task.newBuilder(task)
                                .setTaskId("long-" + joined.size())
                                .setInput(text.substring(0, chars))
                                .build());
                text.setLength(0);
            }
        }
        return joined;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("accuracy")) {
            accuracy(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
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
        StaticEmbeddingComplexityAnalyzer staticEmbedding =
                StaticEmbeddingComplexityAnalyzer.shipped(policy);
        rows.add(
                measure(
                        "static-embedding analyser, the default (word vectors + features + run"
                                + " + policy)",
                        tasks,
                        rounds,
                        t -> staticEmbedding.analyse(t).getComplexity()));
        // The labelled prompts make a few dozen long ones: each ten times a round, so that a round
        // lasts tens of milliseconds and the warm-up compiles their paths.
        List<Task> longTasks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            longTasks.addAll(joined(tasks, LONG_CHARS));
        }
        rows.add(
                measure(
                        "features only, prompts of " + LONG_CHARS + " characters",
                        longTasks,
                        rounds,
                        t -> TaskFeatures.of(t)[0]));
        rows.add(
                measure(
                        "static-embedding analyser, prompts of " + LONG_CHARS + " characters",
                        longTasks,
                        rounds,
                        t -> staticEmbedding.analyse(t).getComplexity()));
        staticEmbedding.close();
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
        TwoStageComplexityAnalyzer twoStage =
                TwoStageComplexityAnalyzer.shipped(UncertainBand.DEFAULT, policy);
        rows.add(
                measure(
                        "two-stage analyser, band "
                                + UncertainBand.DEFAULT
                                + " (embeddings cached after the first round)",
                        tasks,
                        EMBEDDING_WARMUP,
                        EMBEDDING_ROUNDS,
                        t -> twoStage.analyse(t).getComplexity()));
        twoStage.close();

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

    /** The labelled files scored by {@code accuracy}, training data last. */
    static final List<String> LABELLED =
            List.of(
                    "unseen.jsonl",
                    "eval-elsewhere.jsonl",
                    "hand.jsonl,templated.jsonl,voices.jsonl");

    static void accuracy(String[] bands) throws Exception {
        Path data = Path.of(System.getProperty("hivestream.home", ".")).resolve("data/router");
        AnalysisPolicy policy =
                new AnalysisPolicy(OnnxComplexityAnalyzer.DEFAULT_CLOUD_THRESHOLD, false, 0.85);
        List<String> names = new ArrayList<>(List.of("onnx", "onnx-static", "onnx-embedding"));
        for (String band :
                bands.length == 0 ? new String[] {UncertainBand.DEFAULT.toString()} : bands) {
            names.add("two-stage " + UncertainBand.parse("band", band));
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Task> warmup = new ArrayList<>();
        for (LabelledPrompt p : LabelledPrompt.read(data.resolve("hand.jsonl"))) {
            warmup.add(p.toTask("warmup"));
        }
        System.out.printf(
                Locale.ROOT,
                "analysers on the labelled prompts, one pass each after a warm-up on hand.jsonl;"
                        + " CPU of the scoring thread, Java %s, %d cores%n",
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        System.out.println(
                "| analyser | prompts | accuracy | EDGE sent to CLOUD | CLOUD kept at EDGE |"
                        + " embedding model decided | mean CPU µs/task |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String name : names) {
            ComplexityAnalyzer analyzer =
                    switch (name.split(" ")[0]) {
                        case "onnx" -> OnnxComplexityAnalyzer.shipped(policy);
                        case "onnx-embedding" -> EmbeddingComplexityAnalyzer.shipped(policy);
                        case "onnx-static" -> StaticEmbeddingComplexityAnalyzer.shipped(policy);
                        default ->
                                TwoStageComplexityAnalyzer.shipped(
                                        UncertainBand.parse("band", name.split(" ")[1]), policy);
                    };
            for (Task task : warmup) {
                sink += analyzer.analyse(task).getComplexity();
            }
            for (String files : LABELLED) {
                List<LabelledPrompt> prompts = new ArrayList<>();
                for (String file : files.split(",")) {
                    prompts.addAll(LabelledPrompt.read(data.resolve(file)));
                }
                // Fresh counters and an empty embedding cache: every input is embedded once.
                ComplexityAnalyzer measured =
                        analyzer instanceof TwoStageComplexityAnalyzer two
                                ? TwoStageComplexityAnalyzer.shipped(two.band(), policy)
                                : analyzer;
                int right = 0;
                int edgeToCloud = 0;
                int cloudToEdge = 0;
                long cpu = 0;
                for (int i = 0; i < prompts.size(); i++) {
                    LabelledPrompt prompt = prompts.get(i);
                    Task task = prompt.toTask("p" + i);
                    long start = threads.getCurrentThreadCpuTime();
                    boolean toCloud = measured.analyse(task).getTier() == Tier.CLOUD;
                    cpu += threads.getCurrentThreadCpuTime() - start;
                    if (toCloud == prompt.cloud()) {
                        right++;
                    } else if (toCloud) {
                        edgeToCloud++;
                    } else {
                        cloudToEdge++;
                    }
                }
                String band = "";
                if (measured instanceof TwoStageComplexityAnalyzer two) {
                    band =
                            String.format(
                                    Locale.ROOT,
                                    "%.1f%%",
                                    100.0 * two.secondStage() / Math.max(1, two.tasks()));
                    if (measured != analyzer) {
                        measured.close();
                    }
                }
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %s (%d) | %.3f | %d | %d | %s | %.0f |%n",
                        name,
                        files,
                        prompts.size(),
                        (double) right / prompts.size(),
                        edgeToCloud,
                        cloudToEdge,
                        band,
                        cpu / 1000.0 / prompts.size());
            }
            analyzer.close();
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
