package io.hivestream.connectors.agents;

import static io.hivestream.operators.testing.TestRecords.agent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.connectors.agents.providers.AnthropicMessagesRuntime;
import io.hivestream.connectors.agents.providers.OpenAiChatRuntime;
import io.hivestream.connectors.agents.tools.ToolRuntime;
import io.hivestream.operators.execute.AgentCallException;
import io.hivestream.schemas.AgentEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentRuntimesTest {
    @Test
    void aSimulatedAgentGetsTheSimulatedRuntime() {
        assertThat(new AgentRuntimes().create(agent("a1", List.of("chat")).build()))
                .isInstanceOf(SimulatedAgentRuntime.class);
        assertThat(AgentRuntimes.SUPPORTED)
                .containsExactly("simulated", "openai", "anthropic", "tool", "onnx");
    }

    @Test
    void providerAndToolAgentsGetTheirRuntimes() {
        // Without apiKeyEnv or apiKeyFile no key is needed, as for a local server.
        AgentEvent openai =
                agent("local", List.of("chat"))
                        .setRuntime("openai")
                        .setBaseUrl("http://127.0.0.1:11434/v1")
                        .build();
        AgentEvent anthropic =
                agent("claude", List.of("chat"))
                        .setRuntime("anthropic")
                        .setModel("claude-3-5-haiku-latest")
                        .build();
        AgentEvent tool =
                agent("calc", List.of("math"))
                        .setRuntime("tool")
                        .setParams(Map.of("tool", "calculator"))
                        .build();

        assertThat(new AgentRuntimes().create(openai)).isInstanceOf(OpenAiChatRuntime.class);
        assertThat(new AgentRuntimes().create(anthropic))
                .isInstanceOf(AnthropicMessagesRuntime.class);
        assertThat(new AgentRuntimes().create(tool)).isInstanceOf(ToolRuntime.class);
    }

    @Test
    void aRecordTheRuntimeCannotWorkWithFailsAsConfiguration() {
        AgentEvent agent =
                agent("gpt", List.of("chat"))
                        .setRuntime("openai")
                        .setApiKeyEnv("HIVESTREAM_TEST_UNSET_VARIABLE")
                        .build();

        assertThatThrownBy(() -> new AgentRuntimes().create(agent))
                .isInstanceOfSatisfying(
                        AgentCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(AgentCallException.Kind.CONFIGURATION))
                .hasMessage(
                        "agent gpt: environment variable HIVESTREAM_TEST_UNSET_VARIABLE is not"
                                + " set");
    }

    @Test
    void anUnknownRuntimeIsRejectedWithTheAvailableOnes() {
        AgentEvent agent = agent("mini", List.of("chat")).setRuntime("carrier-pigeon").build();

        assertThatThrownBy(() -> new AgentRuntimes().create(agent))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "agent mini: runtime 'carrier-pigeon' is not available in this build;"
                                + " available: [simulated, openai, anthropic, tool, onnx]");
    }
}
