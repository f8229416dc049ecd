package io.hivestream.operators.analyse;

import io.hivestream.schemas.Task;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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

    private static final int CODE_WORDS = 0;
    private static final int MATH_WORDS = 1;
    private static final int STEP_WORDS = 2;
    private static final int REASONING_WORDS = 3;
    private static final int SIMPLE_WORDS = 4;
    private static final int CONSTRAINT_WORDS = 5;

    /**
     * Words and phrases of each list, matched on lower-cased words: a phrase's words must follow
     * each other (any punctuation or spacing between them), so "trade-off" is "trade off".
     */
    private static final String[][] LISTS = {
        {
            "code",
            "function",
            "method",
            "implement",
            "implementation",
            "algorithm",
            "regex",
            "sql",
            "query",
            "api",
            "bug",
            "debug",
            "refactor",
            "compile",
            "compiler",
            "python",
            "java",
            "javascript",
            "typescript",
            "rust",
            "golang",
            "bash",
            "script",
            "class",
            "library",
            "endpoint",
            "database",
            "thread",
            "threads",
            "concurrency",
            "unit test",
            "tests",
            "recursion",
            "complexity",
            "runtime"
        },
        {
            "integral",
            "integrate",
            "derivative",
            "differentiate",
            "prove",
            "proof",
            "theorem",
            "lemma",
            "equation",
            "equations",
            "solve",
            "probability",
            "expected value",
            "matrix",
            "matrices",
            "eigenvalue",
            "eigenvalues",
            "limit",
            "converge",
            "converges",
            "series",
            "polynomial",
            "optimize",
            "optimise",
            "minimize",
            "maximize",
            "variance",
            "inequality",
            "prime",
            "primes",
            "induction",
            "combinatorics",
            "geometry",
            "triangle",
            "vector",
            "vectors",
            "logarithm",
            "modulo",
            "gcd",
            "factorial",
            "permutations",
            "sum of"
        },
        {
            "then",
            "after that",
            "step",
            "steps",
            "first",
            "second",
            "third",
            "finally",
            "next",
            "and also",
            "afterwards",
            "lastly",
            "followed by"
        },
        {
            "why",
            "explain",
            "compare",
            "contrast",
            "analyse",
            "analyze",
            "analysis",
            "trade off",
            "trade offs",
            "tradeoffs",
            "design",
            "architecture",
            "evaluate",
            "justify",
            "argue",
            "argument",
            "critique",
            "critically",
            "assess",
            "strategy",
            "plan",
            "pros and cons",
            "implications",
            "consequences",
            "reason",
            "reasoning",
            "derive",
            "counterargument",
            "nuanced",
            "hypothesis",
            "recommend",
            "propose",
            "weigh",
            "evidence",
            "root cause"
        },
        {
            "yes or no",
            "one word",
            "single word",
            "true or false",
            "label",
            "spell",
            "capital of",
            "what time",
            "how many letters",
            "synonym",
            "antonym",
            "convert",
            "rephrase",
            "fix the typo",
            "one sentence",
            "short",
            "briefly",
            "quick",
            "simple",
            "tl dr",
            "hello",
            "thanks",
            "thank you"
        },
        {
            "must",
            "should",
            "at least",
            "at most",
            "without",
            "ensure",
            "handle",
            "edge cases",
            "edge case",
            "constraint",
            "constraints",
            "requirement",
            "requirements",
            "exactly",
            "no more than",
            "guarantee",
            "robust",
            "scalable",
            "production"
        }
    };

    /** Each list's phrases by their first word; a word starts phrases of one list only. */
    private static final Map<String, List<Phrase>> PHRASES = phrases();

    private static final Set<String> CODE_KEYWORDS =
            hashSetOf(
                    "def",
                    "class",
                    "function",
                    "public",
                    "private",
                    "return",
                    "import",
                    "const",
                    "var",
                    "let",
                    "void",
                    "SELECT",
                    "FROM",
                    "WHERE",
                    "lambda",
                    "async",
                    "await");

    /** A HashSet: looked up once per word, where Set.of's probing costs more. */
    private static Set<String> hashSetOf(String... values) {
        return Collections.unmodifiableSet(new HashSet<>(List.of(values)));
    }

    private static final Set<String> FUNCTIONS =
            Set.of("sin", "cos", "tan", "log", "ln", "exp", "sqrt");
    private static final String MATH_SYMBOLS = "+-*/^=<>%√∑∫π²³";

    /** Digits and {@link #MATH_SYMBOLS}, as a table of the ASCII ones. */
    private static final boolean[] ASCII_MATH = asciiMath();

    private static boolean[] asciiMath() {
        boolean[] math = new boolean[128];
        for (char c = '0'; c <= '9'; c++) {
            math[c] = true;
        }
        for (char c : MATH_SYMBOLS.toCharArray()) {
            if (c < 128) {
                math[c] = true;
            }
        }
        return math;
    }

    private static boolean isMathSymbol(char c) {
        return c < 128 ? ASCII_MATH[c] : MATH_SYMBOLS.indexOf(c) >= 0;
    }

    private record Phrase(String[] words, int list) {}

    private static Map<String, List<Phrase>> phrases() {
        Map<String, List<Phrase>> byFirst = new HashMap<>();
        for (int list = 0; list < LISTS.length; list++) {
            for (String phrase : LISTS[list]) {
                String[] words = phrase.split(" ");
                List<Phrase> starting = byFirst.computeIfAbsent(words[0], w -> new ArrayList<>());
                for (Phrase other : starting) {
                    if (other.list() != list) {
                        throw new IllegalStateException(words[0] + " starts phrases of two lists");
                    }
                }
                starting.add(new Phrase(words, list));
            }
        }
        // Longest first, so that "edge cases" wins over "edge case".
        byFirst.values().forEach(l -> l.sort((a, b) -> b.words().length - a.words().length));
        // A HashMap, not Map.copyOf: looked up once per word of every task, and the immutable map's
        // probing costs more.
        return Collections.unmodifiableMap(byFirst);
    }

    private TaskFeatures() {}

    private static List<String> names() {
        List<String> names =
                new ArrayList<>(
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
     * <p>Word lists match whole words and phrases, case-insensitively, each word counted once.
     */
    public static float[] of(String input, String kind, List<String> capabilities) {
        Scan scan = new Scan(input);
        float[] x = new float[SIZE];
        int chars = input.length();
        int words = scan.words.size();
        int i = 0;
        x[i++] = capped(Math.log1p(chars) / Math.log1p(8000));
        x[i++] = capped(Math.log1p(words) / Math.log1p(1500));
        x[i++] = share(scan.sentences, 20);
        x[i++] = words == 0 ? 0f : (float) scan.longWords / words;
        x[i++] = share(scan.codeMarkers, 12);
        x[i++] = share(scan.lists[CODE_WORDS], 5);
        x[i++] = share(scan.mathSymbols, 40);
        x[i++] = share(scan.lists[MATH_WORDS], 4);
        x[i++] = scan.equation ? 1f : 0f;
        x[i++] = share(scan.questions, 4);
        x[i++] = share(scan.steps(), 6);
        x[i++] = share(scan.lists[REASONING_WORDS], 4);
        x[i++] = share(scan.lists[SIMPLE_WORDS], 3);
        x[i++] = share(scan.lists[CONSTRAINT_WORDS], 4);
        x[i++] = share(Math.max(0, capabilities.size() - 1), 3);
        x[i++] = chars == 0 ? 0f : (float) scan.nonAscii / chars;
        int kindIndex = KINDS.indexOf(kind == null ? "" : kind.toLowerCase(Locale.ROOT));
        if (kindIndex >= 0) {
            x[i + kindIndex] = 1f;
        }
        return x;
    }

    /** Step words and enumerated lines in the input: how many steps it asks for, roughly. */
    public static int stepCues(String input) {
        return new Scan(input).steps();
    }

    /**
     * A rough count of the tokens a language model reads for the input: about four characters a
     * token for words, one token per other non-space character.
     */
    public static int tokenEstimate(String input) {
        int tokens = 0;
        int i = 0;
        int n = input.length();
        while (i < n) {
            char c = input.charAt(i);
            if (isWordChar(c)) {
                int start = i;
                while (i < n && isWordChar(input.charAt(i))) {
                    i++;
                }
                tokens += (i - start + 3) / 4;
            } else {
                if (!Character.isWhitespace(c)) {
                    tokens++;
                }
                i++;
            }
        }
        return tokens;
    }

    /** Word characters: letters, digits and the underscore. */
    private static boolean isWordChar(char c) {
        return c < 128 ? ASCII_WORD[c] : Character.isLetterOrDigit(c);
    }

    private static final boolean[] ASCII_WORD = asciiWord();

    private static boolean[] asciiWord() {
        boolean[] word = new boolean[128];
        for (char c = 0; c < 128; c++) {
            word[c] = Character.isLetterOrDigit(c) || c == '_';
        }
        return word;
    }

    /**
     * One pass over the input's characters, then one over its words: the counts behind the
     * features, without regular expressions (a feature vector costs a few microseconds).
     */
    private static final class Scan {
        final String input;
        final List<String> words = new ArrayList<>();
        final int[] lists = new int[LISTS.length];
        int sentences;
        int longWords;
        int codeMarkers;
        int mathSymbols;
        int questions;
        int nonAscii;
        int enumeratedLines;
        boolean equation;

        Scan(String input) {
            this.input = input;
            scanCharacters();
            scanLines();
            scanWords();
        }

        int steps() {
            return lists[STEP_WORDS] + enumeratedLines;
        }

        private void scanCharacters() {
            int n = input.length();
            for (int i = 0; i < n; i++) {
                char c = input.charAt(i);
                if (c > 127) {
                    nonAscii++;
                }
                if (c == '?') {
                    questions++;
                }
                if ((c == '.' || c == '!' || c == '?')
                        && (i + 1 == n || Character.isWhitespace(input.charAt(i + 1)))) {
                    sentences++;
                }
                if (isMathSymbol(c)) {
                    mathSymbols++;
                }
            }
            for (int i = 0; i < n; ) {
                char c = input.charAt(i);
                // Each marker's first character decides which it can be.
                if (c == '`' && input.startsWith("```", i)) {
                    codeMarkers++;
                    i += 3;
                } else if ((c == '=' && (input.startsWith("=>", i) || input.startsWith("==", i)))
                        || (c == '!' && input.startsWith("!=", i))) {
                    codeMarkers++;
                    i += 2;
                } else {
                    i++;
                }
            }
        }

        /** Lines ending in a brace or semicolon (code), and enumerated or bulleted lines. */
        private void scanLines() {
            int n = input.length();
            int start = 0;
            while (start <= n) {
                int end = input.indexOf('\n', start);
                if (end < 0) {
                    end = n;
                }
                int last = end - 1;
                while (last >= start && Character.isWhitespace(input.charAt(last))) {
                    last--;
                }
                if (last >= start) {
                    char c = input.charAt(last);
                    if (c == '{' || c == '}' || c == ';') {
                        codeMarkers++;
                    }
                }
                int first = start;
                while (first < end && Character.isWhitespace(input.charAt(first))) {
                    first++;
                }
                int digits = first;
                while (digits < end && input.charAt(digits) >= '0' && input.charAt(digits) <= '9') {
                    digits++;
                }
                int marker = -1;
                if (digits > first
                        && digits < end
                        && (input.charAt(digits) == '.' || input.charAt(digits) == ')')) {
                    marker = digits;
                } else if (first < end && "-*•".indexOf(input.charAt(first)) >= 0) {
                    marker = first;
                }
                if (marker >= 0
                        && marker + 1 < end
                        && Character.isWhitespace(input.charAt(marker + 1))) {
                    enumeratedLines++;
                }
                start = end + 1;
            }
        }

        private void scanWords() {
            int n = input.length();
            int i = 0;
            while (i < n) {
                if (!isWordChar(input.charAt(i))) {
                    i++;
                    continue;
                }
                int start = i;
                while (i < n && isWordChar(input.charAt(i))) {
                    i++;
                }
                String word = input.substring(start, i);
                words.add(word.toLowerCase(Locale.ROOT));
                if (word.length() >= 10) {
                    longWords++;
                }
                if (CODE_KEYWORDS.contains(word)
                        || (i < n && input.charAt(i) == '(' && input.indexOf(')', i) > 0)
                        || snakeCase(word)
                        || camelCase(word)) {
                    codeMarkers++;
                }
                if (!equation) {
                    equation = equationAt(word, i);
                }
            }
            int w = 0;
            while (w < words.size()) {
                Phrase match = null;
                List<Phrase> starting = PHRASES.get(words.get(w));
                if (starting != null) {
                    for (Phrase phrase : starting) {
                        if (matches(phrase.words(), w)) {
                            match = phrase;
                            break;
                        }
                    }
                }
                if (match == null) {
                    w++;
                } else {
                    lists[match.list()]++;
                    w += match.words().length;
                }
            }
        }

        private boolean matches(String[] phrase, int at) {
            if (at + phrase.length > words.size()) {
                return false;
            }
            for (int k = 1; k < phrase.length; k++) {
                if (!phrase[k].equals(words.get(at + k))) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Whether the word ending at {@code end} starts an equation: a variable with a power
         * ({@code x^2}, {@code x**2}, {@code x²}), a term with an operator and a number ({@code 2x
         * + 3}, {@code x = 4}), a function of a variable ({@code f(x)}), or a function applied to
         * something ({@code sin(}, {@code log (}).
         */
        private boolean equationAt(String word, int end) {
            int next = skipSpaces(end);
            char after = next < input.length() ? input.charAt(next) : 0;
            // Lower-casing never shortens a word, and no function's name is longer than four.
            if (after == '('
                    && word.length() <= 4
                    && FUNCTIONS.contains(word.toLowerCase(Locale.ROOT))) {
                return true;
            }
            int letters = 0;
            while (letters < word.length() && Character.isDigit(word.charAt(letters))) {
                letters++;
            }
            // A term: digits, then one lower-case letter.
            if (letters != word.length() - 1) {
                return false;
            }
            char variable = word.charAt(letters);
            if (variable < 'a' || variable > 'z') {
                return false;
            }
            if (letters == 0
                    && (after == '^'
                            || after == '²'
                            || after == '³'
                            || input.startsWith("**", next))) {
                return true;
            }
            if (after == '+' || after == '-' || after == '=') {
                int number = skipSpaces(next + 1);
                if (number < input.length() && Character.isDigit(input.charAt(number))) {
                    return true;
                }
            }
            return letters == 0
                    && end + 2 < input.length()
                    && input.charAt(end) == '('
                    && input.charAt(end + 1) >= 'a'
                    && input.charAt(end + 1) <= 'z'
                    && input.charAt(end + 2) == ')';
        }

        private int skipSpaces(int from) {
            int i = from;
            while (i < input.length() && Character.isWhitespace(input.charAt(i))) {
                i++;
            }
            return i;
        }

        private static boolean snakeCase(String word) {
            int underscore = word.indexOf('_', 1);
            return underscore > 0 && underscore < word.length() - 1;
        }

        private static boolean camelCase(String word) {
            int i = 0;
            while (i < word.length() && word.charAt(i) >= 'a' && word.charAt(i) <= 'z') {
                i++;
            }
            return i > 0 && i < word.length() && word.charAt(i) >= 'A' && word.charAt(i) <= 'Z';
        }
    }

    private static float share(int count, int cap) {
        return (float) Math.min(count, cap) / cap;
    }

    private static float capped(double value) {
        return (float) Math.min(1.0, value);
    }
}
