package io.hivestream.connectors.agents.providers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HttpPoster} against real servers on loopback: JDK servers and raw sockets. */
class HttpPosterTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final byte[] BODY = "{\"q\":1}".getBytes(StandardCharsets.UTF_8);

    private final HttpPoster poster = new HttpPoster(null);
    private final List<AutoCloseable> servers = new ArrayList<>();

    /** The client ports the server saw a request from: one per connection. */
    private final Set<Integer> connections = ConcurrentHashMap.newKeySet();

    @AfterEach
    void close() throws Exception {
        poster.close();
        for (AutoCloseable server : servers) {
            server.close();
        }
    }

    @Test
    void callsOneAfterAnotherShareOneKeptAliveConnection() throws Exception {
        URI uri =
                serve(
                        exchange ->
                                reply(
                                        exchange,
                                        200,
                                        "{\"n\":"
                                                + exchange.getRequestURI().getQuery().substring(2)
                                                + "}"));

        for (int i = 0; i < 20; i++) {
            HttpPoster.Reply reply =
                    poster.post(uri.resolve("/v1/chat?n=" + i), Map.of(), BODY, TIMEOUT).get();
            assertThat(reply.status()).isEqualTo(200);
            assertThat(text(reply)).isEqualTo("{\"n\":" + i + "}");
        }

        assertThat(connections).hasSize(1);
    }

    @Test
    void theRequestCarriesItsHeadersBodyHostAndTarget() throws Exception {
        Map<String, String> seen = new ConcurrentHashMap<>();
        URI uri =
                serve(
                        exchange -> {
                            seen.put("method", exchange.getRequestMethod());
                            seen.put("target", exchange.getRequestURI().toString());
                            seen.put("host", exchange.getRequestHeaders().getFirst("Host"));
                            seen.put(
                                    "auth", exchange.getRequestHeaders().getFirst("Authorization"));
                            seen.put(
                                    "length",
                                    exchange.getRequestHeaders().getFirst("Content-Length"));
                            seen.put(
                                    "body",
                                    new String(
                                            exchange.getRequestBody().readAllBytes(),
                                            StandardCharsets.UTF_8));
                            reply(exchange, 201, "{}");
                        });

        HttpPoster.Reply reply =
                poster.post(
                                uri.resolve("/v1/x?a=b%20c"),
                                Map.of("Authorization", "Bearer k"),
                                BODY,
                                TIMEOUT)
                        .get();

        assertThat(reply.status()).isEqualTo(201);
        assertThat(seen)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "method", "POST",
                                "target", "/v1/x?a=b%20c",
                                "host", "127.0.0.1:" + uri.getPort(),
                                "auth", "Bearer k",
                                "length", "7",
                                "body", "{\"q\":1}"));
    }

    @Test
    void callsAtOnceOpenAConnectionEachAndKeepThemForTheNext() throws Exception {
        CountDownLatch together = new CountDownLatch(4);
        URI uri =
                serve(
                        exchange -> {
                            together.countDown();
                            try {
                                together.await(10, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            reply(exchange, 200, "{}");
                        });

        for (int round = 0; round < 3; round++) {
            List<CompletableFuture<HttpPoster.Reply>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(poster.post(uri, Map.of(), BODY, TIMEOUT));
            }
            for (CompletableFuture<HttpPoster.Reply> call : calls) {
                assertThat(call.get().status()).isEqualTo(200);
            }
        }

        assertThat(connections).hasSize(4);
    }

    @Test
    void aReplyThatClosesItsConnectionIsReadAndTheNextCallOpensAnother() throws Exception {
        URI uri =
                serve(
                        exchange -> {
                            exchange.getResponseHeaders().set("Connection", "close");
                            reply(exchange, 200, "{\"closed\":true}");
                        });

        for (int i = 0; i < 3; i++) {
            HttpPoster.Reply reply = poster.post(uri, Map.of(), BODY, TIMEOUT).get();
            assertThat(text(reply)).isEqualTo("{\"closed\":true}");
        }

        assertThat(connections).hasSize(3);
    }

    @Test
    void aChunkedReplyIsReadWholeWithItsHeaders() throws Exception {
        URI uri =
                serve(
                        exchange -> {
                            exchange.getResponseHeaders().set("Retry-After", "7");
                            exchange.sendResponseHeaders(429, 0);
                            try (OutputStream out = exchange.getResponseBody()) {
                                out.write("{\"error\":".getBytes(StandardCharsets.UTF_8));
                                out.flush();
                                out.write("\"slow down\"}".getBytes(StandardCharsets.UTF_8));
                            }
                        });

        HttpPoster.Reply reply = poster.post(uri, Map.of(), BODY, TIMEOUT).get();

        assertThat(reply.status()).isEqualTo(429);
        assertThat(reply.headers().get("retry-after")).isEqualTo("7");
        assertThat(text(reply)).isEqualTo("{\"error\":\"slow down\"}");
    }

    @Test
    void noReplyWithinTheTimeoutFailsTheCallAndTheNextCallStillWorks() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        URI uri =
                serve(
                        exchange -> {
                            if (exchange.getRequestURI().getPath().equals("/slow")) {
                                try {
                                    release.await(30, TimeUnit.SECONDS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                            reply(exchange, 200, "{}");
                        });
        try {
            CompletableFuture<HttpPoster.Reply> slow =
                    poster.post(uri.resolve("/slow"), Map.of(), BODY, Duration.ofMillis(200));

            assertThatThrownBy(slow::get)
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isExactlyInstanceOf(HttpTimeoutException.class)
                    .hasMessage("no reply within 200 ms");
            assertThat(poster.post(uri.resolve("/fast"), Map.of(), BODY, TIMEOUT).get().status())
                    .isEqualTo(200);
        } finally {
            release.countDown();
        }
    }

    @Test
    void aRefusedConnectionFailsTheCallAsAnIoFailureNotATimeout() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }

        CompletableFuture<HttpPoster.Reply> call =
                poster.post(
                        URI.create("http://127.0.0.1:" + port + "/v1"), Map.of(), BODY, TIMEOUT);

        assertThatThrownBy(call::get)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(HttpTimeoutException.class)
                .isNotInstanceOf(HttpConnectTimeoutException.class);
    }

    @Test
    void aConnectionClosedHalfWayThroughTheReplyFailsTheCall() throws Exception {
        ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        servers.add(socket);
        Thread server =
                new Thread(
                        () -> {
                            try (Socket client = socket.accept()) {
                                InputStream in = client.getInputStream();
                                byte[] buffer = new byte[4096];
                                String request = "";
                                while (!request.endsWith("{\"q\":1}")) {
                                    int n = in.read(buffer);
                                    request += new String(buffer, 0, n, StandardCharsets.UTF_8);
                                }
                                client.getOutputStream()
                                        .write(
                                                ("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
                                                                + "{\"partial")
                                                        .getBytes(StandardCharsets.UTF_8));
                                client.getOutputStream().flush();
                            } catch (IOException e) {
                                // The test fails on the client's side if the server cannot serve.
                            }
                        });
        server.start();

        CompletableFuture<HttpPoster.Reply> call =
                poster.post(
                        URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/v1"),
                        Map.of(),
                        BODY,
                        TIMEOUT);

        assertThatThrownBy(call::get)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isExactlyInstanceOf(IOException.class)
                .hasMessage("the connection closed before the reply");
        server.join(10_000);
    }

    @Test
    void aPooledConnectionTheServerClosedIsNotUsedAgain() throws Exception {
        HttpServer first = server(0, exchange -> reply(exchange, 200, "{}"));
        URI uri = uri(first);
        assertThat(poster.post(uri, Map.of(), BODY, TIMEOUT).get().status()).isEqualTo(200);
        first.stop(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> poster.idle(uri) == 0);
        server(uri.getPort(), exchange -> reply(exchange, 200, "{\"again\":true}"));

        HttpPoster.Reply reply = poster.post(uri, Map.of(), BODY, TIMEOUT).get();

        assertThat(text(reply)).isEqualTo("{\"again\":true}");
        assertThat(connections).hasSize(2);
    }

    @Test
    void httpsChecksTheCertificateAndTheHostItNames(@TempDir Path dir) throws Exception {
        char[] password = "changeit".toCharArray();
        KeyStore keys = selfSigned(dir, "SAN=dns:localhost", password);
        KeyManagerFactory keyManagers =
                KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, password);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keyManagers.getKeyManagers(), null, null);
        HttpsServer server =
                HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", exchange -> reply(exchange, 200, "{\"secure\":true}"));
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        servers.add(() -> server.stop(0));
        int port = server.getAddress().getPort();
        TrustManagerFactory trust =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keys);

        try (HttpPoster trusting = new HttpPoster(trust)) {
            HttpPoster.Reply reply =
                    trusting.post(
                                    URI.create("https://localhost:" + port + "/v1"),
                                    Map.of(),
                                    BODY,
                                    TIMEOUT)
                            .get();
            assertThat(text(reply)).isEqualTo("{\"secure\":true}");

            // The certificate names localhost, not this address.
            assertThatThrownBy(
                            () ->
                                    trusting.post(
                                                    URI.create("https://127.0.0.1:" + port + "/v1"),
                                                    Map.of(),
                                                    BODY,
                                                    TIMEOUT)
                                            .get())
                    .cause()
                    .isInstanceOf(SSLHandshakeException.class);
        }
        // The JVM's default trust does not know the self-signed certificate.
        assertThatThrownBy(
                        () ->
                                poster.post(
                                                URI.create("https://localhost:" + port + "/v1"),
                                                Map.of(),
                                                BODY,
                                                TIMEOUT)
                                        .get())
                .cause()
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void aFailureOnTheConnectionSaysWhy() {
        assertThat(
                        HttpPoster.failure(
                                new DecoderException(new PrematureChannelClosureException("x"))))
                .hasMessage("the connection closed before the reply");
        assertThat(HttpPoster.failure(new TooLongFrameException("big")))
                .hasMessage("the reply is larger than 16 MiB");
        IOException reset = new IOException("Connection reset by peer");
        assertThat(HttpPoster.failure(reset)).isSameAs(reset);
        assertThat(
                        HttpPoster.failure(
                                new IllegalArgumentException("invalid version format: XTTP/1.1")))
                .hasMessage("malformed HTTP reply: invalid version format: XTTP/1.1");
    }

    @Test
    void aStoppedPosterClosesItsConnections() throws Exception {
        URI uri = serve(exchange -> reply(exchange, 200, "{}"));
        HttpPoster apart = new HttpPoster(null);
        assertThat(apart.post(uri, Map.of(), BODY, TIMEOUT).get().status()).isEqualTo(200);
        assertThat(apart.idle(uri)).isEqualTo(1);

        apart.stop();

        assertThat(apart.stopped()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> apart.idle(uri) == 0);
    }

    @Test
    void anIpv6LiteralIsConnectedToWithoutItsBrackets() {
        assertThat(HttpPoster.address(URI.create("http://[::1]:8080/v1"))).isEqualTo("::1");
        assertThat(HttpPoster.address(URI.create("https://api.example.com/v1")))
                .isEqualTo("api.example.com");
        assertThat(HttpPoster.address(URI.create("http://127.0.0.1:9/v1"))).isEqualTo("127.0.0.1");
    }

    @Test
    void theTargetIsThePathAndQuery() {
        assertThat(HttpPoster.target(URI.create("http://h:1"))).isEqualTo("/");
        assertThat(HttpPoster.target(URI.create("http://h:1/v1/chat"))).isEqualTo("/v1/chat");
        assertThat(HttpPoster.target(URI.create("https://h/a%2Fb?x=1&y=%20")))
                .isEqualTo("/a%2Fb?x=1&y=%20");
    }

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private URI serve(Handler handler) throws IOException {
        return uri(server(0, handler));
    }

    /** A server on this loopback port (0: any free one) that notes each request's connection. */
    private HttpServer server(int port, Handler handler) throws IOException {
        HttpServer server =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext(
                "/",
                exchange -> {
                    connections.add(exchange.getRemoteAddress().getPort());
                    handler.handle(exchange);
                });
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
        servers.add(() -> server.stop(0));
        return server;
    }

    private static URI uri(HttpServer server) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    private static String text(HttpPoster.Reply reply) {
        return new String(reply.body(), StandardCharsets.UTF_8);
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        exchange.getRequestBody().readAllBytes();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** A PKCS12 store with one self-signed RSA key and certificate, made by the JDK's keytool. */
    private static KeyStore selfSigned(Path dir, String extension, char[] password)
            throws Exception {
        Path store = dir.resolve("server.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process =
                new ProcessBuilder(
                                keytool.toString(),
                                "-genkeypair",
                                "-alias",
                                "server",
                                "-keyalg",
                                "RSA",
                                "-keysize",
                                "2048",
                                "-dname",
                                "CN=hivestream-test",
                                "-ext",
                                extension,
                                "-validity",
                                "2",
                                "-storetype",
                                "PKCS12",
                                "-keystore",
                                store.toString(),
                                "-storepass",
                                new String(password))
                        .redirectErrorStream(true)
                        .redirectOutput(Redirect.to(dir.resolve("keytool.log").toFile()))
                        .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(dir.resolve("keytool.log"))).isZero();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, password);
        }
        return keys;
    }
}
