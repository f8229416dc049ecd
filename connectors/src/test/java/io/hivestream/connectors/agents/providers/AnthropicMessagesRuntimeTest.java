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
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.hivestream.operators.execute.AgentCall;
import io.hivestream.operators.execute.AgentCallException;
import io.hivestream.operators.execute.AgentCallException.Kind;
import io.hivestream.operators.execute.AgentReply;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.Turn;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Anthropic runtime against recorded replies served by WireMock on loopback. */
class AnthropicMessagesRuntimeTest {
    @RegisterExtension
    static WireMockExtension server =
            WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final String KEY = "sk-ant-test-hivestream-0123456789";
    private static final Map<String, String> ENV = Map.of("ANTHROPIC_API_KEY", KEY);
    private static final Clock CLOCK =
            Clock.fixed(Instant.parse("2025-03-10T12:00:00Z"), ZoneOffset.UTC);
    private static final String PATH = "/v1/messages";
    private static final Task ORDER =
            task("t-2", "chat", "And when did it ship?").setSessionId("s-1").build();

    private static AgentEvent.Builder agent(Map<String, String> params) {
        return AgentEvent.newBuilder()
                .setAgentId("claude")
                .setRuntime("anthropic")
                .setBaseUrl(server.baseUrl() + "/v1")
                .setModel("claude-3-5-haiku-latest")
                .setApiKeyEnv("ANTHROPIC_API_KEY")
                .setCapabilities(List.of("chat"))
                .setTier(Tier.CLOUD)
                .setTimeoutMs(5_000)
                .setParams(params);
    }

    private static AnthropicMessagesRuntime runtime(AgentEvent agent) {
        return new AnthropicMessagesRuntime(agent, ENV::get, CLOCK);
    }

    private static AgentCall call(AgentEvent agent, Task task, List<Turn> history) {
        return new AgentCall(
                task,
                analysis(Tier.CLOUD, 1, 1, List.of(task.getKind())),
                agent,
                0,
                1,
                history,
                null);
    }

    private static AgentCallException failure(AgentEvent agent) {
        Throwable thrown =
                catchThrowable(
                        () -> runtime(agent).call(call(agent, ORDER, List.of())).get(5, SECONDS));
        assertThat(thrown).isInstanceOf(ExecutionException.class);
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

    @Test
    void answersWithTheJoinedTextTokensAndModel() throws Exception {
        reply(200, "anthropic-message.json");
        AgentEvent agent =
                agent(Map.of("system", "You answer questions about orders."))
                        .setMaxTokens(300)
                        .build();
        List<Turn> history =
                List.of(
                        Turn.newBuilder()
                                .setTaskId("t-1")
                                .setInput("What was my last order?")
                                .setOutput("Order A-17.")
                                .setAgentId("claude")
                                .setAt(1_000L)
                                .build());

        AgentReply reply = runtime(agent).call(call(agent, ORDER, history)).get(5, SECONDS);

        assertThat(reply)
                .isEqualTo(
                        new AgentReply(
                                "Your last order, A-17, shipped on Monday.",
                                "claude-3-5-haiku-20241022",
                                61,
                                14,
                                null,
                                false));
        server.verify(
                1,
                postRequestedFor(urlEqualTo(PATH))
                        .withHeader("x-api-key", equalTo(KEY))
                        .withHeader("anthropic-version", equalTo("2023-06-01"))
                        .withHeader("Authorization", absent())
                        .withRequestBody(
                                equalToJson(
                                        """
                                        {"model": "claude-3-5-haiku-latest",
                                         "max_tokens": 300,
                                         "system": "You answer questions about orders.",
                                         "messages": [
                                           {"role": "user", "content": "What was my last order?"},
                                           {"role": "assistant", "content": "Order A-17."},
                                           {"role": "user", "content": "And when did it ship?"}
                                         ]}
                                        """)));
    }

    @Test
    void maxTokensDefaultsBecauseTheApiRequiresIt() throws Exception {
        reply(200, "anthropic-message.json");
        AgentEvent agent = agent(Map.of()).build();

        runtime(agent).call(call(agent, ORDER, List.of())).get(5, SECONDS);

        server.verify(
                postRequestedFor(urlEqualTo(PATH))
                        .withRequestBody(
                                equalToJson(
                                        """
                                        {"model": "claude-3-5-haiku-latest",
                                         "max_tokens": 1024,
                                         "messages": [
                                           {"role": "user", "content": "And when did it ship?"}]}
                                        """)));
    }

    @Test
    void aPlanningSubtaskGetsTheAgentsPromptThenItsRolesAndNoOtherOption() throws Exception {
        reply(200, "anthropic-message.json");
        AgentEvent agent = agent(Map.of("system", "You work for Acme.")).build();
        Task plan =
                task("t-5/plan", "plan", "Plan: ship it.")
                        .setRole("planner")
                        .setMetadata(Map.of("role.system", "Answer with one JSON plan."))
                        .build();

        runtime(agent).call(call(agent, plan, List.of())).get(5, SECONDS);

        server.verify(
                1,
                postRequestedFor(urlEqualTo(PATH))
                        .withRequestBody(
                                equalToJson(
                                        """
                                        {"model": "claude-3-5-haiku-latest",
                                         "max_tokens": 1024,
                                         "system": "You work for Acme.\\n\\nAnswer with one JSON plan.",
                                         "messages": [
                                           {"role": "user", "content": "Plan: ship it."}]}
                                        """)));
    }

    @Test
    void aSubtasksRolePromptAloneIsTheSystemPrompt() throws Exception {
        reply(200, "anthropic-message.json");
        AgentEvent agent = agent(Map.of()).build();
        Task review =
                task("t-5/review", "review", "Review the draft.")
                        .setRole("reviewer")
                        .setMetadata(Map.of("role.system", "You are a reviewer."))
                        .build();

        runtime(agent).call(call(agent, review, List.of())).get(5, SECONDS);

        server.verify(
                1,
                postRequestedFor(urlEqualTo(PATH))
                        .withRequestBody(
                                equalToJson(
                                        """
                                        {"model": "claude-3-5-haiku-latest",
                                         "max_tokens": 1024,
                                         "system": "You are a reviewer.",
                                         "messages": [
                                           {"role": "user", "content": "Review the draft."}]}
                                        """)));
    }

    @Test
    void a429IsRateLimitedWithTheRetryAfterSeconds() {
        server.stubFor(
                post(urlEqualTo(PATH))
                        .willReturn(
                                aResponse()
                                        .withStatus(429)
                                        .withHeader("retry-after", "7")
                                        .withBody(Recorded.body("anthropic-429.json"))));

        AgentCallException e = failure(agent(Map.of()).build());

        assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(e.getMessage())
                .isEqualTo("anthropic agent claude: rate limited (HTTP 429), retry after 7 s");
    }

    @Test
    void overloadedIsUnavailable() {
        reply(529, "anthropic-529.json");

        AgentCallException e = failure(agent(Map.of()).build());

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.getMessage())
                .isEqualTo("anthropic agent claude: unavailable (HTTP 529): Overloaded");
    }

