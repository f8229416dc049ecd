package io.hivestream.connectors.agents.tools;

import static io.hivestream.operators.testing.TestRecords.analysis;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.operators.execute.AgentCall;
import io.hivestream.operators.execute.AgentCallException;
import io.hivestream.operators.execute.AgentReply;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ToolRuntimeTest {
    private static AgentEvent toolAgent(Map<String, String> params) {
        return AgentEvent.newBuilder()
                .setAgentId("t1")
                .setRuntime("tool")
                .setCapabilities(List.of("extract"))
                .setParams(params)
                .build();
    }

    private static AgentCall call(AgentEvent agent, Task task, List<String> allowedTools) {
        return new AgentCall(
                task,
                analysis(Tier.EDGE, 1, 1, List.of(task.getKind())),
                agent,
                0,
                1,
                List.of(),
                allowedTools);
    }

    @Test
    void theTaskInputFillsTheInputArgumentAndMetadataTheRest() {
        AgentEvent agent = toolAgent(Map.of("tool", "json_path"));
        Task task =
                task("t-1", "extract", "{\"order\": {\"id\": \"A-17\"}}")
                        .setMetadata(Map.of("path", "$.order.id"))
                        .build();

        assertThat(new ToolRuntime(agent).call(call(agent, task, null)))
                .isCompletedWithValue(new AgentReply("A-17", "json_path", 0, 0, null, false));
    }

    @Test
    void aCalculatorAgentAnswersArithmetic() {
        AgentEvent agent = toolAgent(Map.of("tool", "calculator"));
        Task task = task("t-1", "math", "12 * (3 + 4)").build();

        assertThat(new ToolRuntime(agent).call(call(agent, task, List.of("calculator"))))
                .isCompletedWithValue(new AgentReply("84", "calculator", 0, 0, null, false));
    }

    @Test
    void regexGroupsComeFromMetadataAsText() {
        AgentEvent agent = toolAgent(Map.of("tool", "regex_extract"));
        Task task =
                task("t-1", "extract", "Order A-17 shipped")
                        .setMetadata(Map.of("pattern", "([A-Z])-(\\d+)", "group", "2"))
                        .build();

        assertThat(new ToolRuntime(agent).call(call(agent, task, null)).join().output())
                .isEqualTo("17");
    }

    @Test
    void aToolErrorFailsTheCallAsABadRequest() {
        AgentEvent agent = toolAgent(Map.of("tool", "calculator"));
        CompletableFuture<AgentReply> reply =
                new ToolRuntime(agent)
                        .call(call(agent, task("t-1", "math", "1 / 0").build(), null));

        assertThat(reply)
                .failsWithin(java.time.Duration.ZERO)
                .withThrowableThat()
                .havingCause()
                .isInstanceOfSatisfying(
                        AgentCallException.class,
                        e -> {
                            assertThat(e.kind()).isEqualTo(AgentCallException.Kind.BAD_REQUEST);
                            assertThat(e.getMessage())
                                    .isEqualTo(
                                            "tool calculator: division by zero at position 5 of"
                                                    + " '1 / 0'");
                        });
    }

    @Test
    void aTenantThatMayNotUseTheToolIsRefused() {
        AgentEvent agent = toolAgent(Map.of("tool", "calculator"));
        CompletableFuture<AgentReply> reply =
                new ToolRuntime(agent)
                        .call(
                                call(
                                        agent,
                                        task("t-1", "math", "1 + 1").build(),
                                        List.of("json_path")));

        assertThat(reply)
                .failsWithin(java.time.Duration.ZERO)
                .withThrowableThat()
                .havingCause()
                .isInstanceOfSatisfying(
                        AgentCallException.class,
                        e -> {
                            assertThat(e.kind()).isEqualTo(AgentCallException.Kind.BAD_REQUEST);
                            assertThat(e.getMessage())
                                    .isEqualTo("tool calculator is not allowed for this tenant");
                        });
    }

    @Test
    void theToolMustBeNamedAndKnown() {
        assertThatThrownBy(() -> new ToolRuntime(toolAgent(Map.of())))
                .isInstanceOfSatisfying(
                        AgentCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(AgentCallException.Kind.CONFIGURATION))
                .hasMessage(
                        "agent t1: a tool agent needs param 'tool', one of [calculator,"
                                + " json_path, regex_extract]");
        assertThatThrownBy(() -> new ToolRuntime(toolAgent(Map.of("tool", "shell"))))
                .isInstanceOf(AgentCallException.class)
                .hasMessage(
                        "agent t1: unknown tool 'shell'; available: calculator, json_path,"
                                + " regex_extract");
    }
}
