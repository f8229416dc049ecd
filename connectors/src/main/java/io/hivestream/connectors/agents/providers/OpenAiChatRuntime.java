package io.hivestream.connectors.agents.providers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hivestream.connectors.agents.tools.Tool;
import io.hivestream.connectors.agents.tools.ToolException;
import io.hivestream.connectors.agents.tools.Tools;
import io.hivestream.operators.execute.AgentCall;
import io.hivestream.operators.execute.AgentCallException;
import io.hivestream.operators.execute.AgentCallException.Kind;
import io.hivestream.operators.execute.AgentReply;
import io.hivestream.operators.execute.AgentRuntime;
import io.hivestream.schemas.AgentEvent;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Runtime {@code openai}: the OpenAI chat completions API ({@code POST
 * {baseUrl}/chat/completions}), which vLLM, Ollama, the llama.cpp server and LiteLLM also serve. It
 * owns one agent's endpoint and key; calls share the JVM's one HTTP client and never block.
 *
 * <p>Agent params: {@code system} (the system message, before the prompt of the role a plan's
 * subtask carries), {@code tools} (comma-separated built-in tools, e.g. {@code
 * calculator,json_path}) and {@code maxSteps} (model calls per task when tools are in play, default
 * {@value #DEFAULT_MAX_STEPS}). With tools, a reply's {@code tool_calls} are run and answered with
 * {@code tool} messages, and the model is called again, until it answers in text or the step limit
 * fails the call with BAD_REQUEST. Tokens add up over the steps. Only the tools the task's tenant
 * may use are offered; a call to any other is answered with a tool message that says so.
 *
 * <p>A planning subtask (role {@code planner}) asks for structured output, {@code
 * "response_format": {"type": "json_object"}}, since its answer must be one JSON object.
 *
 * <p>Param {@code confidence=logprobs} asks for the tokens' log probabilities ({@code "logprobs":
 * true}) and reports the answer's confidence as the exponential of their mean: the geometric mean
 * of the tokens' probabilities. A server that sends none leaves the answer without a confidence.
 *
 * <p>The record's {@code baseUrl} defaults to {@value #DEFAULT_BASE_URL}; {@code model} and {@code
 * maxTokens} are sent when set. The key, from {@code apiKeyEnv} or {@code apiKeyFile}, goes in a
 * bearer {@code Authorization} header; without either, no header is sent (local servers).
 */
public final class OpenAiChatRuntime implements AgentRuntime {
    public static final String RUNTIME = "openai";
    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";
    public static final int DEFAULT_MAX_STEPS = 4;

    private final String agentId;
    private final ProviderClient client;
    private final String model;
    private final Integer maxTokens;
    private final String system;
    private final List<Tool> tools;
    private final int maxSteps;
    private final boolean logprobs;

    /** Reads the key from the process environment or the named file. */
    public OpenAiChatRuntime(AgentEvent agent) {
        this(agent, System::getenv, Clock.systemUTC());
    }

    /**
     * @param environment looks up environment variables
     * @param clock measures HTTP dates in {@code Retry-After}
     * @throws AgentCallException CONFIGURATION when the record cannot work
     */
    OpenAiChatRuntime(AgentEvent agent, Function<String, String> environment, Clock clock) {
        this.agentId = agent.getAgentId();
        this.client =
                new ProviderClient(
                        RUNTIME,
                        agent,
                        DEFAULT_BASE_URL,
                        "/chat/completions",
                        ApiKey.resolve(agent, environment),
                        clock);
        this.model = agent.getModel();
        this.maxTokens = agent.getMaxTokens();
        Map<String, String> params = agent.getParams();
        this.system = params.get("system");
        try {
            this.tools = List.copyOf(Tools.parse(params.get("tools")));
        } catch (IllegalArgumentException e) {
            throw client.failure(Kind.CONFIGURATION, e.getMessage());
        }
        this.maxSteps = positive(params, "maxSteps", DEFAULT_MAX_STEPS);
        String confidence = params.get("confidence");
        if (confidence != null && !confidence.strip().equals("logprobs")) {
            throw client.failure(
                    Kind.CONFIGURATION,
                    "param confidence must be logprobs, got '" + confidence + "'");
        }
        this.logprobs = confidence != null;
    }

    @Override
    public CompletableFuture<AgentReply> call(AgentCall call) {
        ArrayNode messages = ProviderClient.JSON.createArrayNode();
        String prompt = Prompts.system(system, call.task());
        if (prompt != null) {
            Prompts.message(messages, "system", prompt);
        }
        try {
            Prompts.appendConversation(messages, call);
        } catch (AgentCallException e) {
            return CompletableFuture.failedFuture(client.failure(e.kind(), e.getMessage()));
        }
        List<Tool> offered =
                tools.stream()
                        .filter(
                                tool ->
                                        call.allowedTools() == null
                                                || call.allowedTools().contains(tool.name()))
                        .toList();
        return ProviderClient.settled(step(call, messages, offered, 1, 0, 0));
    }

