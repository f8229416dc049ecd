package io.hivestream.operators.lineage;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.codec.Codecs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The golden example of docs/lineage.md, with the committed test keys: the code reproduces it byte
 * for byte (both algorithms sign deterministically), the committed results verify with the
 * committed public keys, and the document shows the values tested here.
 */
class LineageGoldenTest {
    static final Path DIR = Path.of("src/test/resources/lineage");

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "ml-dsa-65"})
    void theExampleIsReproducedByteForByte(String name) throws Exception {
        TaskResult signed = GoldenExample.signed(GoldenExample.key(DIR, name));

        assertThat(GoldenExample.values(signed))
                .isEqualTo(Files.readString(DIR.resolve("golden-" + name + ".txt")));
        assertThat(Codecs.TASK_RESULT.toJsonString(signed) + "\n")
                .isEqualTo(Files.readString(DIR.resolve("golden-" + name + ".json")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "ml-dsa-65"})
    void theCommittedResultVerifiesWithTheCommittedPublicKey(String name) throws Exception {
        LineageKeys.VerifyingKey key =
                LineageKeys.verifyingKey(
                        Files.readString(DIR.resolve(name + ".pub.pem")), "golden-" + name, name);
        TaskResult result =
                Codecs.TASK_RESULT.decode(
                        Files.readAllBytes(DIR.resolve("golden-" + name + ".json")));
        LineageVerifier verifier = new LineageVerifier(List.of(key));
        verifier.accept("golden", "golden-" + name + ".json line 1", result);

        LineageVerifier.Report report = verifier.finish();

        assertThat(report.failures()).isEmpty();
        assertThat(report.signaturesChecked()).isEqualTo(1);
    }

    @Test
    void theDocumentShowsTheTestedEd25519Example() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "lineage.md"));

        for (String line : Files.readAllLines(DIR.resolve("golden-ed25519.txt"))) {
            String value = line.substring(line.indexOf(": ") + 2);
            assertThat(doc).as(line.substring(0, line.indexOf(": "))).contains(value);
        }
        assertThat(doc).contains(Files.readString(DIR.resolve("ed25519.pub.pem")).strip());
    }
}
