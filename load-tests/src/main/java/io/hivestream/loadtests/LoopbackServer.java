package io.hivestream.loadtests;

import io.hivestream.connectors.loopback.ChatCompletionsServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The project's OpenAI-compatible loopback server ({@link ChatCompletionsServer}, instant answers)
 * in a process of its own, so that its CPU is measured apart from the job's and the gateway's.
 * {@link #main} prints the server's base URL and the number of calls answered so far whenever a
 * line arrives on standard input, and stops when standard input closes.
 */
public final class LoopbackServer implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final String baseUrl;

    private LoopbackServer(Process process) throws IOException {
        this.process = process;
        this.out =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("http://")) {
            process.destroyForcibly();
            throw new IOException(
                    "the loopback server did not start (it printed '" + line + "'); see " + LOG);
        }
        this.baseUrl = line;
    }

    static final Path LOG =
            Path.of(System.getProperty("java.io.tmpdir"), "hivestream-loopback.log");

    /** Starts the server in a child JVM with this JVM's class path. */
    public static LoopbackServer start() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process =
                new ProcessBuilder(
                                List.of(
                                        java,
                                        "-Xmx512m",
                                        "-cp",
                                        System.getProperty("java.class.path"),
                                        LoopbackServer.class.getName()))
                        .redirectError(ProcessBuilder.Redirect.to(LOG.toFile()))
                        .start();
        return new LoopbackServer(process);
    }

    public String baseUrl() {
        return baseUrl;
    }

    public long pid() {
        return process.pid();
    }

    /** User plus system CPU time of the server's process so far, in nanoseconds. */
    public long cpuNanos() {
        return ResourceSampler.processCpuNanos(process.pid());
    }

    /** Calls the server answered so far. */
    public synchronized long calls() throws IOException {
        process.getOutputStream().write('\n');
        process.getOutputStream().flush();
        String line = out.readLine();
        if (line == null) {
            throw new IOException("the loopback server stopped; see " + LOG);
        }
        return Long.parseLong(line.strip());
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }

    public static void main(String[] args) throws IOException {
        try (ChatCompletionsServer server = new ChatCompletionsServer(user -> "4", user -> 0)) {
            System.out.println(server.baseUrl());
            System.out.flush();
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (in.readLine() != null) {
                System.out.println(server.total());
                System.out.flush();
            }
        }
        System.exit(0);
    }
}
