package io.hivestream.operators.analyse;

import io.hivestream.schemas.Task;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fixed, ordered vector of numbers a complexity model reads from a task: what the trainer
 * learns from and what the job scores with, so both see exactly the same numbers. Every feature is
 * in [0, 1]; counts are capped and divided by their cap. {@link #NAMES} lists them in order and
 * {@link #VERSION} changes whenever a feature's meaning does, so a model trained on another vector
 * is refused rather than misread.
 *
 * <p>Plain Java, no dependencies, stateless and thread-safe.
 */
public final class TaskFeatures {
    /** Changes whenever the features or their order change. */
    public static final int VERSION = 1;

    /** Kinds with a feature of their own; any other kind has none of them set. */
    public static final List<String> KINDS =
            List.of(
                    "chat",
                    "classify",
                    "summarize",
                    "extract",
                    "math",
                    "code",
                    "translate",
                    "reasoning",
                    "planning");

    /** The features, in the order of the vector. */
    public static final List<String> NAMES = names();

    /** How many numbers a vector holds. */
    public static final int SIZE = NAMES.size();

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}_]+");
    private static final Pattern CODE_MARKERS =
            Pattern.compile(
                    "```|\\b(def|class|function|public|private|return|import|const|var|let|void"
                            + "|SELECT|FROM|WHERE|lambda|async|await)\\b|[{};]\\s*$|=>|==|!=|\\w+\\([^)]*\\)"
                            + "|\\b\\w+_\\w+\\b|\\b[a-z]+[A-Z]\\w*\\b",
                    Pattern.MULTILINE);
    private static final Pattern CODE_WORDS =
            words(
                    "code|function|method|implement|implementation|algorithm|regex|sql|query|api"
                            + "|bug|debug|refactor|compile|compiler|python|java|javascript|typescript"
                            + "|rust|golang|bash|script|class|library|endpoint|database|thread"
                            + "|threads|concurrency|unit test|tests|recursion|complexity|runtime");
    private static final Pattern MATH_SYMBOLS = Pattern.compile("[0-9+\\-*/^=<>%√∑∫π²³]");
    private static final Pattern MATH_WORDS =
            words(
                    "integral|integrate|derivative|differentiate|prove|proof|theorem|lemma|equation"
                            + "|equations|solve|probability|expected value|matrix|matrices"
                            + "|eigenvalue|eigenvalues|limit|converge|converges|series|polynomial"
                            + "|optimize|optimise|minimize|maximize|variance|inequality|prime|primes"
                            + "|induction|combinatorics|geometry|triangle|vector|vectors|logarithm"
                            + "|modulo|gcd|factorial|permutations|sum of");
    private static final Pattern EQUATION =
            Pattern.compile(
                    "\\b[a-z]\\s*(\\^|\\*\\*|²|³)|\\b\\d*[a-z]\\s*[+\\-=]\\s*\\d|\\bf\\([a-z]\\)"
                            + "|\\b(sin|cos|tan|log|ln|exp|sqrt)\\s*\\(");
    private static final Pattern STEPS =
            Pattern.compile(
                    "\\b(then|after that|step|steps|first|second|third|finally|next|and also"
                            + "|afterwards|lastly|followed by)\\b|^\\s*(\\d+[.)]|[-*•])\\s+",
                    Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);
    private static final Pattern REASONING_WORDS =
            words(
                    "why|explain|compare|contrast|analyse|analyze|analysis|trade-off|trade-offs"
                            + "|tradeoffs|design|architecture|evaluate|justify|argue|argument"
                            + "|critique|critically|assess|strategy|plan|pros and cons|implications"
                            + "|consequences|reason|reasoning|derive|counterargument|nuanced"
                            + "|hypothesis|recommend|propose|weigh|evidence|root cause");
    private static final Pattern SIMPLE_WORDS =
            words(
                    "yes or no|one word|single word|true or false|label|spell|capital of|what time"
                            + "|how many letters|synonym|antonym|convert|rephrase|fix the typo"
                            + "|one sentence|short|briefly|quick|simple|tl;dr|hello|thanks|thank you");
    private static final Pattern CONSTRAINT_WORDS =
            words(
                    "must|should|at least|at most|without|ensure|handle|edge cases|edge case"
                            + "|constraint|constraints|requirement|requirements|exactly|no more than"
                            + "|guarantee|robust|scalable|thread-safe|production");
    private static final Pattern SENTENCE_END = Pattern.compile("[.!?]+(\\s|$)");

    private TaskFeatures() {}

    private static List<String> names() {
        List<String> names =
                new java.util.ArrayList<>(
                        List.of(
                                "log_chars",
                                "log_words",
                                "sentences",
                                "long_words",
                                "code_markers",
                                "code_words",
                                "math_symbols",
                                "math_words",
                                "equation",
                                "questions",
                                "steps",
                                "reasoning_words",
                                "simple_words",
                                "constraint_words",
                                "capabilities",
                                "non_ascii"));
        for (String kind : KINDS) {
            names.add("kind_" + kind);
        }
        return List.copyOf(names);
    }

    /** The features of a task: its input, kind and requested capabilities. */
    public static float[] of(Task task) {
        return of(task.getInput(), task.getKind(), task.getCapabilities());
    }

    /**
     * The features of an input of a kind asking for capabilities (empty: the kind alone).
     *
     * <ul>
     *   <li>{@code log_chars}: ln(1 + characters) / ln(1 + 8000), capped at 1;
     *   <li>{@code log_words}: ln(1 + words) / ln(1 + 1500), capped at 1, a word being a run of
     *       letters, digits or underscores;
     *   <li>{@code sentences}: sentence ends ({@code . ! ?} before a space or the end), of 20;
     *   <li>{@code long_words}: the share of words of 10 characters or more;
     *   <li>{@code code_markers}: code fences, keywords, calls, braces or semicolons ending a line,
     *       snake_case and camelCase names, of 12;
     *   <li>{@code code_words}: words about programming (function, regex, SQL, ...), of 5;
     *   <li>{@code math_symbols}: digits and operators, of 40;
     *   <li>{@code math_words}: words about mathematics (integral, prove, probability, ...), of 4;
     *   <li>{@code equation}: 1 when the input has a variable with a power or an operator, a
     *       function of x, or sin/log/sqrt applied to something;
     *   <li>{@code questions}: question marks, of 4;
     *   <li>{@code steps}: step words (then, first, finally, ...) and enumerated lines, of 6;
     *   <li>{@code reasoning_words}: explain, compare, design, justify, trade-off, ..., of 4;
     *   <li>{@code simple_words}: cues of a short answer (yes or no, one word, briefly, ...), of 3;
     *   <li>{@code constraint_words}: must, at least, edge cases, ensure, ..., of 4;
     *   <li>{@code capabilities}: capabilities requested beyond the first, of 3;
     *   <li>{@code non_ascii}: the share of characters outside ASCII (other scripts, symbols);
     *   <li>{@code kind_*}: 1 for the task's kind among {@link #KINDS} (case-insensitive).
     * </ul>
     *
     * <p>Word lists match whole words, case-insensitively.
     */
    public static float[] of(String input, String kind, List<String> capabilities) {
        float[] x = new float[SIZE];
        int chars = input.length();
        int words = count(WORD, input);
        int longWords = 0;
        Matcher word = WORD.matcher(input);
        while (word.find()) {
            if (word.end() - word.start() >= 10) {
                longWords++;
            }
        }
        int nonAscii = 0;
        int questions = 0;
        for (int i = 0; i < chars; i++) {
            char c = input.charAt(i);
            if (c > 127) {
                nonAscii++;
            } else if (c == '?') {
                questions++;
            }
        }
        int i = 0;
        x[i++] = capped(Math.log1p(chars) / Math.log1p(8000));
        x[i++] = capped(Math.log1p(words) / Math.log1p(1500));
        x[i++] = share(count(SENTENCE_END, input), 20);
        x[i++] = words == 0 ? 0f : (float) longWords / words;
        x[i++] = share(count(CODE_MARKERS, input), 12);
        x[i++] = share(count(CODE_WORDS, input), 5);
        x[i++] = share(count(MATH_SYMBOLS, input), 40);
        x[i++] = share(count(MATH_WORDS, input), 4);
        x[i++] = EQUATION.matcher(input).find() ? 1f : 0f;
        x[i++] = share(questions, 4);
        x[i++] = share(stepCues(input), 6);
        x[i++] = share(count(REASONING_WORDS, input), 4);
        x[i++] = share(count(SIMPLE_WORDS, input), 3);
        x[i++] = share(count(CONSTRAINT_WORDS, input), 4);
        x[i++] = share(Math.max(0, capabilities.size() - 1), 3);
        x[i++] = chars == 0 ? 0f : (float) nonAscii / chars;
        int kindIndex = KINDS.indexOf(kind == null ? "" : kind.toLowerCase(Locale.ROOT));
        if (kindIndex >= 0) {
            x[i + kindIndex] = 1f;
        }
        return x;
    }

    /** Step words and enumerated lines in the input: how many steps it asks for, roughly. */
    public static int stepCues(String input) {
        return count(STEPS, input);
    }

    /**
     * A rough count of the tokens a language model reads for the input: about four characters a
     * token for words, one token per other non-space character.
     */
    public static int tokenEstimate(String input) {
        int tokens = 0;
        Matcher word = WORD.matcher(input);
        int lettersAndDigits = 0;
        while (word.find()) {
            int length = word.end() - word.start();
            lettersAndDigits += length;
            tokens += (length + 3) / 4;
        }
        int others = 0;
        for (int i = 0; i < input.length(); i++) {
            if (!Character.isWhitespace(input.charAt(i))) {
                others++;
            }
        }
        return tokens + Math.max(0, others - lettersAndDigits);
    }

    private static Pattern words(String alternatives) {
        return Pattern.compile(
                "\\b(" + alternatives + ")\\b", Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    private static int count(Pattern pattern, String input) {
        Matcher m = pattern.matcher(input);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static float share(int count, int cap) {
        return (float) Math.min(count, cap) / cap;
    }

    private static float capped(double value) {
        return (float) Math.min(1.0, value);
    }
}
