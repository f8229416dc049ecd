package io.hivestream.connectors.agents.providers;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.hivestream.operators.testing.TestRecords.analysis;
import static io.hivestream.operators.testing.TestRecords.task;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.hivestream.operators.execute.AgentCall;
import io.hivestream.operators.execute.AgentCallException;
import io.hivestream.operators.execute.AgentCallException.Kind;
import io.hivestream.operators.execute.AgentReply;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.Turn;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The OpenAI runtime against recorded replies served by WireMock on loopback. */
class OpenAiChatRuntimeTest {
    @RegisterExtension
    static WireMockExtension server =
            WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final String KEY = "sk-test-hivestream-0123456789";
    private static final Map<String, String> ENV = Map.of("OPENAI_API_KEY", KEY);
    private static final Clock CLOCK =
            Clock.fixed(Instant.parse("2025-03-10T12:00:00Z"), ZoneOffset.UTC);
    private static final String PATH = "/v1/chat/completions";
    private static final Task ORDER =
            task("t-2", "chat", "And when did it ship?").setSessionId("s-1").build();
    private static final Task MATH = task("t-3", "math", "What is 12 * (3 + 4)?").build();

    private static AgentEvent.Builder agent(String... params) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            map.put(params[i], params[i + 1]);
        }
        return AgentEvent.newBuilder()
                .setAgentId("gpt")
                .setRuntime("openai")
                .setBaseUrl(server.baseUrl() + "/v1/")
                .setModel("gpt-4o-mini")
                .setApiKeyEnv("OPENAI_API_KEY")
                .setCapabilities(List.of("chat", "math", "classify"))
                .setTier(Tier.CLOUD)
                .setTimeoutMs(5_000)
                .setParams(map);
    }

    private static OpenAiChatRuntime runtime(AgentEvent agent) {
        return new OpenAiChatRuntime(agent, ENV::get, CLOCK);
    }

    private static AgentCall call(
            AgentEvent agent, Task task, List<Turn> history, List<String> allowedTools) {
        return new AgentCall(
                task,
                analysis(Tier.CLOUD, 1, 1, List.of(task.getKind())),
                agent,
                0,
                1,
                history,
                allowedTools);
    }

    private static AgentReply answer(AgentEvent agent, Task task) throws Exception {
        return runtime(agent).call(call(agent, task, List.of(), null)).get(5, SECONDS);
    }

    /** The exception the call's future failed with. */
    private static AgentCallException failure(AgentEvent agent, Task task) {
        ExecutionException thrown =
                (ExecutionException)
                        org.assertj.core.api.Assertions.catchThrowable(
                                () ->
                                        runtime(agent)
                                                .call(call(agent, task, List.of(), null))
                                                .get(5, SECONDS));
        assertThat(thrown).isNotNull();
        assertThat(thrown.getCause()).isInstanceOf(AgentCallException.class);
        return (AgentCallException) thrown.getCause();
    }

    private static void reply(int status, String recorded) {
        server.stubFor(
                post(urlEqualTo(PATH))
                        .willReturn(
                                aResponse()
                                        .withStatus(status)
                                        .withHeader("Content-Type", "application/json")
                                        .withBody(Recorded.body(recorded))));
    }

    private static Turn turn(String taskId, String input, String output) {
        return Turn.newBuilder()
                .setTaskId(taskId)
                .setInput(input)
                .setOutput(output)
                .setAgentId("gpt")
                .setAt(1_000L)
                .build();
    }

    @Test
    void answersWithTheTextTokensAndModelOfTheReply() throws Exception {
        reply(200, "openai-chat-completion.json");
        AgentEvent agent =
                agent("system", "You answer questions about orders.").setMaxTokens(256).build();
        List<Turn> history =
                List.of(
                        turn("t-0", "Hi, I am Ana.", "Hello Ana, how can I help?"),
                        turn("t-1", "What was my last order?", "Order A-17."));

        AgentReply reply = runtime(agent).call(call(agent, ORDER, history, null)).get(5, SECONDS);

        assertThat(reply)
                .isEqualTo(
                        new AgentReply(
                                "Your last order, A-17, shipped on Monday.",
                                "gpt-4o-mini-2024-07-18",
                                57,
                                12,
                                null,
                                false));
        server.verify(
                1,
                postRequestedFor(urlEqualTo(PATH))
                        .withHeader("Authorization", equalTo("Bearer " + KEY))
                        .withHeader("Content-Type", equalTo("application/json"))
                        .withRequestBody(
                                equalToJson(
                                        """
                                        {"model": "gpt-4o-mini",
                                         "max_tokens": 256,
                                         "messages": [
                                           {"role": "system",
                                            "content": "You answer questions about orders."},
                                           {"role": "user", "content": "Hi, I am Ana."},
                                           {"role": "assistant",
                                            "content": "Hello Ana, how can I help?"},
                                           {"role": "user", "content": "What was my last order?"},
                                           {"role": "assistant", "content": "Order A-17."},
                                           {"role": "user", "content": "And when did it ship?"}
                                         ]}
                                        """)));
    }

    @Test
    void aClosedRuntimeGivesItsConnectionsBackAndFailsALaterCall() throws Exception {
        reply(200, "openai-chat-completion.json");
        AgentEvent agent = agent().build();
        int holders = HttpPoster.SHARED.holders();
        OpenAiChatRuntime runtime = runtime(agent);
        assertThat(HttpPoster.SHARED.holders()).isEqualTo(holders);

        runtime.call(call(agent, MATH, List.of(), null)).get(5, SECONDS);
        assertThat(HttpPoster.SHARED.holders()).isEqualTo(holders + 1);
        runtime.call(call(agent, MATH, List.of(), null)).get(5, SECONDS);
        assertThat(HttpPoster.SHARED.holders()).isEqualTo(holders + 1);

        runtime.close();
        runtime.close();
        assertThat(HttpPoster.SHARED.holders()).isEqualTo(holders);
        assertThatThrownBy(() -> runtime.call(call(agent, MATH, List.of(), null)).get(5, SECONDS))
                .cause()
                .isInstanceOf(AgentCallException.class)
                .hasMessage("openai agent gpt: the runtime was closed")
                .extracting(e -> ((AgentCallException) e).kind())
                .isEqualTo(Kind.UNAVAILABLE);
    }

    @Test
    void aClassifyPromptListsTheLabelsAndTheirDescriptions() throws Exception {
        reply(200, "openai-chat-completion.json");
        AgentEvent agent = agent().build();
        Task classify =
                task("t-4", "classify", "Where is my parcel?")
                        .setMetadata(
                                Map.of(
                                        "labels", "billing, shipping",
                                        "label.shipping", "parcels and delivery"))
                        .build();

        answer(agent, classify);

        server.verify(
                postRequestedFor(urlEqualTo(PATH))
                        .withRequestBody(
                                equalToJson(
                                        """
                                        {"model": "gpt-4o-mini",
                                         "messages": [{"role": "user", "content":
                                           "Classify the text below. Answer with exactly one of \
                                        these labels and nothing else: billing, shipping.\\n\
                                        shipping: parcels and delivery\\n\\nText:\\n\
                                        Where is my parcel?"}]}
                                        """)));
    }

    /** A subtask of a plan in the given role, carrying its role's system prompt. */
    private static Task subtask(String role, String rolePrompt, String input) {
        return task("root/" + role, role.equals("planner") ? "plan" : "research", input)
                .setRole(role)
                .setMetadata(Map.of("role.system", rolePrompt))
                .build();
    }

    @Test
    void aPlanningSubtaskGetsBothPromptsAndAsksForAJsonObject() throws Exception {
        reply(200, "openai-chat-completion.json");
        AgentEvent agent = agent("system", "You work for Acme.").build();

        answer(agent, subtask("planner", "Answer with one JSON plan.", "Plan: ship it."));

        server.verify(
                1,
                postRequestedFor(urlEqualTo(PATH))
                        .withRequestBody(
                                equalToJson(
                                        """
                                        {"model": "gpt-4o-mini",
                                         "messages": [
                                           {"role": "system", "content":
                                             "You work for Acme.\\n\\nAnswer with one JSON plan."},
                                           {"role": "user", "content": "Plan: ship it."}],
                                         "response_format": {"type": "json_object"}}
                                        """)));
    }

    @Test
    void aWorkerSubtasksRolePromptAloneIsTheSystemMessageAndTheAnswerIsFreeText() throws Exception {
        reply(200, "openai-chat-completion.json");
        AgentEvent agent = agent().build();

        answer(agent, subtask("researcher", "You are a researcher.", "Find the limits."));

        server.verify(
                1,
                postRequestedFor(urlEqualTo(PATH))
                        .withRequestBody(
                                equalToJson(
                                        """
                                        {"model": "gpt-4o-mini",
                                         "messages": [
                                           {"role": "system", "content": "You are a researcher."},
                                           {"role": "user", "content": "Find the limits."}]}
                                        """)));
    }

    @Test
    void aPlannerThatCallsToolsAsksForAJsonObjectAtEveryStep() throws Exception {
        toolCallThenAnswer();
        AgentEvent agent = agent("tools", "calculator").build();
        Task plan = task("t-3/plan", "plan", "What is 12 * (3 + 4)?").setRole("planner").build();

        answer(agent, plan);

        String format = ", \"response_format\": {\"type\": \"json_object\"}}";
        server.verify(
                1,
                postRequestedFor(urlEqualTo(PATH))
                        .withRequestBody(
                                equalToJson(
                                        "{\"model\": \"gpt-4o-mini\", \"messages\": [{\"role\":"
                                                + " \"user\", \"content\": \"What is 12 * (3 +"
                                                + " 4)?\"}], \"tools\": ["
                                                + CALCULATOR_SCHEMA
                                                + "]"
                                                + format)));
        server.verify(
                1,
                postRequestedFor(urlEqualTo(PATH))
                        .withRequestBody(
                                equalToJson(
                                        AFTER_THE_TOOL.substring(0, AFTER_THE_TOOL.length() - 1)
                                                + format)));
    }

    @Test
    void aClassifyTaskWithoutLabelsIsABadRequest() {
        AgentEvent agent = agent().build();
        AgentCallException e = failure(agent, task("t-4", "classify", "Where?").build());

        assertThat(e.kind()).isEqualTo(Kind.BAD_REQUEST);
        assertThat(e.getMessage())
                .isEqualTo(
                        "openai agent gpt: classify needs metadata.labels, e.g."
                                + " \"billing,shipping\"");
        assertThat(server.getAllServeEvents()).isEmpty();
    }

    @Test
    void aLocalServerWithoutKeyModelOrLimitGetsNeitherHeaderNorFields() throws Exception {
        reply(200, "openai-chat-completion.json");
        AgentEvent agent = agent().setApiKeyEnv(null).setModel(null).build();

        assertThat(answer(agent, ORDER).output())
                .isEqualTo("Your last order, A-17, shipped on Monday.");
        server.verify(
                postRequestedFor(urlEqualTo(PATH))
                        .withHeader("Authorization", absent())
                        .withRequestBody(
                                equalToJson(
                                        """
                                        {"messages": [
                                          {"role": "user", "content": "And when did it ship?"}]}
                                        """)));
    }

    @Test
    void aKeyFromAFileIsSentAsTheBearerToken(@TempDir Path dir) throws Exception {
        reply(200, "openai-chat-completion.json");
        Path keyFile = dir.resolve("openai.key");
        Files.writeString(keyFile, "sk-from-file-42\n");
        AgentEvent agent = agent().setApiKeyEnv(null).setApiKeyFile(keyFile.toString()).build();

        answer(agent, ORDER);

        server.verify(
                postRequestedFor(urlEqualTo(PATH))
                        .withHeader("Authorization", equalTo("Bearer sk-from-file-42")));
    }

    @Test
    void aMissingKeyIsAConfigurationErrorNamingTheVariable() {
        AgentEvent agent = agent().setApiKeyEnv("HIVESTREAM_NO_SUCH_KEY").build();

        assertThatThrownBy(() -> runtime(agent))
                .isInstanceOfSatisfying(
                        AgentCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION))
                .hasMessage("agent gpt: environment variable HIVESTREAM_NO_SUCH_KEY is not set");
    }

    @Test
    void theKeyIsNotInTheRuntimesDescription() {
        assertThat(runtime(agent().build()).toString())
                .isEqualTo(
                        "OpenAiChatRuntime[agent=gpt, baseUrl="
                                + server.baseUrl()
                                + "/v1, model=gpt-4o-mini, key=ApiKey[environment variable"
                                + " OPENAI_API_KEY]]");
    }

    @Test
    void a429IsRateLimitedWithTheRetryAfterSeconds() {
        server.stubFor(
                post(urlEqualTo(PATH))
                        .willReturn(
                                aResponse()
                                        .withStatus(429)
                                        .withHeader("Retry-After", "7")
                                        .withBody(Recorded.body("openai-429.json"))));

        AgentCallException e = failure(agent().build(), ORDER);

        assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(e.getMessage())
                .isEqualTo("openai agent gpt: rate limited (HTTP 429), retry after 7 s");
    }

    @Test
    void a429RetryAfterMayBeAnHttpDate() {
        server.stubFor(
                post(urlEqualTo(PATH))
                        .willReturn(
                                aResponse()
                                        .withStatus(429)
                                        .withHeader("Retry-After", "Mon, 10 Mar 2025 12:00:30 GMT")
                                        .withBody(Recorded.body("openai-429.json"))));

        AgentCallException e = failure(agent().build(), ORDER);

        assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void a429WithoutRetryAfterLeavesTheWaitToTheRetryLoop() {
        reply(429, "openai-429.json");

        AgentCallException e = failure(agent().build(), ORDER);

        assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(e.retryAfter()).isNull();
        assertThat(e.getMessage()).isEqualTo("openai agent gpt: rate limited (HTTP 429)");
    }

    @Test
    void a500IsUnavailableWithTheProvidersMessage() {
        reply(500, "openai-500.json");

        AgentCallException e = failure(agent().build(), ORDER);

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.retryAfter()).isNull();
        assertThat(e.getMessage())
                .isEqualTo(
                        "openai agent gpt: unavailable (HTTP 500): The server had an error while"
                                + " processing your request. Sorry about that!");
    }

    @Test
    void aReplySlowerThanTheTimeoutIsATimeout() {
        server.stubFor(
                post(urlEqualTo(PATH))
                        .willReturn(
                                aResponse()
                                        .withStatus(200)
                                        .withFixedDelay(1_500)
                                        .withBody(Recorded.body("openai-chat-completion.json"))));

        AgentCallException e = failure(agent().setTimeoutMs(200).build(), ORDER);

        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(e.getMessage()).isEqualTo("openai agent gpt: no reply within 200 ms");
    }

    @Test
    void aBodyThatIsNotJsonIsAMalformedReply() {
        reply(200, "openai-malformed.json");

        AgentCallException e = failure(agent().build(), ORDER);

        assertThat(e.kind()).isEqualTo(Kind.MALFORMED_REPLY);
        assertThat(e.getMessage()).isEqualTo("openai agent gpt: malformed reply: not JSON");
    }

    @Test
    void aReplyWithoutUsageIsAMalformedReply() {
        reply(200, "openai-missing-usage.json");

        AgentCallException e = failure(agent().build(), ORDER);

        assertThat(e.kind()).isEqualTo(Kind.MALFORMED_REPLY);
        assertThat(e.getMessage())
                .isEqualTo("openai agent gpt: malformed reply: no usage.prompt_tokens");
    }

    @Test
    void a401IsUnauthorizedAndTheEchoedKeyIsNotInTheMessage() {
        reply(401, "openai-401.json");

        AgentCallException e = failure(agent().build(), ORDER);

        assertThat(e.kind()).isEqualTo(Kind.UNAUTHORIZED);
        assertThat(e.getMessage())
                .isEqualTo(
                        "openai agent gpt: unauthorized (HTTP 401) with the API key from"
                                + " environment variable OPENAI_API_KEY")
                .doesNotContain(KEY);
        server.verify(
                postRequestedFor(urlEqualTo(PATH))
                        .withHeader("Authorization", equalTo("Bearer " + KEY)));
    }

    @Test
    void anotherClientErrorIsABadRequestWithTheProvidersMessage() {
        reply(400, "openai-400.json");

        AgentCallException e = failure(agent().build(), ORDER);

        assertThat(e.kind()).isEqualTo(Kind.BAD_REQUEST);
        assertThat(e.getMessage())
                .isEqualTo(
                        "openai agent gpt: rejected (HTTP 400): Invalid 'max_tokens': integer"
                                + " below minimum value. Expected a value >= 1, but got 0"
                                + " instead.");
    }

    @Test
    void aKeyTheProviderEchoesInAnErrorIsRedacted() {
        server.stubFor(
                post(urlEqualTo(PATH))
                        .willReturn(
                                aResponse()
                                        .withStatus(404)
                                        .withBody(
                                                "{\"error\": {\"message\": \"no model for key "
                                                        + KEY
                                                        + "\"}}")));

        AgentCallException e = failure(agent().build(), ORDER);

        assertThat(e.kind()).isEqualTo(Kind.BAD_REQUEST);
        assertThat(e.getMessage())
                .isEqualTo("openai agent gpt: rejected (HTTP 404): no model for key [redacted]");
    }

    @Test
    void aServerThatIsNotThereIsUnavailable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        AgentEvent agent = agent().setBaseUrl("http://127.0.0.1:" + closedPort + "/v1").build();

        AgentCallException e = failure(agent, ORDER);

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.getMessage())
                .isEqualTo(
                        "openai agent gpt: cannot reach http://127.0.0.1:"
                                + closedPort
                                + "/v1/chat/completions");
    }

    @Test
    void aBaseUrlThatIsNotHttpIsAConfigurationError() {
        assertThatThrownBy(() -> runtime(agent().setBaseUrl("ftp://example.org").build()))
                .isInstanceOfSatisfying(
                        AgentCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION))
                .hasMessage("openai agent gpt: baseUrl 'ftp://example.org' is not an http(s) URL");
    }

    // ReAct steps: the recorded model first asks for the calculator, then answers.

    private static void toolCallThenAnswer() {
        server.stubFor(
                post(urlEqualTo(PATH))
                        .inScenario("react")
                        .whenScenarioStateIs(Scenario.STARTED)
                        .willReturn(aResponse().withBody(Recorded.body("openai-tool-call.json")))
                        .willSetStateTo("tool answered"));
        server.stubFor(
                post(urlEqualTo(PATH))
                        .inScenario("react")
                        .whenScenarioStateIs("tool answered")
                        .willReturn(aResponse().withBody(Recorded.body("openai-tool-final.json"))));
    }

    private static final String CALCULATOR_SCHEMA =
            """
            {"type": "function", "function": {
              "name": "calculator",
              "description": "Evaluates an arithmetic expression exactly, with + - * / ^ and \
            parentheses.",
              "parameters": {"type": "object",
                "properties": {"expression": {"type": "string",
                  "description": "The expression, e.g. 12 * (3 + 4)"}},
                "required": ["expression"]}}}
            """;

    private static final String JSON_PATH_SCHEMA =
            """
            {"type": "function", "function": {
              "name": "json_path",
              "description": "Returns the value at a JSON path such as $.a.b[0].c in a JSON \
            document.",
              "parameters": {"type": "object",
                "properties": {
                  "json": {"type": "string", "description": "The JSON document"},
                  "path": {"type": "string", "description": "The path, e.g. $.items[0].name"}},
                "required": ["json", "path"]}}}
            """;

    private static final String TOOL_CALL =
            """
            {"role": "assistant", "content": null, "tool_calls": [
              {"id": "call_7xSBxWLeFJ0yjXDJ5Gc3QCzz", "type": "function",
               "function": {"name": "calculator",
                            "arguments": "{\\"expression\\":\\"12 * (3 + 4)\\"}"}}]}
            """;

    /** The second request of the calculator loop: the question, the tool call and its result. */
    private static final String AFTER_THE_TOOL =
            "{\"model\": \"gpt-4o-mini\", \"messages\": [{\"role\": \"user\", \"content\":"
                    + " \"What is 12 * (3 + 4)?\"}, "
                    + TOOL_CALL
                    + ", {\"role\": \"tool\", \"tool_call_id\": \"call_7xSBxWLeFJ0yjXDJ5Gc3QCzz\","
                    + " \"content\": \"84\"}], \"tools\": ["
                    + CALCULATOR_SCHEMA
                    + "]}";

    @Test
    void aToolCallIsRunAndItsResultSentBackUntilTheModelAnswers() throws Exception {
        toolCallThenAnswer();
        AgentEvent agent = agent("tools", "calculator").build();

        AgentReply reply = answer(agent, MATH);

        // Tokens add up over both steps: 98 + 131 in, 21 + 2 out.
        assertThat(reply)
                .isEqualTo(new AgentReply("84", "gpt-4o-mini-2024-07-18", 229, 23, null, false));
        assertThat(server.findAll(postRequestedFor(urlEqualTo(PATH)))).hasSize(2);
        server.verify(
                1,
                postRequestedFor(urlEqualTo(PATH))
                        .withRequestBody(
                                equalToJson(
                                        "{\"model\": \"gpt-4o-mini\", \"messages\": [{\"role\":"
                                                + " \"user\", \"content\": \"What is 12 * (3 +"
                                                + " 4)?\"}], \"tools\": ["
                                                + CALCULATOR_SCHEMA
                                                + "]}")));
        server.verify(
                1, postRequestedFor(urlEqualTo(PATH)).withRequestBody(equalToJson(AFTER_THE_TOOL)));
    }

    /** A step journal holding step 1's reply, recording what the runtime journals. */
    private static final class Steps implements AgentCall.StepJournal {
        final Map<Integer, String> earlier;
        final Map<Integer, String> recorded = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<Integer, String> usage = new java.util.concurrent.ConcurrentHashMap<>();

        Steps(Map<Integer, String> earlier) {
            this.earlier = earlier;
        }

        @Override
        public String replayed(int step) {
            return earlier.get(step);
        }

        @Override
        public void record(int step, String reply, long tokensIn, long tokensOut) {
            recorded.put(step, reply);
            usage.put(step, tokensIn + "/" + tokensOut);
        }
    }

    private static AgentReply answer(AgentEvent agent, Task task, Steps steps) throws Exception {
        AgentCall plain = call(agent, task, List.of(), null);
        return runtime(agent)
                .call(
                        new AgentCall(
                                plain.task(),
                                plain.analysis(),
                                agent,
                                0,
                                1,
                                List.of(),
                                null,
                                steps))
                .get(5, SECONDS);
    }

    @Test
    void aStepThatAsksForToolsIsJournaledAndTheAnswerIsNot() throws Exception {
        toolCallThenAnswer();
        AgentEvent agent = agent("tools", "calculator").build();
        Steps steps = new Steps(Map.of());

        answer(agent, MATH, steps);

        assertThat(steps.recorded).containsOnlyKeys(1);
        // The tool step's own usage, of the 229 + 23 tokens of the whole call.
        assertThat(steps.usage).containsExactly(Map.entry(1, "98/21"));
        assertThat(ProviderClient.JSON.readTree(steps.recorded.get(1)))
                .isEqualTo(ProviderClient.JSON.readTree(Recorded.body("openai-tool-call.json")));
    }

    @Test
    void aJournaledStepIsNotSentAgainAndTheLoopGoesOnFromIt() throws Exception {
        server.stubFor(
                post(urlEqualTo(PATH))
                        .willReturn(aResponse().withBody(Recorded.body("openai-tool-final.json"))));
        AgentEvent agent = agent("tools", "calculator").build();
        Steps steps = new Steps(Map.of(1, Recorded.body("openai-tool-call.json")));

        AgentReply reply = answer(agent, MATH, steps);

        // The same answer and tokens as with both steps sent: the journaled step was paid.
        assertThat(reply)
                .isEqualTo(new AgentReply("84", "gpt-4o-mini-2024-07-18", 229, 23, null, false));
        assertThat(server.findAll(postRequestedFor(urlEqualTo(PATH)))).hasSize(1);
        server.verify(
                1, postRequestedFor(urlEqualTo(PATH)).withRequestBody(equalToJson(AFTER_THE_TOOL)));
        assertThat(steps.recorded).isEmpty();
    }

    @Test
    void aToolTheTenantMayNotUseIsNeitherOfferedNorRun() throws Exception {
        toolCallThenAnswer();
        AgentEvent agent = agent("tools", "calculator,json_path").build();

        AgentReply reply =
                runtime(agent)
                        .call(call(agent, MATH, List.of(), List.of("json_path")))
                        .get(5, SECONDS);

        assertThat(reply.output()).isEqualTo("84");
        server.verify(
                1,
                postRequestedFor(urlEqualTo(PATH))
                        .withRequestBody(
                                equalToJson(
                                        "{\"model\": \"gpt-4o-mini\", \"messages\": [{\"role\":"
                                                + " \"user\", \"content\": \"What is 12 * (3 +"
                                                + " 4)?\"}, "
                                                + TOOL_CALL
                                                + ", {\"role\": \"tool\", \"tool_call_id\":"
                                                + " \"call_7xSBxWLeFJ0yjXDJ5Gc3QCzz\","
                                                + " \"content\": \"error: tool calculator is not"
                                                + " allowed for this tenant\"}],"
                                                + " \"tools\": ["
                                                + JSON_PATH_SCHEMA
                                                + "]}")));
    }

    @Test
    void aModelThatKeepsCallingToolsHitsTheStepLimit() {
        reply(200, "openai-tool-call.json");
        AgentEvent agent = agent("tools", "calculator").build();

        AgentCallException e = failure(agent, MATH);

        assertThat(e.kind()).isEqualTo(Kind.BAD_REQUEST);
        assertThat(e.getMessage()).isEqualTo("openai agent gpt: tool step limit 4 reached");
        assertThat(server.findAll(postRequestedFor(urlEqualTo(PATH)))).hasSize(4);
    }

    @Test
    void theStepLimitIsAnAgentParam() {
        reply(200, "openai-tool-call.json");
        AgentEvent agent = agent("tools", "calculator", "maxSteps", "2").build();

        AgentCallException e = failure(agent, MATH);

        assertThat(e.getMessage()).isEqualTo("openai agent gpt: tool step limit 2 reached");
        assertThat(server.findAll(postRequestedFor(urlEqualTo(PATH)))).hasSize(2);
    }

    @Test
    void unknownToolsAndBadStepLimitsAreConfigurationErrors() {
        assertThatThrownBy(() -> runtime(agent("tools", "calculator,shell").build()))
                .isInstanceOfSatisfying(
                        AgentCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION))
                .hasMessage(
                        "openai agent gpt: unknown tool 'shell'; available: calculator, json_path,"
                                + " regex_extract");
        assertThatThrownBy(() -> runtime(agent("maxSteps", "0").build()))
                .isInstanceOf(AgentCallException.class)
                .hasMessage(
                        "openai agent gpt: param maxSteps must be a whole number above 0, got '0'");
    }

    @Test
    void withConfidenceLogprobsTheConfidenceIsTheGeometricMeanOfTheTokensProbabilities()
            throws Exception {
        reply(200, "openai-logprobs.json");
        AgentEvent agent = agent("confidence", "logprobs").build();

        AgentReply reply = answer(agent, MATH);

        // Tokens at log probabilities -0.5 and -0.1: exp(-0.3).
        assertThat(reply)
                .isEqualTo(
                        new AgentReply(
                                "billing",
                                "gpt-4o-mini-2024-07-18",
                                41,
                                2,
                                0.7408182206817179,
                                false));
        server.verify(
                postRequestedFor(urlEqualTo(PATH))
                        .withRequestBody(
                                equalToJson(
                                        """
                                        {"model": "gpt-4o-mini",
                                         "logprobs": true,
                                         "messages": [{"role": "user",
                                           "content": "What is 12 * (3 + 4)?"}]}
                                        """)));
    }

    @Test
    void withoutTheParamNoLogprobsAreAskedForAndNoneReported() throws Exception {
        reply(200, "openai-logprobs.json");

        AgentReply reply = answer(agent().build(), MATH);

        assertThat(reply.confidence()).isNull();
        server.verify(
                postRequestedFor(urlEqualTo(PATH))
                        .withRequestBody(
                                equalToJson(
                                        """
                                        {"model": "gpt-4o-mini",
                                         "messages": [{"role": "user",
                                           "content": "What is 12 * (3 + 4)?"}]}
                                        """)));
    }

    @Test
    void aServerThatSendsNoLogprobsLeavesTheAnswerWithoutConfidence() throws Exception {
        reply(200, "openai-chat-completion.json");

        AgentReply reply = answer(agent("confidence", "logprobs").build(), MATH);

        assertThat(reply.output()).isEqualTo("Your last order, A-17, shipped on Monday.");
        assertThat(reply.confidence()).isNull();
    }

    @Test
    void anUnknownConfidenceSourceIsAConfigurationError() {
        assertThatThrownBy(() -> runtime(agent("confidence", "vibes").build()))
                .isInstanceOfSatisfying(
                        AgentCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION))
                .hasMessage("openai agent gpt: param confidence must be logprobs, got 'vibes'");
    }
}
