package io.hivestream.connectors.analyse;

import io.hivestream.operators.analyse.TaskFeatures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Trains the complexity model: an L2-regularised logistic regression over {@link TaskFeatures},
 * fitted by full-batch gradient descent on standardised features and folded back to the raw
 * features, so the exported graph is one MatMul, one Add and a Sigmoid. Deterministic: the only
 * randomness is the seeded split.
 */
public final class ComplexityTrainer {
    public static final double DEFAULT_L2 = 0.01;

    /**
     * The embedding model's: its 409 inputs fit the training prompts exactly at 0.01; 0.1 gave the
     * best held-out accuracy of 0.01, 0.03, 0.1 and 0.3 (docs/analysis.md).
     */
    public static final double DEFAULT_EMBEDDING_L2 = 0.1;

    /**
     * L2 of the static embedding model: of 0.01, 0.03, 0.1 and 0.3, the best on the held-out split
     * (docs/analysis.md).
     */
    public static final double DEFAULT_STATIC_L2 = 0.03;

    public static final int DEFAULT_ITERATIONS = 4000;
    public static final double DEFAULT_LEARNING_RATE = 0.5;

    private final double l2;
    private final int iterations;
    private final double learningRate;

    public ComplexityTrainer() {
        this(DEFAULT_L2, DEFAULT_ITERATIONS, DEFAULT_LEARNING_RATE);
    }

    public ComplexityTrainer(double l2, int iterations, double learningRate) {
        if (l2 < 0 || iterations < 1 || !(learningRate > 0)) {
            throw new IllegalArgumentException("need l2 >= 0, iterations >= 1, learningRate > 0");
        }
        this.l2 = l2;
        this.iterations = iterations;
        this.learningRate = learningRate;
    }

    /** A fitted model over raw features: {@code sigmoid(weights · x + bias)}. */
    public record Model(float[] weights, float bias) {
        /** The probability that a task with these features needs a large model. */
        public double score(float[] x) {
            double logit = bias;
            for (int i = 0; i < weights.length; i++) {
                logit += (double) weights[i] * x[i];
            }
            return 1 / (1 + Math.exp(-logit));
        }

        /** The ONNX form, with the feature names, their version and {@code extra} as metadata. */
        public byte[] toOnnx(Map<String, String> extra) {
            Map<String, String> metadata = new java.util.LinkedHashMap<>();
            metadata.put(
                    OnnxComplexityAnalyzer.FEATURES_VERSION_KEY,
                    Integer.toString(TaskFeatures.VERSION));
            metadata.put(OnnxComplexityAnalyzer.FEATURES_KEY, String.join(",", TaskFeatures.NAMES));
            metadata.putAll(extra);
            return OnnxModelWriter.logisticRegression(weights, bias, metadata);
        }
    }

    /** A train/held-out split. */
    public record Split(List<LabelledPrompt> train, List<LabelledPrompt> heldOut) {}

    /**
     * Shuffles with {@code seed} and holds out {@code share} of each label, so both parts keep the
     * set's balance.
     */
    public static Split split(List<LabelledPrompt> prompts, double share, long seed) {
        if (!(share > 0 && share < 1)) {
            throw new IllegalArgumentException("held-out share must be in (0, 1): " + share);
        }
        Random random = new Random(seed);
        List<LabelledPrompt> train = new ArrayList<>();
        List<LabelledPrompt> heldOut = new ArrayList<>();
        for (boolean cloud : new boolean[] {false, true}) {
            List<LabelledPrompt> group = new ArrayList<>();
            for (LabelledPrompt p : prompts) {
                if (p.cloud() == cloud) {
                    group.add(p);
                }
            }
            Collections.shuffle(group, random);
            int held = (int) Math.round(group.size() * share);
            heldOut.addAll(group.subList(0, held));
            train.addAll(group.subList(held, group.size()));
        }
        return new Split(train, heldOut);
    }

    /** Trains on the prompts' {@link TaskFeatures}. */
    public Model train(List<LabelledPrompt> prompts) {
        float[][] rows = new float[prompts.size()][];
        boolean[] labels = new boolean[prompts.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = prompts.get(i).features();
            labels[i] = prompts.get(i).cloud();
        }
        return train(rows, labels);
    }

