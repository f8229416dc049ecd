package io.hivestream.loadtests;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Portkey's open-source AI gateway ({@code @portkey-ai/gateway} from npm), installed into a folder
 * on first use and run with {@code node} on a free loopback port, for comparing its cost per call
 * with the job's. Needs {@code node} and {@code npm} on the PATH.
 */
public final class PortkeyGateway implements AutoCloseable {
    public static final String PACKAGE = "@portkey-ai/gateway";
    public static final String VERSION = "1.15.2";

    private final Process process;
    private final int port;

    private PortkeyGateway(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Why the gateway cannot run here, or null when {@code node} and {@code npm} are present. */
    public static String missing() {
        for (String tool : List.of("node", "npm")) {
            if (!onPath(tool)) {
                return tool + " is not on the PATH";
            }
        }
        return null;
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Installs the gateway into {@code folder} unless it is there, and starts it. */
    public static PortkeyGateway start(Path folder) throws IOException, InterruptedException {
        Path script = folder.resolve("node_modules/@portkey-ai/gateway/build/start-server.js");
        if (!Files.exists(script)) {
            Files.createDirectories(folder);
            Path log = folder.resolve("npm-install.log");
            Process npm =
                    new ProcessBuilder(
                                    "npm",
                                    "install",
                                    "--no-audit",
                                    "--no-fund",
                                    PACKAGE + "@" + VERSION)
                            .directory(folder.toFile())
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
            if (!npm.waitFor(10, TimeUnit.MINUTES)
                    || npm.exitValue() != 0
                    || !Files.exists(script)) {
                npm.destroyForcibly();
                throw new IOException(
                        "npm install "
                                + PACKAGE
                                + "@"
                                + VERSION
                                + " failed in "
                                + folder
                                + "; see "
                                + log);
            }
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process node =
                new ProcessBuilder("node", script.toString(), "--port=" + port, "--headless")
                        .directory(folder.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(folder.resolve("gateway.log").toFile())
                        .start();
        PortkeyGateway gateway = new PortkeyGateway(node, port);
        gateway.awaitUp(Duration.ofSeconds(60), folder.resolve("gateway.log"));
        return gateway;
    }

    private void awaitUp(Duration timeout, Path log) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("the Portkey gateway stopped at start; see " + log);
            }
            try {
                client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    close();
                    throw new IOException(
                            "the Portkey gateway did not listen on port "
                                    + port
                                    + " within "
                                    + timeout.toSeconds()
                                    + " s; see "
                                    + log);
                }
                Thread.sleep(200);
            }
        }
    }

    /** The gateway's chat completions endpoint. */
    public URI chatCompletions() {
        return URI.create("http://127.0.0.1:" + port + "/v1/chat/completions");
    }

    /** Headers that send a call on to the OpenAI-compatible server at {@code baseUrl}. */
    public static Map<String, String> headers(String baseUrl) {
        return Map.of(
                "x-portkey-provider", "openai",
                "x-portkey-custom-host", baseUrl,
                "Authorization", "Bearer loopback");
    }

    public long pid() {
        return process.pid();
    }

    /** User plus system CPU time of the node process so far, in nanoseconds. */
    public long cpuNanos() {
        return ResourceSampler.processCpuNanos(process.pid());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
