package io.hivestream.operators.route;

import static io.hivestream.operators.testing.TestRecords.agent;
import static io.hivestream.operators.testing.TestRecords.analysis;
import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.AgentEventType;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.AgentView;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;

class EscalationTest {
    private static final AgentEvent EDGE = agent("edge", List.of("chat")).build();
    private static final AgentEvent EDGE_OTHER_SKILL = agent("edge-math", List.of("math")).build();
    private static final AgentEvent CLOUD_CHEAP = cloud("cloud-cheap", 0.001).build();
    private static final AgentEvent CLOUD_MID_B = cloud("cloud-mid-b", 0.01).build();
    private static final AgentEvent CLOUD_MID_A = cloud("cloud-mid-a", 0.01).build();
    private static final AgentEvent CLOUD_DEAR = cloud("cloud-dear", 0.1).build();
    private static final AgentEvent CLOUD_OTHER_TENANT =
            cloud("cloud-globex", 0.0001).setTenants(List.of("globex")).build();
    private static final AgentEvent CLOUD_OTHER_SKILL =
            cloud("cloud-math", 0.0001).setCapabilities(List.of("math")).build();

    private static final List<AgentEvent> REGISTRY =
            List.of(
                    EDGE,
                    EDGE_OTHER_SKILL,
                    CLOUD_DEAR,
                    CLOUD_MID_B,
                    CLOUD_OTHER_TENANT,
                    CLOUD_CHEAP,
                    CLOUD_OTHER_SKILL,
                    CLOUD_MID_A);

    private static AgentEvent.Builder cloud(String id, double costPer1k) {
        return agent(id, List.of("chat")).setTier(Tier.CLOUD).setCostPer1kInputTokens(costPer1k);
    }

    private static AnalyzedTask chat(Map<String, String> metadata) {
        return analyzed(task("t-1", "chat", "Hi").setMetadata(metadata).build(), 1, 1);
    }

    @Test
    void anEdgeChainOfASingleAgentTaskGetsTheCheapestEligibleCloudAgents() {
        Escalation escalation = new Escalation(0.5, 3);

        assertThat(escalation.chain(chat(Map.of()), List.of(EDGE), REGISTRY))
                .containsExactly(CLOUD_CHEAP, CLOUD_MID_A, CLOUD_MID_B);
        assertThat(new Escalation(0.5, 1).chain(chat(Map.of()), List.of(EDGE), REGISTRY))
                .containsExactly(CLOUD_CHEAP);
    }

    @Test
    void votesChainsWithoutEdgeAgentsAndTasksThatSwitchItOffDoNotCascade() {
        Escalation escalation = new Escalation(0.5, 3);
        AnalyzedTask vote =
                analyzed(
                        task("t-2", "chat", "Hi").setReplicas(3).build(),
                        analysis(Tier.EDGE, 3, 2, List.of("chat")));

        assertThat(escalation.chain(vote, List.of(EDGE), REGISTRY)).isEmpty();
        assertThat(escalation.chain(chat(Map.of()), List.of(CLOUD_MID_A), REGISTRY)).isEmpty();
        assertThat(escalation.chain(chat(Map.of("cascadeThreshold", "0")), List.of(EDGE), REGISTRY))
                .isEmpty();
        assertThat(Escalation.off().chain(chat(Map.of()), List.of(EDGE), REGISTRY)).isEmpty();
        assertThat(escalation.chain(chat(Map.of()), List.of(EDGE), List.of(EDGE))).isEmpty();
    }

    @Test
    void aTaskMayChangeTheThresholdWithinZeroAndOne() {
        Escalation escalation = new Escalation(0.5, 2);

        assertThat(escalation.threshold(chat(Map.of()))).isEqualTo(0.5);
        assertThat(escalation.threshold(chat(Map.of("cascadeThreshold", " 0.8 ")))).isEqualTo(0.8);
        assertThat(Escalation.off().threshold(chat(Map.of("cascadeThreshold", "0.3"))))
                .isEqualTo(0.0);
        assertThat(Escalation.problems(Map.of("cascadeThreshold", "1"))).isEmpty();
        assertThat(Escalation.problems(Map.of("cascadeThreshold", "1.5")))
                .containsExactly("cascadeThreshold is '1.5'; must be a number in [0, 1]");
        assertThat(Escalation.problems(Map.of("cascadeThreshold", "high")))
                .containsExactly("cascadeThreshold is 'high'; must be a number in [0, 1]");
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new Escalation(1.2, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cascade confidence threshold must be in [0, 1]: 1.2");
        assertThatThrownBy(() -> new Escalation(Double.NaN, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cascade confidence threshold must be in [0, 1]: NaN");
        assertThatThrownBy(() -> new Escalation(0.5, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an escalation chain needs at least 1 agent: 0");
    }

    @Test
    void theRouteStageAttachesTheEscalationChainAndThresholdToTheRequest() throws Exception {
        long now = 10_000;
        try (KeyedBroadcastOperatorTestHarness<
                        String, AnalyzedTask, AgentView, Either<CallRequest, AgentView>>
                harness =
                        RouteFunctionTest.opened(
                                new RouteFunction(
                                        new Router(1),
                                        new Escalation(0.5, 2),
                                        Duration.ofSeconds(30),
                                        Clock.fixed(Instant.ofEpochMilli(now), ZoneOffset.UTC),
                                        false),
                                null)) {
            for (AgentEvent agent : List.of(EDGE, CLOUD_DEAR, CLOUD_MID_A, CLOUD_CHEAP)) {
                harness.processBroadcastElement(Router.unobserved(registered(agent, now)), 1);
            }
            AnalyzedTask task = chat(Map.of("cascadeThreshold", "0.7"));

            harness.processElement(task, 2);

            assertThat(RouteFunctionTest.requests(harness))
                    .containsExactly(
                            CallRequest.newBuilder()
                                    .setTask(task)
                                    .setReplica(0)
                                    .setChain(
                                            List.of(
                                                    registered(EDGE, now),
                                                    registered(CLOUD_CHEAP, now)))
                                    .setEscalation(
                                            List.of(
                                                    registered(CLOUD_CHEAP, now),
                                                    registered(CLOUD_MID_A, now)))
                                    .setCascadeThreshold(0.7)
                                    .build());
        }
    }

    private static AgentEvent registered(AgentEvent agent, long at) {
        return AgentEvent.newBuilder(agent)
                .setType(AgentEventType.REGISTER)
                .setTimestamp(at)
                .build();
    }
}