    @Test
    void a401IsUnauthorizedWithoutTheKeyInTheMessage() {
        reply(401, "anthropic-401.json");

        AgentCallException e = failure(agent(Map.of()).build());

        assertThat(e.kind()).isEqualTo(Kind.UNAUTHORIZED);
        assertThat(e.getMessage())
                .isEqualTo(
                        "anthropic agent claude: unauthorized (HTTP 401) with the API key from"
                                + " environment variable ANTHROPIC_API_KEY")
                .doesNotContain(KEY);
    }

    @Test
    void aReplyWithoutTextIsAMalformedReply() {
        reply(200, "anthropic-no-text.json");

        AgentCallException e = failure(agent(Map.of()).build());

        assertThat(e.kind()).isEqualTo(Kind.MALFORMED_REPLY);
        assertThat(e.getMessage())
                .isEqualTo("anthropic agent claude: malformed reply: no text in content");
    }

    @Test
    void aBodyThatIsNotJsonIsAMalformedReply() {
        reply(200, "openai-malformed.json");

        AgentCallException e = failure(agent(Map.of()).build());

        assertThat(e.kind()).isEqualTo(Kind.MALFORMED_REPLY);
        assertThat(e.getMessage()).isEqualTo("anthropic agent claude: malformed reply: not JSON");
    }

    @Test
    void aReplySlowerThanTheTimeoutIsATimeout() {
        server.stubFor(
                post(urlEqualTo(PATH))
                        .willReturn(
                                aResponse()
                                        .withFixedDelay(1_500)
                                        .withBody(Recorded.body("anthropic-message.json"))));

        AgentCallException e = failure(agent(Map.of()).setTimeoutMs(200).build());

        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(e.getMessage()).isEqualTo("anthropic agent claude: no reply within 200 ms");
    }

    @Test
    void theRecordNeedsAModelAndNoTools() {
        assertThatThrownBy(() -> runtime(agent(Map.of()).setModel(null).build()))
                .isInstanceOfSatisfying(
                        AgentCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION))
                .hasMessage("anthropic agent claude: the record needs a model");
        assertThatThrownBy(() -> runtime(agent(Map.of("tools", "calculator")).build()))
                .isInstanceOf(AgentCallException.class)
                .hasMessage("anthropic agent claude: tools are offered by the openai runtime only");
    }

    @Test
    void theKeyIsNotInTheRuntimesDescription() {
        assertThat(runtime(agent(Map.of()).build()).toString())
                .isEqualTo(
                        "AnthropicMessagesRuntime[agent=claude, baseUrl="
                                + server.baseUrl()
                                + "/v1, model=claude-3-5-haiku-latest, key=ApiKey[environment"
                                + " variable ANTHROPIC_API_KEY]]");
    }
}
