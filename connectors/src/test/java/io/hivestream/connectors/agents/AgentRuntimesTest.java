package io.hivestream.connectors.agents;

import static io.hivestream.operators.testing.TestRecords.agent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.schemas.AgentEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentRuntimesTest {
    @Test
    void aSimulatedAgentGetsTheSimulatedRuntime() {
        assertThat(new AgentRuntimes().create(agent("a1", List.of("chat")).build()))
                .isInstanceOf(SimulatedAgentRuntime.class);
        assertThat(AgentRuntimes.SUPPORTED).containsExactly("simulated", "onnx");
    }

    @Test
    void anUnknownRuntimeIsRejectedWithTheAvailableOnes() {
        AgentEvent agent = agent("gpt", List.of("chat")).setRuntime("openai").build();

        assertThatThrownBy(() -> new AgentRuntimes().create(agent))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "agent gpt: runtime 'openai' is not available in this build; available:"
                                + " [simulated, onnx]");
    }
}
