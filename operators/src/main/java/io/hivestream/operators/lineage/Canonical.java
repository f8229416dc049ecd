package io.hivestream.operators.lineage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The deterministic byte encoding that lineage hashes and signs, as docs/lineage.md specifies it:
 * big-endian integers, length-prefixed UTF-8 strings, a presence byte before optional values, a
 * count before lists, and maps sorted by the bytes of their keys. One writer per structure; not
 * thread-safe.
 */
public final class Canonical {
    private static final HexFormat HEX = HexFormat.of();

    private static final ThreadLocal<MessageDigest> SHA256 =
            ThreadLocal.withInitial(
                    () -> {
                        try {
                            return MessageDigest.getInstance("SHA-256");
                        } catch (NoSuchAlgorithmException e) {
                            throw new IllegalStateException("the JDK has no SHA-256", e);
                        }
                    });

    /** The hash that links the first result of a chain: 32 zero bytes. */
    public static final String GENESIS = "0".repeat(64);

    // A plain growable array: ByteArrayOutputStream locks on every byte.
    private byte[] buf = new byte[512];
    private int size;

    /** Starts the bytes of one structure with its domain tag, e.g. {@code hivestream/result/1}. */
    public Canonical(String domain) {
        str(domain);
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }

    public Canonical u8(int value) {
        ensure(1);
        buf[size++] = (byte) value;
        return this;
    }

    public Canonical u32(long value) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (value >>> shift);
        }
        return this;
    }

    public Canonical i64(long value) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (value >>> shift);
        }
        return this;
    }

    /** IEEE 754 bits of the double, NaN in its one canonical form. */
    public Canonical f64(double value) {
        return i64(Double.doubleToLongBits(value));
    }

    public Canonical bool(boolean value) {
        return u8(value ? 1 : 0);
    }

    public Canonical bytes(byte[] value) {
        u32(value.length);
        raw(value);
        return this;
    }

    private void raw(byte[] value) {
        ensure(value.length);
        System.arraycopy(value, 0, buf, size, value.length);
        size += value.length;
    }

    public Canonical str(String value) {
        return bytes(value.getBytes(StandardCharsets.UTF_8));
    }

    /** A 32-byte hash given in hex, written raw (no length: it is always 32 bytes). */
    public Canonical hash(String hex) {
        raw(unhex(hex));
        return this;
    }

    public Canonical optStr(String value) {
        return value == null ? u8(0) : u8(1).str(value);
    }

    public Canonical optF64(Double value) {
        return value == null ? u8(0) : u8(1).f64(value);
    }

    public Canonical optBool(Boolean value) {
        return value == null ? u8(0) : u8(1).bool(value);
    }

    public Canonical optHash(String hex) {
        return hex == null ? u8(0) : u8(1).hash(hex);
    }

    public Canonical optEnum(Enum<?> value) {
        return value == null ? u8(0) : u8(1).str(value.name());
    }

    public Canonical strs(List<? extends CharSequence> values) {
        u32(values.size());
        for (CharSequence value : values) {
            str(value.toString());
        }
        return this;
    }

    public Canonical hashes(List<? extends CharSequence> values) {
        u32(values.size());
        for (CharSequence value : values) {
            hash(value.toString());
        }
        return this;
    }

    /** Entries sorted by the unsigned bytes of their UTF-8 keys. */
    public Canonical map(Map<? extends CharSequence, ? extends CharSequence> values) {
        List<byte[][]> entries = new ArrayList<>(values.size());
        values.forEach(
                (k, v) ->
                        entries.add(
                                new byte[][] {
                                    k.toString().getBytes(StandardCharsets.UTF_8),
                                    v.toString().getBytes(StandardCharsets.UTF_8)
                                }));
        entries.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
        u32(entries.size());
        for (byte[][] entry : entries) {
            bytes(entry[0]);
            bytes(entry[1]);
        }
        return this;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    /** The hex SHA-256 of the bytes written so far, hashed in place. */
    public String sha256() {
        MessageDigest digest = SHA256.get();
        digest.update(buf, 0, size);
        return hex(digest.digest());
    }

    public static byte[] sha256(byte[] bytes) {
        // digest() resets the digest, so each thread reuses its own.
        return SHA256.get().digest(bytes);
    }

    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** The 32 bytes of a hash in lowercase or uppercase hex; refuses anything else. */
    public static byte[] unhex(String hex) {
        if (hex == null || hex.length() != 64) {
            throw new IllegalArgumentException(
                    "not a SHA-256 hash: expected 64 hex digits, got "
                            + (hex == null ? "none" : hex.length() + " characters"));
        }
        try {
            return HEX.parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a SHA-256 hash: " + e.getMessage(), e);
        }
    }
}
