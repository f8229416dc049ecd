package io.hivestream.loadtests;

import io.hivestream.operators.analyse.ComplexityAnalyzer;
import io.hivestream.schemas.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The complexity analyser alone, on one thread: the tasks of a mix analysed round after round after
 * a warm-up, microseconds per task per round. No Kafka and no Flink.
 */
public final class AnalyserBenchmark {
    private static volatile double sink;

    private AnalyserBenchmark() {}

    public static Figures.Analyser run(
            String name,
            ComplexityAnalyzer analyzer,
            TaskMix mix,
            int tasks,
            int warmups,
            int rounds) {
        return runEach(
                name, task -> analyzer.analyse(task).getComplexity(), mix, tasks, warmups, rounds);
    }

    /**
     * Any work per task (a part of an analyser, such as the embedding alone) over the same tasks:
     * the mix's generator is seeded, so every call measures the same batch.
     */
    public static Figures.Analyser runEach(
            String name,
            ToDoubleFunction<Task> work,
            TaskMix mix,
            int tasks,
            int warmups,
            int rounds) {
        MixGenerator generator = new MixGenerator(mix, "analyse");
        List<Task> batch = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            batch.add(generator.next(0));
        }
        for (int i = 0; i < warmups; i++) {
            round(work, batch);
        }
        double[] micros = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            micros[i] = round(work, batch);
        }
        Arrays.sort(micros);
        return new Figures.Analyser(name, tasks, rounds, micros[0], micros[rounds / 2]);
    }

    /** Microseconds per task for one pass over the batch. */
    private static double round(ToDoubleFunction<Task> work, List<Task> batch) {
        double total = 0;
        long start = System.nanoTime();
        for (Task task : batch) {
            total += work.applyAsDouble(task);
        }
        long nanos = System.nanoTime() - start;
        sink = total;
        return nanos / 1000.0 / batch.size();
    }
}
