package io.hivestream.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The size of a run's checkpoints: every file under the folder, nested ones included. */
class HarnessSizeTest {
    @Test
    void theSizeIsTheSumOfTheFilesUnderTheFolder(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("a"), new byte[100]);
        Files.createDirectories(dir.resolve("chk-1/shared"));
        Files.write(dir.resolve("chk-1/shared/b"), new byte[23]);
        Files.write(dir.resolve("chk-1/_metadata"), new byte[7]);

        assertThat(Harness.size(dir)).isEqualTo(130);
    }

    @Test
    void aFolderThatIsNotThereHasNoSize(@TempDir Path dir) throws Exception {
        assertThat(Harness.size(dir.resolve("gone"))).isEqualTo(0);
    }
}
