package io.hivestream.connectors.agents.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * What the ONNX agents can do with sentence embeddings alone: zero-shot classification, extractive
 * summaries, similarity and near-duplicate removal. Plain logic over a {@link MiniLmEmbedder}; the
 * only state it owns is a bounded cache of label embeddings, as the same labels come with task
 * after task. Thread-safe; its calls block while the model runs.
 */
public final class TextSkills {
    /**
     * How sharply {@link #classify} turns similarities into a confidence: the softmax of the
     * similarities divided by this. Sentence similarities of related texts differ by a few
     * hundredths, so a small temperature is needed for a clear winner to read as confident.
     */
    public static final double TEMPERATURE = 0.05;

    /**
     * Where a sentence ends: after {@code .}, {@code !} or {@code ?} and spaces, or a line break.
     */
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+|\\s*\\R\\s*");

    /** Label texts whose embeddings are kept. */
    public static final int LABEL_CACHE_SIZE = 1024;

    private final MiniLmEmbedder embedder;
    private final Map<String, float[]> labelVectors =
            new LinkedHashMap<>(64, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                    return size() > LABEL_CACHE_SIZE;
                }
            };

    public TextSkills(MiniLmEmbedder embedder) {
        this.embedder = embedder;
    }

    /**
     * A skill's answer.
     *
     * @param output the answer text
     * @param confidence in [0, 1], or null where the skill has none
     * @param tokensIn the tokens the model read for it, over every text it embedded
     */
    public record Answer(String output, Double confidence, long tokensIn) {}

    /**
     * A label to classify into.
     *
     * @param name what {@link #classify} answers
     * @param description what the label covers, or null
     */
    public record Label(String name, String description) {
        /** The text embedded for the label: {@code name: description}, or the name alone. */
        public String text() {
            return description == null || description.isBlank()
                    ? name
                    : name + ": " + description.strip();
        }
    }

    /**
     * The label whose text is most similar to {@code input}; its confidence is the softmax of the
     * label similarities over {@link #TEMPERATURE}, so it is near 1 when one label stands out and
     * near 1/labels when all are alike. Ties go to the earlier label. Tokens in count the input and
     * every label text, whether or not its embedding was cached.
     */
    public Answer classify(String input, List<Label> labels) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("no labels to classify into");
        }
        List<String> texts = new ArrayList<>();
        texts.add(input);
        labels.forEach(label -> texts.add(label.text()));
        float[] in = embedder.embed(input);
        double[] similarity = new double[labels.size()];
        int best = 0;
        for (int i = 0; i < labels.size(); i++) {
            similarity[i] = MiniLmEmbedder.cosine(in, labelVector(labels.get(i).text()));
            if (similarity[i] > similarity[best]) {
                best = i;
            }
        }
        double sum = 0;
        for (double s : similarity) {
            sum += Math.exp((s - similarity[best]) / TEMPERATURE);
        }
        return new Answer(labels.get(best).name(), 1 / sum, tokens(texts));
    }

    /**
     * The {@code count} sentences closest to the centroid of all the text's sentence embeddings, in
     * their original order, joined by one space; the whole text's sentences when it has no more
     * than {@code count}. Ties go to the earlier sentence.
     */
    public Answer summarize(String text, int count) {
        List<String> sentences = sentences(text);
        if (sentences.isEmpty()) {
            return new Answer("", null, 0);
        }
        if (sentences.size() <= count) {
            return new Answer(String.join(" ", sentences), null, tokens(sentences));
        }
        List<float[]> vectors = embedder.embedAll(sentences);
        float[] centroid = new float[MiniLmEmbedder.DIMENSIONS];
        for (float[] vector : vectors) {
            for (int d = 0; d < centroid.length; d++) {
                centroid[d] += vector[d];
            }
        }
        double[] closeness =
                vectors.stream().mapToDouble(v -> MiniLmEmbedder.cosine(v, centroid)).toArray();
        int[] chosen =
                IntStream.range(0, sentences.size())
                        .boxed()
                        .sorted(
                                Comparator.<Integer>comparingDouble(i -> -closeness[i])
                                        .thenComparing(i -> i))
                        .limit(count)
                        .mapToInt(Integer::intValue)
                        .sorted()
                        .toArray();
        List<String> summary = Arrays.stream(chosen).mapToObj(sentences::get).toList();
        return new Answer(String.join(" ", summary), null, tokens(sentences));
    }

    /** The cosine similarity of the two texts' embeddings, with four decimals. */
    public Answer similarity(String text, String other) {
        List<float[]> vectors = embedder.embedAll(List.of(text, other));
        double similarity = MiniLmEmbedder.cosine(vectors.get(0), vectors.get(1));
        return new Answer(
                String.format(Locale.ROOT, "%.4f", similarity), null, tokens(List.of(text, other)));
    }

    /**
     * The lines of {@code text} without near-duplicates: a line goes when its similarity to a line
     * already kept is at least {@code threshold}, so the first of each group stays. Blank lines are
     * dropped; the kept lines are joined by {@code \n}.
     */
    public Answer dedupe(String text, double threshold) {
        List<String> lines = text.lines().filter(line -> !line.isBlank()).toList();
        List<float[]> vectors = embedder.embedAll(lines.stream().map(String::strip).toList());
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            float[] line = vectors.get(i);
            boolean duplicate =
                    kept.stream()
                            .anyMatch(
                                    j -> MiniLmEmbedder.cosine(line, vectors.get(j)) >= threshold);
            if (!duplicate) {
                kept.add(i);
            }
        }
        List<String> out = kept.stream().map(lines::get).toList();
        return new Answer(String.join("\n", out), null, tokens(lines));
    }

    /**
     * The text's sentences, stripped: a sentence ends after {@code .}, {@code !} or {@code ?}
     * followed by white space, or at a line break. Abbreviations such as "e.g. this" end one too.
     */
    public static List<String> sentences(String text) {
        return Arrays.stream(SENTENCE_END.split(text.strip()))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /** Each label embedded on its own, so its vector is the same whatever else is cached. */
    private float[] labelVector(String text) {
        synchronized (labelVectors) {
            float[] cached = labelVectors.get(text);
            if (cached != null) {
                return cached;
            }
        }
        float[] vector = embedder.embed(text);
        synchronized (labelVectors) {
            labelVectors.put(text, vector);
        }
        return vector;
    }

    private long tokens(List<String> texts) {
        return texts.stream().mapToLong(embedder::countTokens).sum();
    }
}
