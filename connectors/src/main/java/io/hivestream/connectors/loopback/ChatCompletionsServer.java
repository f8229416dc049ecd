package io.hivestream.connectors.loopback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Tier;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * An OpenAI-compatible chat completions server on loopback, for tests, load tests and soaks:
 * answers each request with a function of the last user message after a delay chosen per message,
 * and counts what it received. Delayed replies are sent from a timer thread, so thousands of
 * requests may wait at once; a reply without delay is sent at once by the thread that read the
 * request. Sockets have TCP_NODELAY set (the JDK server's {@code sun.net.httpserver.nodelay}).
 */
public final class ChatCompletionsServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // The JDK server writes a reply's headers and body apart; with Nagle's algorithm on, the
        // body waits for the client's delayed acknowledgement of the headers (40 ms on Linux),
        // which
        // caps a keep-alive connection at about 25 calls a second. Read once, by the first server.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer server;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final Function<String, String> answer;
    private final ToLongFunction<String> delayMs;
    private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger total = new AtomicInteger();
    private volatile java.util.function.Predicate<String> toolUsers = user -> false;
    private volatile int toolSteps;

    public ChatCompletionsServer(Function<String, String> answer, ToLongFunction<String> delayMs)
            throws IOException {
        this.answer = answer;
        this.delayMs = delayMs;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1000);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/v1/chat/completions", this::handle);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /**
     * Makes the conversations of the users that {@code users} picks ReAct tool loops: their first
     * {@code steps} requests are answered at once with a call of the {@code calculator} tool, the
     * request after the last tool result with the answer, after its delay.
     */
    public ChatCompletionsServer toolLoop(java.util.function.Predicate<String> users, int steps) {
        this.toolUsers = users;
        this.toolSteps = steps;
        return this;
    }

    /**
     * The registration of an OpenAI-compatible agent on this server: CLOUD, model {@code
     * loopback-model}, 0.001 and 0.002 USD per 1,000 prompt and completion tokens, so that each
     * answer (12 prompt and 3 completion tokens) costs 0.000018 USD.
     */
    public AgentEvent.Builder agent(String agentId, String capability) {
        return AgentEvent.newBuilder()
                .setAgentId(agentId)
                .setRuntime("openai")
                .setBaseUrl(baseUrl())
                .setModel("loopback-model")
                .setCapabilities(List.of(capability))
                .setTier(Tier.CLOUD)
                .setCostPer1kInputTokens(0.001)
                .setCostPer1kOutputTokens(0.002);
    }

    /** Requests received per user message (a tool loop's steps count for its user message). */
    public Map<String, AtomicInteger> received() {
        return received;
    }

    public int total() {
        return total.get();
    }

    public int inFlight() {
        return inFlight.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
        JsonNode messages = request.path("messages");
        String user = "";
        int toolResults = 0;
        for (JsonNode message : messages) {
            String role = message.path("role").asText();
            if (role.equals("user")) {
                user = message.path("content").asText();
                toolResults = 0;
            } else if (role.equals("tool")) {
                toolResults++;
            }
        }
        received.computeIfAbsent(user, k -> new AtomicInteger()).incrementAndGet();
        total.incrementAndGet();
        inFlight.incrementAndGet();
        ObjectNode reply = JSON.createObjectNode();
        reply.put("id", "chatcmpl-" + total.get());
        reply.put("object", "chat.completion");
        reply.put("model", request.path("model").asText("loopback-model"));
        ObjectNode choice = reply.putArray("choices").addObject();
        choice.put("index", 0);
        boolean toolStep = toolResults < toolSteps && toolUsers.test(user);
        if (toolStep) {
            ObjectNode message = choice.putObject("message").put("role", "assistant");
            message.putNull("content");
            ObjectNode call = message.putArray("tool_calls").addObject();
            call.put("id", "call_" + (toolResults + 1)).put("type", "function");
            call.putObject("function")
                    .put("name", "calculator")
                    .put("arguments", "{\"expression\":\"" + (toolResults + 1) + " + 1\"}");
            choice.put("finish_reason", "tool_calls");
        } else {
            choice.putObject("message").put("role", "assistant").put("content", answer.apply(user));
            choice.put("finish_reason", "stop");
        }
        reply.putObject("usage")
                .put("prompt_tokens", 12)
                .put("completion_tokens", 3)
                .put("total_tokens", 15);
        byte[] body = JSON.writeValueAsBytes(reply);
        long delay = toolStep ? 0 : delayMs.applyAsLong(user);
        if (delay <= 0) {
            respond(exchange, body);
        } else {
            timer.schedule(() -> respond(exchange, body), delay, TimeUnit.MILLISECONDS);
        }
    }

    private void respond(HttpExchange exchange, byte[] body) {
        try (OutputStream out = exchange.getResponseBody()) {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            out.write(body);
        } catch (IOException gone) {
            // The caller gave up (a job that failed over): nothing to answer.
        } finally {
            inFlight.decrementAndGet();
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        timer.shutdownNow();
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
