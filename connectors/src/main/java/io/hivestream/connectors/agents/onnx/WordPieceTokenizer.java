package io.hivestream.connectors.agents.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The uncased BERT tokenizer that all-MiniLM-L6-v2 was trained with, read from the Hugging Face
 * {@code tokenizer.json} shipped beside the model: the vocabulary, the unknown-token and special
 * tokens, and the truncation length. It does what that file's {@code BertNormalizer}, {@code
 * BertPreTokenizer}, {@code WordPiece} model and {@code [CLS] $A [SEP]} template do, in plain Java,
 * so no native tokenizer library is needed. Immutable and thread-safe.
 */
final class WordPieceTokenizer {
    private final Map<String, Integer> vocab;
    private final Pieces lookup;
    private final int unknownId;
    private final int clsId;
    private final int sepId;
    private final int maxInputCharsPerWord;
    private final int maxLength;

    private WordPieceTokenizer(
            Map<String, Integer> vocab,
            String unknownToken,
            int maxInputCharsPerWord,
            int maxLength) {
        this.vocab = vocab;
        this.lookup = new Pieces(vocab);
        this.unknownId = id(vocab, unknownToken);
        this.clsId = id(vocab, "[CLS]");
        this.sepId = id(vocab, "[SEP]");
        this.maxInputCharsPerWord = maxInputCharsPerWord;
        this.maxLength = maxLength;
    }

    /** Reads a Hugging Face {@code tokenizer.json} whose model is WordPiece. */
    static WordPieceTokenizer read(InputStream tokenizerJson) throws IOException {
        JsonNode root = new ObjectMapper().readTree(tokenizerJson);
        JsonNode model = root.path("model");
        if (!"WordPiece".equals(model.path("type").asText())) {
            throw new IOException(
                    "tokenizer model is '" + model.path("type").asText() + "', not WordPiece");
        }
        Map<String, Integer> vocab = new HashMap<>();
        model.path("vocab")
                .fields()
                .forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
        int maxLength = root.path("truncation").path("max_length").asInt(512);
        return new WordPieceTokenizer(
                vocab,
                model.path("unk_token").asText("[UNK]"),
                model.path("max_input_chars_per_word").asInt(100),
                maxLength);
    }

    /**
     * The token ids of {@code text} as the model reads them: {@code [CLS]}, the word pieces cut to
     * fit the truncation length, {@code [SEP]}.
     */
    long[] encode(String text) {
        int[] pieces = piecesOfWords(words(normalize(text)), maxLength - 2);
        long[] ids = new long[pieces.length + 2];
        ids[0] = clsId;
        for (int i = 0; i < pieces.length; i++) {
            ids[i + 1] = pieces[i];
        }
        ids[pieces.length + 1] = sepId;
        return ids;
    }

    /**
     * The word-piece ids of {@code text} without the markers, at most {@code limit} of them; only
     * the text's first {@code 32 * limit} characters are read.
     */
    int[] pieces(String text, int limit) {
        String head = head(text, limit);
        for (int i = 0; i < head.length(); i++) {
            if (head.charAt(i) >= 0x80) {
                return piecesOfAnyText(text, limit);
            }
        }
        return piecesOfAscii(head, limit);
    }

    /** The start of a text that can hold {@code limit} pieces. */
    private static String head(String text, int limit) {
        return text.length() > 32L * limit ? text.substring(0, 32 * limit) : text;
    }

    /** {@link #pieces} by the general path: normalised text, then words, then their pieces. */
    int[] piecesOfAnyText(String text, int limit) {
        return piecesOfWords(words(normalize(head(text, limit))), limit);
    }

    /** The pieces of normalised words, at most {@code limit} of them. */
    private int[] piecesOfWords(List<String> words, int limit) {
        int[] ids = new int[limit];
        int count = 0;
        for (String word : words) {
            if (count >= limit) {
                break;
            }
            char[] chars = word.toCharArray();
            count = wordPieces(chars, chars.length, false, ids, count);
        }
        return count == ids.length ? ids : Arrays.copyOf(ids, count);
    }

    /** What each ASCII character is to the normaliser and the word splitter. */
    private static final byte DROPPED = 0, SPACE = 1, PUNCTUATION = 2, WORD = 3;

    private static final byte[] ASCII_CLASSES = asciiClasses();

    private static byte[] asciiClasses() {
        byte[] classes = new byte[0x80];
        for (char c = 0; c < 0x80; c++) {
            // In the order normalize and words test them.
            if (c == 0 || isControl(c)) {
                classes[c] = DROPPED;
            } else if (isWhitespace(c)) {
                classes[c] = SPACE;
            } else if (isPunctuation(c)) {
                classes[c] = PUNCTUATION;
            } else {
                classes[c] = WORD;
            }
        }
        return classes;
    }

