package io.hivestream.operators.consensus;

import static io.hivestream.operators.testing.TestRecords.agent;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.route.AgentStatistics;
import io.hivestream.schemas.AgentEventType;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.AgentView;
import java.util.List;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class AgentTierFunctionTest {
    private static AgentView view(String id, Tier tier, AgentEventType type) {
        return new AgentView(
                agent(id, List.of("classify")).setTier(tier).setType(type).build(),
                AgentStatistics.empty());
    }

    private static TaskResult result(String id, List<String> agents) {
        return TaskResult.newBuilder()
                .setTaskId(id)
                .setStatus(agents.isEmpty() ? TaskStatus.FAILED : TaskStatus.COMPLETED)
                .setTier(Tier.EDGE)
                .setAgents(agents)
                .build();
    }

    @Test
    void eachResultGetsTheRegisteredTierOfTheAgentThatAnswered() throws Exception {
        try (BroadcastOperatorTestHarness<TaskResult, AgentView, TaskResult> harness =
                ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                        new AgentTierFunction(), AgentTierFunction.TIERS)) {
            harness.processBroadcastElement(view("edge-1", Tier.EDGE, AgentEventType.REGISTER), 1);
            harness.processBroadcastElement(view("gpt", Tier.CLOUD, AgentEventType.REGISTER), 2);
            // A retired agent's answers may still be on their way: its tier is kept.
            harness.processBroadcastElement(view("gpt", Tier.CLOUD, AgentEventType.RETIRE), 3);

            harness.processElement(result("fell-back", List.of("gpt")), 4);
            harness.processElement(result("own-tier", List.of("edge-1")), 5);
            harness.processElement(result("voted", List.of("unknown", "gpt", "edge-1")), 6);
            harness.processElement(result("no-agent", List.of()), 7);
            harness.processElement(result("stranger", List.of("unknown")), 8);

            assertThat(harness.extractOutputValues())
                    .extracting(
                            TaskResult::getTaskId, TaskResult::getTier, TaskResult::getAgentTier)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("fell-back", Tier.EDGE, Tier.CLOUD),
                            org.assertj.core.groups.Tuple.tuple("own-tier", Tier.EDGE, Tier.EDGE),
                            org.assertj.core.groups.Tuple.tuple("voted", Tier.EDGE, Tier.CLOUD),
                            org.assertj.core.groups.Tuple.tuple("no-agent", Tier.EDGE, null),
                            org.assertj.core.groups.Tuple.tuple("stranger", Tier.EDGE, null));
        }
    }
}
