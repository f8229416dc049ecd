package io.hivestream.jobs.cli;

import java.nio.file.Path;
import java.time.Duration;

/** Another process that holds a demo folder's lock until its standard input closes. */
public final class DemoLockHolder {
    private DemoLockHolder() {}

    public static void main(String[] args) throws Exception {
        try (DemoLock lock = DemoLock.acquire(Path.of(args[0]), Duration.ZERO, System.out)) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() != -1) {
                // Holds the lock until the test closes the pipe or kills this process.
            }
        }
    }

    /** Starts a holder of {@code dir}'s lock and returns once it holds it. */
    static Process start(Path dir) throws Exception {
        Process process =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                DemoLockHolder.class.getName(),
                                dir.toString())
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
        var out =
                new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream()));
        String line = out.readLine();
        if (!"locked".equals(line)) {
            process.destroyForcibly();
            throw new IllegalStateException("the lock holder said " + line);
        }
        return process;
    }
}