    /**
     * {@link #pieces} of ASCII text in one pass: the same characters dropped, lower-cased and split
     * as {@link #normalize} and {@link #words} do, each word's pieces looked up without a string
     * per candidate, and no word read past the limit.
     */
    private int[] piecesOfAscii(String head, int limit) {
        int[] ids = new int[Math.min(limit, head.length())];
        int count = 0;
        char[] word = new char[Math.min(head.length(), maxInputCharsPerWord + 1)];
        int length = 0;
        boolean tooLong = false;
        int n = head.length();
        for (int i = 0; i <= n && count < limit; i++) {
            byte kind = i == n ? SPACE : ASCII_CLASSES[head.charAt(i)];
            if (kind == DROPPED) {
                continue;
            }
            if (kind == WORD) {
                char c = head.charAt(i);
                if (length < word.length) {
                    word[length] = c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
                } else {
                    tooLong = true;
                }
                length++;
                continue;
            }
            if (length > 0) {
                count = wordPieces(word, length, tooLong, ids, count);
                length = 0;
                tooLong = false;
            }
            if (kind == PUNCTUATION && count < limit) {
                word[0] = head.charAt(i);
                count = wordPieces(word, 1, false, ids, count);
            }
        }
        return count == ids.length ? ids : Arrays.copyOf(ids, count);
    }

    /**
     * Appends the greedy longest-match-first pieces of {@code word[0, length)} to {@code ids}, as
     * many as fit, and returns the new count: one unknown token for a word of more than {@code
     * maxInputCharsPerWord} code points ({@code tooLong} says so of a word cut short) or one that
     * no pieces cover.
     */
    private int wordPieces(char[] word, int length, boolean tooLong, int[] ids, int count) {
        if (tooLong
                || (length > maxInputCharsPerWord
                        && Character.codePointCount(word, 0, length) > maxInputCharsPerWord)) {
            return append(ids, count, unknownId);
        }
        int first = count;
        int start = 0;
        while (start < length) {
            int end = length;
            int found = -1;
            while (start < end) {
                found = lookup.id(word, start, end, start > 0);
                if (found >= 0) {
                    break;
                }
                // One code point shorter: a surrogate pair goes whole.
                end--;
                if (end > start
                        && Character.isLowSurrogate(word[end])
                        && Character.isHighSurrogate(word[end - 1])) {
                    end--;
                }
            }
            if (found < 0) {
                // The pieces of this word found so far are dropped: it is one unknown token.
                return append(ids, first, unknownId);
            }
            count = append(ids, count, found);
            start = end;
        }
        return count;
    }

    private static int append(int[] ids, int count, int id) {
        if (count < ids.length) {
            ids[count] = id;
        }
        return Math.min(count + 1, ids.length);
    }

    /**
     * The vocabulary as an open-addressing table of characters, looked up by a slice of a word
     * (with the {@code ##} of a continuation) without making a string.
     */
    private static final class Pieces {
        private final char[][] keys;
        private final int[] ids;
        private final int mask;

        Pieces(Map<String, Integer> vocab) {
            int capacity = Integer.highestOneBit(Math.max(2, vocab.size()) * 4 - 1) << 1;
            keys = new char[capacity][];
            ids = new int[capacity];
            mask = capacity - 1;
            vocab.forEach(
                    (piece, id) -> {
                        int slot = piece.hashCode() & mask;
                        while (keys[slot] != null) {
                            slot = (slot + 1) & mask;
                        }
                        keys[slot] = piece.toCharArray();
                        ids[slot] = id;
                    });
        }

        /** The id of {@code ##} (when continued) and {@code word[from, to)}, or -1. */
        int id(char[] word, int from, int to, boolean continued) {
            // String.hashCode of the piece, so that the table is filled by the same hash.
            int hash = continued ? 31 * '#' + '#' : 0;
            for (int i = from; i < to; i++) {
                hash = 31 * hash + word[i];
            }
            int prefix = continued ? 2 : 0;
            int length = prefix + to - from;
            for (int slot = hash & mask; keys[slot] != null; slot = (slot + 1) & mask) {
                char[] key = keys[slot];
                if (key.length == length
                        && (!continued || (key[0] == '#' && key[1] == '#'))
                        && Arrays.equals(key, prefix, length, word, from, to)) {
                    return ids[slot];
                }
            }
            return -1;
        }
    }

