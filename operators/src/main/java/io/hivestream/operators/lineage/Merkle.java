package io.hivestream.operators.lineage;

import java.util.ArrayList;
import java.util.List;

/**
 * Merkle trees over 32-byte hashes as RFC 9162 (Certificate Transparency 2.0) section 2.1 defines
 * them: leaf {@code SHA-256(0x00 || d)}, node {@code SHA-256(0x01 || left || right)}, split at the
 * largest power of two below the size; inclusion proofs and their verification from the same
 * section.
 */
public final class Merkle {
    private Merkle() {}

    /** The root over the given leaves (hex hashes); at least one leaf. */
    public static String root(List<String> leaves) {
        if (leaves.isEmpty()) {
            throw new IllegalArgumentException("a Merkle tree needs at least one leaf");
        }
        List<byte[]> raw = new ArrayList<>(leaves.size());
        for (String leaf : leaves) {
            raw.add(Canonical.unhex(leaf));
        }
        return Canonical.hex(hash(raw, 0, raw.size()));
    }

    /** A tree's root and the audit path of every leaf (sibling hashes from the leaf up). */
    public record Tree(String root, List<List<String>> proofs) {}

    /** The root and every leaf's audit path, in one pass of O(n log n); at least one leaf. */
    public static Tree tree(List<String> leaves) {
        if (leaves.isEmpty()) {
            throw new IllegalArgumentException("a Merkle tree needs at least one leaf");
        }
        List<byte[]> raw = new ArrayList<>(leaves.size());
        List<List<String>> paths = new ArrayList<>(leaves.size());
        for (String leaf : leaves) {
            raw.add(Canonical.unhex(leaf));
            paths.add(new ArrayList<>());
        }
        return new Tree(Canonical.hex(hashAndPaths(raw, 0, raw.size(), paths)), paths);
    }

    private static byte[] hashAndPaths(
            List<byte[]> leaves, int from, int to, List<List<String>> paths) {
        if (to - from == 1) {
            return leafHash(leaves.get(from));
        }
        int k = split(to - from);
        byte[] left = hashAndPaths(leaves, from, from + k, paths);
        byte[] right = hashAndPaths(leaves, from + k, to, paths);
        String leftHex = Canonical.hex(left);
        String rightHex = Canonical.hex(right);
        for (int i = from; i < to; i++) {
            paths.get(i).add(i < from + k ? rightHex : leftHex);
        }
        return nodeHash(left, right);
    }

    /**
     * The root that a leaf and its proof lead to (RFC 9162 2.1.3.2), or null when the proof does
     * not fit a tree of that size.
     */
    public static String rootFromProof(String leaf, int index, int size, List<String> proof) {
        if (index < 0 || index >= size) {
            return null;
        }
        long fn = index;
        long sn = size - 1L;
        byte[] r = leafHash(Canonical.unhex(leaf));
        for (String siblingHex : proof) {
            if (sn == 0) {
                return null;
            }
            byte[] sibling = Canonical.unhex(siblingHex);
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(sibling, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = nodeHash(r, sibling);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 ? Canonical.hex(r) : null;
    }

    private static byte[] hash(List<byte[]> leaves, int from, int to) {
        int n = to - from;
        if (n == 1) {
            return leafHash(leaves.get(from));
        }
        int k = split(n);
        return nodeHash(hash(leaves, from, from + k), hash(leaves, from + k, to));
    }

    /** The largest power of two below n (n at least 2). */
    private static int split(int n) {
        return Integer.highestOneBit(n - 1);
    }

    private static byte[] leafHash(byte[] leaf) {
        byte[] bytes = new byte[1 + leaf.length];
        bytes[0] = 0;
        System.arraycopy(leaf, 0, bytes, 1, leaf.length);
        return Canonical.sha256(bytes);
    }

    private static byte[] nodeHash(byte[] left, byte[] right) {
        byte[] bytes = new byte[1 + left.length + right.length];
        bytes[0] = 1;
        System.arraycopy(left, 0, bytes, 1, left.length);
        System.arraycopy(right, 0, bytes, 1 + left.length, right.length);
        return Canonical.sha256(bytes);
    }
}
