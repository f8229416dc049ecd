package io.hivestream.operators.lineage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CanonicalTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String HASH =
            "00112233445566778899aabbccddeeff0123456789abcdef0f1e2d3c4b5a6978";

    /** The bytes written after the domain tag {@code d}: u32(1) 'd'. */
    private static String after(Canonical canonical) {
        return HEX.formatHex(canonical.toByteArray()).substring(10);
    }

    @Test
    void stringsAreTheirLengthInUtf8BytesAndTheBytes() {
        assertThat(after(new Canonical("d").str(""))).isEqualTo("00000000");
        assertThat(after(new Canonical("d").str("ab"))).isEqualTo("000000026162");
        // The length counts UTF-8 bytes, not chars: 1 + 2 + 3 here, and 4 for one code point
        // beyond the Basic Multilingual Plane (two chars).
        assertThat(after(new Canonical("d").str("aé€"))).isEqualTo("0000000661c3a9e282ac");
        assertThat(after(new Canonical("d").str("😀").str("x")))
                .isEqualTo("00000004f09f988000000001" + "78");
    }

    @Test
    void hashesAreTheirThirtyTwoBytesFromHexOfEitherCase() {
        assertThat(after(new Canonical("d").hash(HASH))).isEqualTo(HASH);
        assertThat(after(new Canonical("d").hash(HASH.toUpperCase()))).isEqualTo(HASH);
    }

    @Test
    void anythingButSixtyFourAsciiHexDigitsIsRefusedSayingWhy() {
        assertThatThrownBy(() -> new Canonical("d").hash(HASH.substring(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a SHA-256 hash: expected 64 hex digits, got 62 characters");
        assertThatThrownBy(() -> new Canonical("d").hash(null))
                .hasMessage("not a SHA-256 hash: expected 64 hex digits, got none");
        assertThatThrownBy(() -> new Canonical("d").hash("g" + HASH.substring(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not a SHA-256 hash: ");
        // Digits of other scripts are not hex digits.
        assertThatThrownBy(() -> new Canonical("d").hash("\u0663" + HASH.substring(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not a SHA-256 hash: ");
    }
}
