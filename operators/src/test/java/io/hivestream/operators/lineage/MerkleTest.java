package io.hivestream.operators.lineage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MerkleTest {
    private static List<String> leaves(int n) {
        List<String> leaves = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            leaves.add(
                    Canonical.hex(
                            Canonical.sha256(("leaf " + i).getBytes(StandardCharsets.UTF_8))));
        }
        return leaves;
    }

    /**
     * The audit path of leaf {@code m} as RFC 9162 2.1.3.1 defines it, recursively: the reference
     * that the one-pass proofs of {@link Merkle#tree} are checked against.
     */
    private static List<String> proof(List<String> leaves, int m) {
        List<String> path = new ArrayList<>();
        path(leaves, m, path);
        return path;
    }

    private static void path(List<String> leaves, int m, List<String> out) {
        int n = leaves.size();
        if (n <= 1) {
            return;
        }
        int k = Integer.highestOneBit(n - 1);
        if (m < k) {
            path(leaves.subList(0, k), m, out);
            out.add(Merkle.root(leaves.subList(k, n)));
        } else {
            path(leaves.subList(k, n), m - k, out);
            out.add(Merkle.root(leaves.subList(0, k)));
        }
    }

    @Test
    void aSingleLeafIsItsLeafHash() {
        String leaf = leaves(1).get(0);
        byte[] prefixed = new byte[33];
        System.arraycopy(Canonical.unhex(leaf), 0, prefixed, 1, 32);

        assertThat(Merkle.root(List.of(leaf))).isEqualTo(Canonical.hex(Canonical.sha256(prefixed)));
        assertThat(Merkle.tree(List.of(leaf)))
                .isEqualTo(new Merkle.Tree(Merkle.root(List.of(leaf)), List.of(List.of())));
    }

    @Test
    void everyProofOfEveryTreeSizeLeadsToTheRoot() {
        for (int n = 1; n <= 33; n++) {
            List<String> leaves = leaves(n);
            String root = Merkle.root(leaves);
            Merkle.Tree tree = Merkle.tree(leaves);
            assertThat(tree.root()).isEqualTo(root);
            List<List<String>> proofs = tree.proofs();
            for (int i = 0; i < n; i++) {
                assertThat(proofs.get(i)).isEqualTo(proof(leaves, i));
                assertThat(Merkle.rootFromProof(leaves.get(i), i, n, proofs.get(i)))
                        .as("leaf %d of %d", i, n)
                        .isEqualTo(root);
            }
        }
    }

    @Test
    void aProofDoesNotFitAnotherLeafIndexOrSize() {
        List<String> leaves = leaves(5);
        String root = Merkle.root(leaves);
        List<String> proof = Merkle.tree(leaves).proofs().get(2);

        assertThat(Merkle.rootFromProof(leaves.get(2), 3, 5, proof)).isNotEqualTo(root);
        assertThat(Merkle.rootFromProof(leaves.get(2), 2, 4, proof)).isNotEqualTo(root);
        assertThat(Merkle.rootFromProof(leaves.get(2), 5, 5, proof)).isNull();
    }
}