    /**
     * Trains on rows of any one width (the features, or an embedding followed by the features):
     * each column is standardised, so columns of very different scales learn at the same pace.
     *
     * @param rows one input vector per example, all of the same length
     * @param labels whether each example needs a large model
     */
    public Model train(float[][] rows, boolean[] labels) {
        int n = rows.length;
        if (n == 0) {
            throw new IllegalArgumentException("no training examples");
        }
        if (labels.length != n) {
            throw new IllegalArgumentException(n + " rows but " + labels.length + " labels");
        }
        int d = rows[0].length;
        double[][] x = new double[n][d];
        double[] y = new double[n];
        double[] mean = new double[d];
        double[] std = new double[d];
        for (int i = 0; i < n; i++) {
            float[] f = rows[i];
            if (f.length != d) {
                throw new IllegalArgumentException(
                        "row " + i + " has " + f.length + " inputs, row 0 has " + d);
            }
            for (int j = 0; j < d; j++) {
                x[i][j] = f[j];
                mean[j] += f[j];
            }
            y[i] = labels[i] ? 1 : 0;
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                std[j] += (row[j] - mean[j]) * (row[j] - mean[j]);
            }
        }
        for (int j = 0; j < d; j++) {
            std[j] = Math.sqrt(std[j] / n);
            // A feature constant in the data carries no information: leave it at weight 0.
            if (std[j] < 1e-9) {
                std[j] = Double.POSITIVE_INFINITY;
            }
        }
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = (row[j] - mean[j]) / std[j];
            }
        }
        double[] w = new double[d];
        double b = 0;
        double[] gradient = new double[d];
        for (int iteration = 0; iteration < iterations; iteration++) {
            Arrays.fill(gradient, 0);
            double gradientB = 0;
            for (int i = 0; i < n; i++) {
                double logit = b;
                for (int j = 0; j < d; j++) {
                    logit += w[j] * x[i][j];
                }
                double error = 1 / (1 + Math.exp(-logit)) - y[i];
                for (int j = 0; j < d; j++) {
                    gradient[j] += error * x[i][j];
                }
                gradientB += error;
            }
            for (int j = 0; j < d; j++) {
                w[j] -= learningRate * (gradient[j] / n + l2 * w[j]);
            }
            b -= learningRate * gradientB / n;
        }
        // Fold the standardisation into the weights: w·(x - m)/s + b = (w/s)·x + (b - Σ w m/s).
        float[] weights = new float[d];
        double bias = b;
        for (int j = 0; j < d; j++) {
            double folded = w[j] / std[j];
            weights[j] = (float) folded;
            bias -= folded * mean[j];
        }
        return new Model(weights, (float) bias);
    }

    /** Accuracy at a threshold and ROC AUC of scores against labels. */
    public record Evaluation(
            int examples,
            double accuracy,
            double rocAuc,
            int truePositives,
            int falsePositives,
            int trueNegatives,
            int falseNegatives) {}

    public static Evaluation evaluate(Model model, List<LabelledPrompt> prompts, double threshold) {
        float[][] rows = new float[prompts.size()][];
        boolean[] labels = new boolean[prompts.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = prompts.get(i).features();
            labels[i] = prompts.get(i).cloud();
        }
        return evaluate(model, rows, labels, threshold);
    }

    /** The model's evaluation on ready input rows. */
    public static Evaluation evaluate(
            Model model, float[][] rows, boolean[] labels, double threshold) {
        double[] scores = new double[rows.length];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = model.score(rows[i]);
        }
        return evaluate(scores, labels, threshold);
    }

    public static Evaluation evaluate(double[] scores, boolean[] labels, double threshold) {
        int tp = 0;
        int fp = 0;
        int tn = 0;
        int fn = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean predicted = scores[i] >= threshold;
            if (predicted && labels[i]) {
                tp++;
            } else if (predicted) {
                fp++;
            } else if (labels[i]) {
                fn++;
            } else {
                tn++;
            }
        }
        int n = scores.length;
        return new Evaluation(
                n, n == 0 ? 0 : (double) (tp + tn) / n, rocAuc(scores, labels), tp, fp, tn, fn);
    }

    /**
     * The probability that a random positive scores above a random negative (ties count half), from
     * the ranks of the scores (Mann-Whitney U); NaN without both labels.
     */
    public static double rocAuc(double[] scores, boolean[] labels) {
        int n = scores.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        double[] ranks = new double[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                ranks[order[k]] = rank;
            }
            i = j + 1;
        }
        long positives = 0;
        double rankSum = 0;
        for (int i = 0; i < n; i++) {
            if (labels[i]) {
                positives++;
                rankSum += ranks[i];
            }
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (rankSum - positives * (positives + 1) / 2.0) / (positives * negatives);
    }
}