    /** One model call; composes the next one when the model asks for tools. */
    private CompletableFuture<AgentReply> step(
            AgentCall call,
            ArrayNode messages,
            List<Tool> offered,
            int step,
            long tokensIn,
            long tokensOut) {
        String journaled = call.steps().replayed(step);
        CompletableFuture<JsonNode> reply;
        if (journaled != null) {
            // Paid before a restore: the same reply again, and the same tools run on it.
            try {
                reply = CompletableFuture.completedFuture(ProviderClient.JSON.readTree(journaled));
            } catch (IOException e) {
                return CompletableFuture.failedFuture(
                        client.failure(Kind.MALFORMED_REPLY, "unreadable journaled step " + step));
            }
        } else {
            reply =
                    client.post(
                            body(messages, offered, Prompts.wantsJsonObject(call.task())),
                            headers());
        }
        return reply.thenCompose(
                json -> {
                    JsonNode message = json.path("choices").path(0).path("message");
                    if (!message.isObject()) {
                        throw client.failure(
                                Kind.MALFORMED_REPLY, "malformed reply: no choices[0].message");
                    }
                    long in = tokensIn + count(json, "prompt_tokens");
                    long out = tokensOut + count(json, "completion_tokens");
                    String answeredBy = text(json.get("model"), "model");
                    JsonNode toolCalls = message.path("tool_calls");
                    if (toolCalls.isArray() && !toolCalls.isEmpty()) {
                        if (step >= maxSteps) {
                            throw client.failure(
                                    Kind.BAD_REQUEST, "tool step limit " + maxSteps + " reached");
                        }
                        if (journaled == null) {
                            call.steps()
                                    .record(step, json.toString(), in - tokensIn, out - tokensOut);
                        }
                        runTools(messages, message, toolCalls, call.allowedTools());
                        return step(call, messages, offered, step + 1, in, out);
                    }
                    String content = text(message.get("content"), "choices[0].message.content");
                    Double confidence =
                            logprobs
                                    ? confidence(json.path("choices").path(0).path("logprobs"))
                                    : null;
                    return CompletableFuture.completedFuture(
                            new AgentReply(content, answeredBy, in, out, confidence, false));
                });
    }

    private ObjectNode body(ArrayNode messages, List<Tool> offered, boolean jsonObject) {
        ObjectNode body = ProviderClient.JSON.createObjectNode();
        if (model != null) {
            body.put("model", model);
        }
        // Serialised at once by post(), before a later step adds to the list.
        body.set("messages", messages);
        if (maxTokens != null) {
            body.put("max_tokens", maxTokens);
        }
        if (logprobs) {
            body.put("logprobs", true);
        }
        if (jsonObject) {
            body.putObject("response_format").put("type", "json_object");
        }
        if (!offered.isEmpty()) {
            ArrayNode list = body.putArray("tools");
            for (Tool tool : offered) {
                ObjectNode function =
                        list.addObject().put("type", "function").putObject("function");
                function.put("name", tool.name());
                function.put("description", tool.description());
                function.set("parameters", tool.parameters());
            }
        }
        return body;
    }

    private Map<String, String> headers() {
        ApiKey key = client.key();
        return key == null ? Map.of() : Map.of("Authorization", "Bearer " + key.value());
    }

    /** Appends the assistant's tool calls and one {@code tool} message with each one's result. */
    private void runTools(
            ArrayNode messages, JsonNode message, JsonNode toolCalls, List<String> allowed) {
        ObjectNode assistant = messages.addObject().put("role", "assistant");
        assistant.set(
                "content", message.path("content").isTextual() ? message.get("content") : null);
        assistant.set("tool_calls", toolCalls.deepCopy());
        for (JsonNode toolCall : toolCalls) {
            String id = text(toolCall.get("id"), "tool_calls[].id");
            JsonNode function = toolCall.path("function");
            String name = text(function.get("name"), "tool_calls[].function.name");
            messages.addObject()
                    .put("role", "tool")
                    .put("tool_call_id", id)
                    .put("content", runTool(name, function.get("arguments"), allowed));
        }
    }

    /** The tool's result, or what went wrong in words the model can act on. */
    private String runTool(String name, JsonNode arguments, List<String> allowed) {
        Tool tool = tools.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
        if (tool == null) {
            return "error: unknown tool '" + name + "'";
        }
        if (allowed != null && !allowed.contains(name)) {
            return "error: tool " + name + " is not allowed for this tenant";
        }
        try {
            // OpenAI sends the arguments as a JSON string; some compatible servers as an object.
            JsonNode parsed =
                    arguments != null && arguments.isTextual()
                            ? Tools.arguments(arguments.textValue())
                            : arguments;
            return tool.apply(parsed);
        } catch (ToolException e) {
            return "error: " + e.getMessage();
        }
    }

    /** The exponential of the mean token log probability; null when the reply has none. */
    static Double confidence(JsonNode logprobs) {
        JsonNode tokens = logprobs.path("content");
        if (!tokens.isArray() || tokens.isEmpty()) {
            return null;
        }
        double sum = 0;
        for (JsonNode token : tokens) {
            JsonNode logprob = token.get("logprob");
            if (logprob == null || !logprob.isNumber()) {
                return null;
            }
            sum += logprob.doubleValue();
        }
        // A log probability above 0 is a server's rounding; a confidence stays within [0, 1].
        return Math.min(1.0, Math.exp(sum / tokens.size()));
    }

    private long count(JsonNode json, String field) {
        JsonNode value = json.path("usage").get(field);
        if (value == null || !value.isIntegralNumber()) {
            throw client.failure(Kind.MALFORMED_REPLY, "malformed reply: no usage." + field);
        }
        return value.longValue();
    }

    private String text(JsonNode value, String field) {
        if (value == null || !value.isTextual()) {
            throw client.failure(Kind.MALFORMED_REPLY, "malformed reply: no " + field);
        }
        return value.textValue();
    }

    private int positive(Map<String, String> params, String name, int fallback) {
        String value = params.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // Reported below with the value.
        }
        throw client.failure(
                Kind.CONFIGURATION,
                "param " + name + " must be a whole number above 0, got '" + value + "'");
    }

    @Override
    public String toString() {
        return "OpenAiChatRuntime[agent="
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
