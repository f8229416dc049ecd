package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two demos in one folder: the second waits for the first, or names it and gives up. */
class DemoLockTest {
    @Test
    void aSecondDemoInTheSameFolderNamesTheFirstAndLeavesItsFilesAlone(@TempDir Path tmp)
            throws Exception {
        Path dir = tmp.resolve("demo");
        Files.createDirectories(dir.resolve("kafka"));
        Files.writeString(dir.resolve("kafka/in-use"), "the first demo's broker data");
        Process first = DemoLockHolder.start(dir);
        try {
            CliRunner.Run second =
                    CliRunner.run(
                            "demo", "--dir", dir.toString(), "--wait", "1", "--web-port", "0");

            long pid = first.pid();
            assertThat(second.exitCode()).isEqualTo(1);
            assertThat(second.out())
                    .isEqualTo(
                            "another demo (process "
                                    + pid
                                    + ") is using "
                                    + dir
                                    + "; waiting up to 1 s for it to stop (Ctrl-C gives up) ...\n");
            assertThat(second.err())
                    .isEqualTo(
                            "error: another demo (process "
                                    + pid
                                    + ") is still using "
                                    + dir
                                    + " after 1 s; stop it (Ctrl-C in its terminal, or kill "
                                    + pid
                                    + ") or give this demo another --dir.\n");
            assertThat(dir.resolve("kafka/in-use")).hasContent("the first demo's broker data");
        } finally {
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSecondDemoTakesTheFolderOnceTheFirstHasEnded(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("demo");
        Process first = DemoLockHolder.start(dir);
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(said, true, StandardCharsets.UTF_8);

        CompletableFuture<DemoLock> second =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return DemoLock.acquire(dir, Duration.ofSeconds(60), out);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        await().atMost(Duration.ofSeconds(30))
                .until(() -> said.toString(StandardCharsets.UTF_8).contains("is using"));
        assertThat(second).isNotDone();
        first.destroy();

        try (DemoLock lock = second.get(60, TimeUnit.SECONDS)) {
            assertThat(lock.file()).isEqualTo(tmp.resolve("demo.lock"));
            assertThat(lock.file()).hasContent(ProcessHandle.current().pid() + "\n");
            assertThat(said.toString(StandardCharsets.UTF_8))
                    .isEqualTo(
                            "another demo (process "
                                    + first.pid()
                                    + ") is using "
                                    + dir
                                    + "; waiting up to 60 s for it to stop (Ctrl-C gives up) ...\n");
        }
    }
}