    /** One more than the largest id in the vocabulary. */
    int vocabularySize() {
        int size = 0;
        for (int id : vocab.values()) {
            size = Math.max(size, id + 1);
        }
        return size;
    }

    /** BertNormalizer: clean text, space out CJK ideographs, strip accents, lowercase. */
    static String normalize(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return normalizeAnyText(text);
            }
        }
        // ASCII: no ideographs or accents, and decomposing changes nothing, so cleaning and
        // lowercasing each character gives what the general path gives, without a string per
        // character.
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0 || isControl(c)) {
                continue;
            }
            if (isWhitespace(c)) {
                out.append(' ');
            } else if (c >= 'A' && c <= 'Z') {
                out.append((char) (c + ('a' - 'A')));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** {@link #normalize} for any text. */
    static String normalizeAnyText(String text) {
        StringBuilder cleaned = new StringBuilder(text.length());
        text.codePoints()
                .forEach(
                        c -> {
                            if (c == 0 || c == 0xFFFD || isControl(c)) {
                                return;
                            }
                            if (isWhitespace(c)) {
                                cleaned.append(' ');
                            } else if (isCjk(c)) {
                                cleaned.append(' ').appendCodePoint(c).append(' ');
                            } else {
                                cleaned.appendCodePoint(c);
                            }
                        });
        String decomposed = Normalizer.normalize(cleaned, Normalizer.Form.NFD);
        StringBuilder out = new StringBuilder(decomposed.length());
        decomposed
                .codePoints()
                .filter(c -> Character.getType(c) != Character.NON_SPACING_MARK)
                // One code point at a time, as the reference tokenizer lowercases.
                .forEach(c -> out.append(Character.toString(c).toLowerCase(Locale.ROOT)));
        return out.toString();
    }

    /** BertPreTokenizer: split on whitespace, and every punctuation character is a word. */
    static List<String> words(String normalized) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        normalized
                .codePoints()
                .forEach(
                        c -> {
                            if (isWhitespace(c)) {
                                flush(word, words);
                            } else if (isPunctuation(c)) {
                                flush(word, words);
                                words.add(Character.toString(c));
                            } else {
                                word.appendCodePoint(c);
                            }
                        });
        flush(word, words);
        return words;
    }

    private static void flush(StringBuilder word, List<String> words) {
        if (word.length() > 0) {
            words.add(word.toString());
            word.setLength(0);
        }
    }

    /** Unicode White_Space, which is what the reference tokenizer means by whitespace. */
    private static boolean isWhitespace(int c) {
        return (c >= 0x09 && c <= 0x0D)
                || c == 0x20
                || c == 0x85
                || c == 0xA0
                || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A)
                || c == 0x2028
                || c == 0x2029
                || c == 0x202F
                || c == 0x205F
                || c == 0x3000;
    }

    /**
     * Control, format, surrogate, private-use and unassigned characters, but not tab or newline.
     */
    private static boolean isControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') {
            return false;
        }
        int type = Character.getType(c);
        return type == Character.CONTROL
                || type == Character.FORMAT
                || type == Character.SURROGATE
                || type == Character.PRIVATE_USE
                || type == Character.UNASSIGNED;
    }

    /** ASCII punctuation (which includes symbols such as $ and +) and Unicode punctuation. */
    private static boolean isPunctuation(int c) {
        if ((c >= 33 && c <= 47)
                || (c >= 58 && c <= 64)
                || (c >= 91 && c <= 96)
                || (c >= 123 && c <= 126)) {
            return true;
        }
        int type = Character.getType(c);
        return type == Character.CONNECTOR_PUNCTUATION
                || type == Character.DASH_PUNCTUATION
                || type == Character.START_PUNCTUATION
                || type == Character.END_PUNCTUATION
                || type == Character.INITIAL_QUOTE_PUNCTUATION
                || type == Character.FINAL_QUOTE_PUNCTUATION
                || type == Character.OTHER_PUNCTUATION;
    }

    /** The CJK Unified Ideographs blocks, which BERT treats as one word each. */
    private static boolean isCjk(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF)
                || (c >= 0x3400 && c <= 0x4DBF)
                || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F)
                || (c >= 0x2B740 && c <= 0x2B81F)
                || (c >= 0x2B920 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF)
                || (c >= 0x2F800 && c <= 0x2FA1F);
    }

    private static int id(Map<String, Integer> vocab, String token) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new IllegalArgumentException("tokenizer vocabulary has no " + token);
        }
        return id;
    }
}
