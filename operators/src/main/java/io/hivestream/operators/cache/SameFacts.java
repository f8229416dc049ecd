package io.hivestream.operators.cache;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lexical guard of the semantic cache: two inputs can only be the same question when they name
 * the same numbers, the same names and the same quoted text. Sentence embeddings place "the square
 * root of 144" next to "the square root of 169" and "into Spanish" next to "into French"; those are
 * the wrong hits a semantic cache must never give, and they differ exactly in such tokens.
 */
public final class SameFacts {
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:[.,]\\d+)*");
    private static final Pattern QUOTED = Pattern.compile("['\"“‘]([^'\"”’]+)['\"”’]");
    private static final Pattern WORD = Pattern.compile("\\p{L}[\\p{L}\\p{N}'’-]*");
    private static final Pattern SENTENCE_END = Pattern.compile("[.!?:;]\\s*$");

    private SameFacts() {}

    /** Whether {@code a} and {@code b} name the same numbers, names and quoted text. */
    public static boolean of(String a, String b) {
        return facts(a).equals(facts(b));
    }

    /**
     * The facts of a text: its numbers, its quoted strings (lower case) and its names (words that
     * start with a capital letter other than at the start of a sentence, lower case, without a
     * possessive 's).
     */
    static Set<String> facts(String text) {
        Set<String> facts = new TreeSet<>();
        Matcher number = NUMBER.matcher(text);
        while (number.find()) {
            facts.add("#" + number.group().replace(",", ""));
        }
        Matcher quoted = QUOTED.matcher(text);
        while (quoted.find()) {
            facts.add("\"" + quoted.group(1).strip().toLowerCase());
        }
        Matcher word = WORD.matcher(text);
        boolean sentenceStart = true;
        int last = 0;
        while (word.find()) {
            if (!sentenceStart && SENTENCE_END.matcher(text.substring(last, word.start())).find()) {
                sentenceStart = true;
            }
            String w = word.group();
            if (!sentenceStart && Character.isUpperCase(w.codePointAt(0))) {
                // A possessive names the same thing: "France's" is "France".
                facts.add("@" + w.replaceFirst("['’]s$", "").toLowerCase());
            }
            sentenceStart = false;
            last = word.end();
        }
        return facts;
    }
}
