package io.hivestream.jobs.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * Keeps two demos out of one working folder: an operating-system lock on a file beside the folder
 * ({@code demo.lock} for {@code demo/}), holding the pid of the demo that owns it. The system
 * releases the lock when that process ends, however it ends, so a lock is never left behind; the
 * demo holds it until its broker has stopped.
 */
final class DemoLock implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(200);

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private DemoLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file of a working folder. */
    static Path fileOf(Path dir) {
        Path absolute = dir.toAbsolutePath().normalize();
        return absolute.resolveSibling(absolute.getFileName() + ".lock");
    }

    /**
     * Takes the lock of {@code dir}; while another process holds it, says so on {@code out} (once,
     * naming its pid) and waits up to {@code wait} for it to end.
     *
     * @throws IllegalStateException naming the other process if it still holds the lock after
     *     {@code wait}
     */
    static DemoLock acquire(Path dir, Duration wait, PrintStream out) throws IOException {
        Path file = fileOf(dir);
        Files.createDirectories(file.getParent());
        FileChannel channel =
                FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
        long deadline = System.nanoTime() + wait.toNanos();
        boolean told = false;
        try {
            while (true) {
                FileLock lock = tryLock(channel);
                if (lock != null) {
                    channel.truncate(0);
                    channel.write(
                            ByteBuffer.wrap(
                                    (ProcessHandle.current().pid() + "\n")
                                            .getBytes(StandardCharsets.UTF_8)),
                            0);
                    channel.force(false);
                    return new DemoLock(file, channel, lock);
                }
                String owner = owner(file);
                if (System.nanoTime() >= deadline) {
                    throw new IllegalStateException(
                            "another demo (process "
                                    + owner
                                    + ") is still using "
                                    + dir
                                    + " after "
                                    + wait.toSeconds()
                                    + " s; stop it (Ctrl-C in its terminal, or kill "
                                    + owner
                                    + ") or give this demo another --dir.");
                }
                if (!told) {
                    out.println(
                            "another demo (process "
                                    + owner
                                    + ") is using "
                                    + dir
                                    + "; waiting up to "
                                    + wait.toSeconds()
                                    + " s for it to stop (Ctrl-C gives up) ...");
                    told = true;
                }
                Thread.sleep(POLL.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.close();
            throw new IllegalStateException("interrupted while waiting for the other demo", e);
        } catch (RuntimeException | IOException e) {
            channel.close();
            throw e;
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException heldInThisProcess) {
            return null;
        }
    }

    private static String owner(Path file) {
        try {
            String pid = Files.readString(file, StandardCharsets.UTF_8).strip();
            return pid.isEmpty() ? "unknown" : pid;
        } catch (IOException e) {
            return "unknown";
        }
    }

    Path file() {
        return file;
    }

    /** Releases the lock; idempotent. */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } catch (IOException e) {
            // The lock goes with the process anyway.
        }
    }
}
