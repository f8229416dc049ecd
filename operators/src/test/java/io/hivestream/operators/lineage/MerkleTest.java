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

    @Test
    void aSingleLeafIsItsLeafHash() {
        String leaf = leaves(1).get(0);
        byte[] prefixed = new byte[33];
        System.arraycopy(Canonical.unhex(leaf), 0, prefixed, 1, 32);

        assertThat(Merkle.root(List.of(leaf))).isEqualTo(Canonical.hex(Canonical.sha256(prefixed)));
        assertThat(Merkle.proofs(List.of(leaf))).containsExactly(List.of());
    }

    @Test
    void everyProofOfEveryTreeSizeLeadsToTheRoot() {
        for (int n = 1; n <= 33; n++) {
            List<String> leaves = leaves(n);
            String root = Merkle.root(leaves);
            List<List<String>> proofs = Merkle.proofs(leaves);
            for (int i = 0; i < n; i++) {
                assertThat(proofs.get(i)).isEqualTo(Merkle.proof(leaves, i));
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
        List<String> proof = Merkle.proof(leaves, 2);

        assertThat(Merkle.rootFromProof(leaves.get(2), 3, 5, proof)).isNotEqualTo(root);
        assertThat(Merkle.rootFromProof(leaves.get(2), 2, 4, proof)).isNotEqualTo(root);
        assertThat(Merkle.rootFromProof(leaves.get(2), 5, 5, proof)).isNull();
    }
}
