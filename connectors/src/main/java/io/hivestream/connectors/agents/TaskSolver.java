package io.hivestream.connectors.agents;

import io.hivestream.schemas.Task;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The answers a simulated agent knows to be right, so that tests and the demo can check results
 * exactly: {@code classify} picks the label whose name and description (metadata {@code labels} and
 * {@code label.NAME}) share the most words with the input; {@code math} evaluates the arithmetic in
 * the input; {@code summarize} returns the first sentence; other kinds get a fixed, recognisable
 * reply.
 */
public final class TaskSolver {
    private static final Pattern EXPRESSION =
            Pattern.compile("[-+*/^().\\d\\s]*\\d[-+*/^().\\d\\s]*");
    private static final Pattern SENTENCE_END = Pattern.compile("[.!?](\\s|$)");

    private TaskSolver() {}

    public static String solve(Task task) {
        return switch (task.getKind()) {
            case "classify" -> classify(task);
            case "math" -> Calculator.format(Calculator.evaluate(expression(task.getInput())));
            case "summarize" -> firstSentence(task.getInput());
            default ->
                    "simulated "
                            + task.getKind()
                            + " reply to: "
                            + abbreviate(task.getInput().strip(), 80);
        };
    }

    /** A plausible but wrong answer of the same kind. */
    public static String wrong(Task task, String right) {
        return switch (task.getKind()) {
            case "classify" -> {
                List<String> labels = labels(task);
                int at = labels.indexOf(right);
                yield labels.size() > 1 ? labels.get((at + 1) % labels.size()) : "none";
            }
            case "math" -> {
                try {
                    yield Calculator.format(
                            Calculator.evaluate(right).add(java.math.BigDecimal.ONE));
                } catch (IllegalArgumentException e) {
                    yield "0";
                }
            }
            default -> "not " + right;
        };
    }

    static List<String> labels(Task task) {
        String labels = task.getMetadata().get("labels");
        if (labels == null || labels.isBlank()) {
            throw new IllegalArgumentException(
                    "classify needs metadata.labels, e.g. \"billing,shipping\"");
        }
        return Arrays.stream(labels.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    private static String classify(Task task) {
        Set<String> words = words(task.getInput());
        String best = null;
        int bestScore = -1;
        for (String label : labels(task)) {
            Set<String> cues =
                    words(label + " " + task.getMetadata().getOrDefault("label." + label, ""));
            cues.retainAll(words);
            if (cues.size() > bestScore) {
                best = label;
                bestScore = cues.size();
            }
        }
        return best;
    }

    private static String expression(String input) {
        Matcher matcher = EXPRESSION.matcher(input);
        String longest = null;
        while (matcher.find()) {
            String candidate = matcher.group().strip();
            if (longest == null || candidate.length() > longest.length()) {
                longest = candidate;
            }
        }
        if (longest == null) {
            throw new IllegalArgumentException("no arithmetic expression in the input");
        }
        // A question's trailing full stop or a sentence's dot is not a decimal point.
        return longest.endsWith(".") ? longest.substring(0, longest.length() - 1) : longest;
    }

    private static String firstSentence(String input) {
        String text = input.strip();
        Matcher end = SENTENCE_END.matcher(text);
        String sentence = end.find() ? text.substring(0, end.start() + 1) : text;
        return abbreviate(sentence, 200);
    }

    /**
     * The runs of letters and numbers (Unicode's categories L and N, what {@code [\p{L}\p{N}]+}
     * matches) of the lower-cased text, found without a regular expression: a classify answer is
     * part of every simulated call's cost.
     */
    static Set<String> words(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        Set<String> words = new HashSet<>();
        int start = -1;
        for (int i = 0; i < lower.length(); ) {
            int c = lower.codePointAt(i);
            if (isLetterOrNumber(c)) {
                if (start < 0) {
                    start = i;
                }
            } else if (start >= 0) {
                words.add(lower.substring(start, i));
                start = -1;
            }
            i += Character.charCount(c);
        }
        if (start >= 0) {
            words.add(lower.substring(start));
        }
        return words;
    }

    private static boolean isLetterOrNumber(int c) {
        if (c < 0x80) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        }
        int type = Character.getType(c);
        return Character.isLetter(c)
                || type == Character.DECIMAL_DIGIT_NUMBER
                || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }

    private static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
