package io.hivestream.connectors.agents.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WordPieceTokenizerTest {
    private static WordPieceTokenizer tokenizer;

    @BeforeAll
    static void readTheShippedTokenizer() throws IOException {
        try (InputStream in =
                WordPieceTokenizerTest.class.getResourceAsStream(
                        MiniLmEmbedder.TOKENIZER_RESOURCE)) {
            tokenizer = WordPieceTokenizer.read(in);
        }
    }

    @Test
    void wordsAndPunctuationBecomeIdsBetweenTheMarkers() {
        // [CLS] hello , world ! [SEP]
        assertThat(tokenizer.encode("Hello, world!"))
                .containsExactly(101, 7592, 1010, 2088, 999, 102);
    }

    @Test
    void piecesAreTheIdsWithoutTheMarkersUpToALimit() {
        assertThat(tokenizer.pieces("Hello, world!", 512)).containsExactly(7592, 1010, 2088, 999);
        assertThat(tokenizer.pieces("Hello, world!", 2)).containsExactly(7592, 1010);
        assertThat(tokenizer.pieces("", 512)).isEmpty();
        assertThat(tokenizer.vocabularySize()).isEqualTo(30522);
    }

    @Test
    void asciiTextIsNormalisedAsAnyTextIs() {
        java.util.Random random = new java.util.Random(42);
        for (int n = 0; n < 20_000; n++) {
            char[] chars = new char[random.nextInt(40)];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = (char) random.nextInt(0x80);
            }
            String text = new String(chars);
            assertThat(WordPieceTokenizer.normalize(text))
                    .as("%s", text.chars().boxed().toList())
                    .isEqualTo(WordPieceTokenizer.normalizeAnyText(text));
        }
        assertThat(WordPieceTokenizer.normalize("Hello,\tWORLD!\u0007\r\n"))
                .isEqualTo("hello, world!  ");
    }

    @Test
    void asciiTextHasThePiecesTheGeneralPathGives() {
        // Letters, digits, punctuation, spaces and control characters, words of up to 120
        // characters (longer than a word may be), pieces the vocabulary lacks, limits of 1 to 64.
        String alphabet =
                "abcdefghijklmnopqrstuvwxyzABCDEFXYZ0123456789_.,;:!?'\"()[]{}#$%&*+-/<=>@\\^`|~";
        String[] words = {
            "tokenization", "unaffable", "kafka", "exactly", "once", "##", "[UNK]", "qzxj", "hello"
        };
        java.util.Random random = new java.util.Random(42);
        for (int n = 0; n < 10_000; n++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(n % 100 == 0 ? 400 : 60);
            while (text.length() < length) {
                int pick = random.nextInt(20);
                if (pick == 0) {
                    text.append((char) random.nextInt(0x20)); // controls, tabs, newlines
                } else if (pick == 1) {
                    text.append((char) 0x7F);
                } else if (pick == 2) {
                    text.append("x".repeat(95 + random.nextInt(10)));
                } else if (pick < 6) {
                    text.append(words[random.nextInt(words.length)]);
                } else if (pick < 9) {
                    text.append(' ');
                } else {
                    text.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            int limit = 1 + random.nextInt(64);
            assertThat(tokenizer.pieces(text.toString(), limit))
                    .as("%s, limit %d", text.chars().boxed().toList(), limit)
                    .containsExactly(tokenizer.piecesOfAnyText(text.toString(), limit));
        }
    }

    @Test
    void aLongWordIsSplitIntoPieces() {
        // [CLS] token ##ization [SEP]
        assertThat(tokenizer.encode("tokenization")).containsExactly(101, 19204, 3989, 102);
    }

    @Test
    void textIsLowercasedWithoutAccentsAndCjkIdeographsStandAlone() {
        assertThat(WordPieceTokenizer.normalize("Café\tNAÏVE 中文")).isEqualTo("cafe naive  中  文 ");
        assertThat(WordPieceTokenizer.words("cafe naive  中  文 "))
                .containsExactly("cafe", "naive", "中", "文");
        assertThat(tokenizer.encode("Café")).containsExactly(tokenizer.encode("cafe"));
    }

    @Test
    void asciiSymbolsCountAsPunctuation() {
        assertThat(WordPieceTokenizer.words("a+b=$5"))
                .containsExactly("a", "+", "b", "=", "$", "5");
    }

    @Test
    void aWordWithoutPiecesIsOneUnknownToken() {
        // [CLS] [UNK] [SEP]: no piece of the vocabulary starts with this symbol
        assertThat(tokenizer.encode("\u2603\u2603")).containsExactly(101, 100, 102);
    }

    @Test
    void longTextIsCutTo128Tokens() {
        long[] ids = tokenizer.encode("word ".repeat(300));

        assertThat(ids).hasSize(128);
        assertThat(ids[0]).isEqualTo(101);
        assertThat(ids[127]).isEqualTo(102);
    }
}
