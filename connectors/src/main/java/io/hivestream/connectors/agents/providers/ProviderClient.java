package io.hivestream.connectors.agents.providers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hivestream.operators.execute.AgentCallException;
import io.hivestream.operators.execute.AgentCallException.Kind;
import io.hivestream.schemas.AgentEvent;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One provider endpoint as an agent's runtime sees it: posts JSON to {@code baseUrl + path} on the
 * JVM's one shared, non-blocking {@link HttpPoster}, and turns every way a call can fail into an
 * {@link AgentCallException} of the right kind. It never retries: the execute stage owns the one
 * retry loop and reads the kind and {@code Retry-After} from the exception.
 */
final class ProviderClient {
    static final ObjectMapper JSON = new ObjectMapper();

    /** How much of a provider's error message goes into an exception. */
    static final int SNIPPET = 200;

    /** What the calls name as their client. */
    static final String USER_AGENT = "hivestream";

    private final String prefix;
    private final String baseUrl;
    private final Duration timeout;
    private final ApiKey key;
    private final Clock clock;
    private final URI uri;

    /** Held from the first call until {@link #close()}; guarded by {@code this}. */
    private HttpPoster http;

    private boolean closed;

    /**
     * @throws AgentCallException CONFIGURATION for a base URL that is not http(s) or a timeout that
     *     is not positive
     */
    /**
     * @param path the runtime's one endpoint under the base URL, e.g. {@code /chat/completions}
     */
    ProviderClient(
            String runtime,
            AgentEvent agent,
            String defaultBaseUrl,
            String path,
            ApiKey key,
            Clock clock) {
        this.prefix = runtime + " agent " + agent.getAgentId() + ": ";
        String base = agent.getBaseUrl() != null ? agent.getBaseUrl().strip() : defaultBaseUrl;
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        try {
            URI uri = new URI(base);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
                    || uri.getHost() == null) {
                throw new URISyntaxException(base, "not an http(s) URL");
            }
        } catch (URISyntaxException e) {
            throw new AgentCallException(
                    Kind.CONFIGURATION, prefix + "baseUrl '" + base + "' is not an http(s) URL");
        }
        if (agent.getTimeoutMs() <= 0) {
            throw new AgentCallException(
                    Kind.CONFIGURATION,
                    prefix + "timeoutMs must be positive, got " + agent.getTimeoutMs());
        }
        this.baseUrl = base;
        this.uri = URI.create(base + path);
        this.timeout = Duration.ofMillis(agent.getTimeoutMs());
        this.key = key;
        this.clock = clock;
    }

    ApiKey key() {
        return key;
    }

    String baseUrl() {
        return baseUrl;
    }

    /** An exception of this agent's, its message starting with the runtime and agent id. */
    AgentCallException failure(Kind kind, String message) {
        return new AgentCallException(kind, prefix + message);
    }

    /**
     * Posts {@code body} and completes with the reply's JSON, or fails with an {@link
     * AgentCallException}; never blocks.
     */
    CompletableFuture<JsonNode> post(ObjectNode body, Map<String, String> headers) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            return CompletableFuture.failedFuture(
                    new AgentCallException(
                            Kind.CONFIGURATION, prefix + "cannot write the request", null, e));
        }
        Map<String, String> all = new LinkedHashMap<>(headers.size() + 3);
        all.put("Content-Type", "application/json");
        all.put("Accept", "application/json");
        all.put("User-Agent", USER_AGENT);
        all.putAll(headers);
        CompletableFuture<HttpPoster.Reply> sent;
        try {
            HttpPoster http = poster();
            if (http == null) {
                return CompletableFuture.failedFuture(
                        failure(Kind.UNAVAILABLE, "the runtime was closed"));
            }
            sent = http.post(uri, all, bytes, timeout);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(
                    new AgentCallException(
                            Kind.CONFIGURATION, prefix + "cannot send to " + uri, null, e));
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        sent.whenComplete(
                (response, error) -> {
                    if (error != null) {
                        reply.completeExceptionally(failed(uri, error));
                        return;
                    }
                    try {
                        reply.complete(read(response));
                    } catch (RuntimeException e) {
                        // Whatever went wrong, the future must not be left pending.
                        reply.completeExceptionally(e);
                    }
                });
        return reply;
    }

    /** The JVM's poster, held from the first call on; null once closed. */
    private synchronized HttpPoster poster() {
        if (http == null && !closed) {
            http = HttpPoster.SHARED.acquire();
        }
        return http;
    }

    /** Gives the JVM's poster back; a call after this fails as unavailable. */
    synchronized void close() {
        closed = true;
        if (http != null) {
            HttpPoster.SHARED.release(http);
            http = null;
        }
    }

    private JsonNode read(HttpPoster.Reply response) {
        int status = response.status();
        byte[] bytes = response.body();
        if (status >= 200 && status < 300) {
            try {
                JsonNode json = JSON.readTree(bytes);
                if (json == null || !json.isObject()) {
                    throw failure(Kind.MALFORMED_REPLY, "malformed reply: not a JSON object");
                }
                return json;
            } catch (IOException e) {
                throw failure(Kind.MALFORMED_REPLY, "malformed reply: not JSON");
            }
        }
        String body = new String(bytes, StandardCharsets.UTF_8);
        if (status == 429) {
            Duration retryAfter = RetryAfter.parse(response.headers().get("Retry-After"), clock);
            throw new AgentCallException(
                    Kind.RATE_LIMITED,
                    prefix
                            + "rate limited (HTTP 429)"
                            + (retryAfter != null
                                    ? ", retry after " + retryAfter.toSeconds() + " s"
                                    : ""),
                    retryAfter,
                    null);
        }
        if (status == 401 || status == 403) {
            // The provider's text is left out: it may quote part of the key.
            throw failure(
                    Kind.UNAUTHORIZED,
                    "unauthorized (HTTP "
                            + status
                            + ") "
                            + (key != null
                                    ? "with the API key from " + key.source()
                                    : "without an API key"));
        }
        // 529 is Anthropic's "overloaded": the provider's own way of saying 503.
        if (status == 500 || status == 502 || status == 503 || status == 504 || status == 529) {
            throw failure(Kind.UNAVAILABLE, "unavailable (HTTP " + status + ")" + snippet(body));
        }
        throw failure(Kind.BAD_REQUEST, "rejected (HTTP " + status + ")" + snippet(body));
    }

    private AgentCallException failed(URI uri, Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof HttpConnectTimeoutException) {
            return new AgentCallException(
                    Kind.UNAVAILABLE,
                    prefix + "cannot connect to " + uri + " in time",
                    null,
                    cause);
        }
        if (cause instanceof HttpTimeoutException) {
            return new AgentCallException(
                    Kind.TIMEOUT,
                    prefix + "no reply within " + timeout.toMillis() + " ms",
                    null,
                    cause);
        }
        if (cause instanceof IOException) {
            return new AgentCallException(
                    Kind.UNAVAILABLE, prefix + "cannot reach " + uri, null, cause);
        }
        return new AgentCallException(
                Kind.UNAVAILABLE, prefix + "call to " + uri + " failed", null, cause);
    }

    /**
     * The same outcome with a failure as the exception itself rather than wrapped in the {@link
     * CompletionException} that composed stages add, so callers see the {@link AgentCallException}
     * the contract promises.
     */
    static <T> CompletableFuture<T> settled(CompletableFuture<T> future) {
        CompletableFuture<T> settled = new CompletableFuture<>();
        future.whenComplete(
                (value, error) -> {
                    if (error == null) {
                        settled.complete(value);
                        return;
                    }
                    Throwable cause = error;
                    while (cause instanceof CompletionException && cause.getCause() != null) {
                        cause = cause.getCause();
                    }
                    settled.completeExceptionally(cause);
                });
        return settled;
    }

    /** ": " and the provider's own error message, shortened and with the key redacted. */
    private String snippet(String body) {
        String text = body;
        try {
            JsonNode json = JSON.readTree(body);
            JsonNode message = json == null ? null : json.path("error").path("message");
            if (message != null && message.isTextual()) {
                text = message.textValue();
            } else if (json != null && json.path("error").isTextual()) {
                text = json.path("error").textValue();
            }
        } catch (JsonProcessingException e) {
            // Not JSON: the raw body is the best message there is.
        }
        text = text.replaceAll("\\s+", " ").strip();
        if (key != null) {
            text = key.redact(text);
        }
        if (text.isEmpty()) {
            return "";
        }
        return ": " + (text.length() <= SNIPPET ? text : text.substring(0, SNIPPET - 1) + "…");
    }
}
