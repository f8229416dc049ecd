package io.hivestream.connectors.agents.providers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hivestream.operators.execute.AgentCall;
import io.hivestream.operators.execute.AgentCallException;
import io.hivestream.operators.execute.AgentCallException.Kind;
import io.hivestream.operators.execute.AgentReply;
import io.hivestream.operators.execute.AgentRuntime;
import io.hivestream.schemas.AgentEvent;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Runtime {@code anthropic}: the Anthropic Messages API ({@code POST {baseUrl}/messages}). It owns
 * one agent's endpoint and key; calls share the JVM's one HTTP client and never block.
 *
 * <p>The record's {@code model} is required; {@code baseUrl} defaults to {@value
 * #DEFAULT_BASE_URL}; {@code maxTokens} defaults to {@value #DEFAULT_MAX_TOKENS} because the API
 * requires it. Agent param {@code system} becomes the request's system prompt, followed by the
 * prompt of the role a plan's subtask carries; a planning subtask gets no structured-output option
 * (the API has none), its role prompt alone asks for JSON. The answer is the text blocks of the
 * reply's {@code content}, joined. The key, from {@code apiKeyEnv} or {@code apiKeyFile}, goes in
 * the {@code x-api-key} header. Tools are not offered through this runtime yet: a record that lists
 * them is refused rather than silently run without them.
 */
public final class AnthropicMessagesRuntime implements AgentRuntime {
    public static final String RUNTIME = "anthropic";
    public static final String DEFAULT_BASE_URL = "https://api.anthropic.com/v1";
    public static final String API_VERSION = "2023-06-01";
    public static final int DEFAULT_MAX_TOKENS = 1024;

    private final String agentId;
    private final ProviderClient client;
    private final String model;
    private final int maxTokens;
    private final String system;

    /** Reads the key from the process environment or the named file. */
    public AnthropicMessagesRuntime(AgentEvent agent) {
        this(agent, System::getenv, Clock.systemUTC());
    }

    /**
     * @param environment looks up environment variables
     * @param clock measures HTTP dates in {@code Retry-After}
     * @throws AgentCallException CONFIGURATION when the record cannot work
     */
    AnthropicMessagesRuntime(AgentEvent agent, Function<String, String> environment, Clock clock) {
        this.agentId = agent.getAgentId();
        this.client =
                new ProviderClient(
                        RUNTIME,
                        agent,
                        DEFAULT_BASE_URL,
                        "/messages",
                        ApiKey.resolve(agent, environment),
                        clock);
        if (agent.getModel() == null || agent.getModel().isBlank()) {
            throw client.failure(Kind.CONFIGURATION, "the record needs a model");
        }
        if (agent.getMaxTokens() != null && agent.getMaxTokens() <= 0) {
            throw client.failure(
                    Kind.CONFIGURATION, "maxTokens must be positive, got " + agent.getMaxTokens());
        }
        String tools = agent.getParams().get("tools");
        if (tools != null && !tools.isBlank()) {
            throw client.failure(
                    Kind.CONFIGURATION, "tools are offered by the openai runtime only");
        }
        this.model = agent.getModel();
        this.maxTokens = agent.getMaxTokens() != null ? agent.getMaxTokens() : DEFAULT_MAX_TOKENS;
        this.system = agent.getParams().get("system");
    }

    @Override
    public CompletableFuture<AgentReply> call(AgentCall call) {
        ObjectNode body = ProviderClient.JSON.createObjectNode();
        body.put("model", model);
        body.put("max_tokens", maxTokens);
        String prompt = Prompts.system(system, call.task());
        if (prompt != null) {
            body.put("system", prompt);
        }
        ArrayNode messages = body.putArray("messages");
        try {
            Prompts.appendConversation(messages, call);
        } catch (AgentCallException e) {
            return CompletableFuture.failedFuture(client.failure(e.kind(), e.getMessage()));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("anthropic-version", API_VERSION);
        if (client.key() != null) {
            headers.put("x-api-key", client.key().value());
        }
        return ProviderClient.settled(client.post(body, headers).thenApply(this::reply));
    }

    private AgentReply reply(JsonNode json) {
        JsonNode content = json.get("content");
        if (content == null || !content.isArray()) {
            throw client.failure(Kind.MALFORMED_REPLY, "malformed reply: no content");
        }
        StringBuilder text = new StringBuilder();
        boolean any = false;
        for (JsonNode block : content) {
            if ("text".equals(block.path("type").asText()) && block.path("text").isTextual()) {
                text.append(block.get("text").textValue());
                any = true;
            }
        }
        if (!any) {
            throw client.failure(Kind.MALFORMED_REPLY, "malformed reply: no text in content");
        }
        JsonNode model = json.get("model");
        if (model == null || !model.isTextual()) {
            throw client.failure(Kind.MALFORMED_REPLY, "malformed reply: no model");
        }
        return new AgentReply(
                text.toString(),
                model.textValue(),
                count(json, "input_tokens"),
                count(json, "output_tokens"),
                null,
                false);
    }

    private long count(JsonNode json, String field) {
        JsonNode value = json.path("usage").get(field);
        if (value == null || !value.isIntegralNumber()) {
            throw client.failure(Kind.MALFORMED_REPLY, "malformed reply: no usage." + field);
        }
        return value.longValue();
    }

    @Override
    public String toString() {
        return "AnthropicMessagesRuntime[agent="
                + agentId
                + ", baseUrl="
                + client.baseUrl()
                + ", model="
                + model
                + ", key="
                + client.key()
                + "]";
    }

    /** Gives the connections' event loop back; see {@link HttpPoster#SHARED}. */
    @Override
    public void close() {
        client.close();
    }
}
