package io.hivestream.jobs.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The console's web server: the page ({@code /}, its script and style sheet, from this jar's
 * resources) and the state it polls every second ({@code /api/state}, JSON).
 */
public final class ConsoleServer implements AutoCloseable {
    private static final String RESOURCES = "/io/hivestream/jobs/console/";
    private static final Map<String, String[]> PAGES =
            Map.of(
                    "/", new String[] {"index.html", "text/html; charset=utf-8"},
                    "/console.js", new String[] {"console.js", "text/javascript; charset=utf-8"},
                    "/console.css", new String[] {"console.css", "text/css; charset=utf-8"});

    private final HttpServer server;
    private final ExecutorService executor;

    private ConsoleServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Serves {@code state} on {@code host:port} (port 0: a free one). */
    public static ConsoleServer start(String host, int port, ConsoleState state)
            throws IOException {
        ObjectMapper json = new ObjectMapper();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (BindException e) {
            throw new IOException(
                    "the console cannot listen on "
                            + host
                            + ":"
                            + port
                            + " ("
                            + e.getMessage()
                            + "); choose another port with --port (0 takes a free one)",
                    e);
        }
        server.createContext(
                "/",
                exchange -> {
                    try (exchange) {
                        if (!"GET".equals(exchange.getRequestMethod())) {
                            send(exchange, 405, "text/plain", bytes("only GET is served\n"));
                            return;
                        }
                        String path = exchange.getRequestURI().getPath();
                        if (path.equals("/api/state")) {
                            send(
                                    exchange,
                                    200,
                                    "application/json",
                                    json.writeValueAsBytes(state.snapshot()));
                            return;
                        }
                        String[] page = PAGES.get(path);
                        if (page == null) {
                            send(
                                    exchange,
                                    404,
                                    "text/plain",
                                    bytes("no such page: " + path + "\n"));
                            return;
                        }
                        try (InputStream in =
                                ConsoleServer.class.getResourceAsStream(RESOURCES + page[0])) {
                            send(exchange, 200, page[1], in.readAllBytes());
                        }
                    }
                });
        ExecutorService executor =
                Executors.newFixedThreadPool(
                        2,
                        r -> {
                            Thread t = new Thread(r, "hivestream-console-http");
                            t.setDaemon(true);
                            return t;
                        });
        server.setExecutor(executor);
        server.start();
        return new ConsoleServer(server, executor);
    }

    /** Where the page is, e.g. {@code http://127.0.0.1:8090/}. */
    public String url() {
        InetSocketAddress address = server.getAddress();
        return "http://" + address.getHostString() + ":" + address.getPort() + "/";
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
