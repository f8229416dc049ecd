package io.hivestream.operators.route;

import static io.hivestream.operators.testing.TestRecords.analysis;
import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.operators.testing.TestRecords;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.AnalyzedTask;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static AnalyzedTask needing(Tier tier, int replicas, String... capabilities) {
        return analyzed(
                task("t-1", "chat", "Hi").build(),
                analysis(tier, replicas, replicas / 2 + 1, List.of(capabilities)));
    }

    private static AgentEvent agent(String id, Tier tier, double cost, String... capabilities) {
        return TestRecords.agent(id, List.of(capabilities))
                .setTier(tier)
                .setCostPer1kInputTokens(cost)
                .setCostPer1kOutputTokens(cost)
                .build();
    }

    private static List<String> ids(List<AgentEvent> agents) {
        return agents.stream().map(AgentEvent::getAgentId).toList();
    }

    @Test
    void anAgentMustOfferEveryRequiredCapability() {
        AnalyzedTask task = needing(Tier.EDGE, 1, "chat", "french");

        assertThat(Router.eligible(agent("both", Tier.EDGE, 0, "french", "chat", "code"), task))
                .isTrue();
        assertThat(Router.eligible(agent("one", Tier.EDGE, 0, "chat"), task)).isFalse();
    }

    @Test
    void anAgentWithTenantsServesOnlyThose() {
        AnalyzedTask forAcme =
                analyzed(
                        task("t-1", "chat", "Hi").setTenant("acme").build(),
                        analysis(Tier.EDGE, 1, 1, List.of("chat")));
        AgentEvent everyone = agent("everyone", Tier.EDGE, 0, "chat");
        AgentEvent acme =
                AgentEvent.newBuilder(agent("acme", Tier.EDGE, 0, "chat"))
                        .setTenants(List.of("globex", "acme"))
                        .build();
        AgentEvent globex =
                AgentEvent.newBuilder(agent("globex", Tier.EDGE, 0, "chat"))
                        .setTenants(List.of("globex"))
                        .build();

        assertThat(Router.eligible(everyone, forAcme)).isTrue();
        assertThat(Router.eligible(acme, forAcme)).isTrue();
        assertThat(Router.eligible(globex, forAcme)).isFalse();
    }

    @Test
    void agentsRankByPreferredTierThenCostThenId() {
        List<AgentEvent> agents =
                List.of(
                        agent("cloud-cheap", Tier.CLOUD, 0.0, "chat"),
                        agent("edge-b", Tier.EDGE, 0.5, "chat"),
                        agent("edge-pricey", Tier.EDGE, 2.0, "chat"),
                        agent("edge-a", Tier.EDGE, 0.5, "chat"),
                        agent("cloud-pricey", Tier.CLOUD, 3.0, "chat"),
                        agent("unable", Tier.EDGE, 0.0, "code"));

        assertThat(ids(new Router().ranked(needing(Tier.EDGE, 1, "chat"), agents)))
                .containsExactly("edge-a", "edge-b", "edge-pricey", "cloud-cheap", "cloud-pricey");
        assertThat(ids(new Router().ranked(needing(Tier.CLOUD, 1, "chat"), agents)))
                .containsExactly("cloud-cheap", "cloud-pricey", "edge-a", "edge-b", "edge-pricey");
    }

    @Test
    void costIsTheSumOfInputAndOutputPrices() {
        AgentEvent inputHeavy =
                AgentEvent.newBuilder(agent("a", Tier.EDGE, 0, "chat"))
                        .setCostPer1kInputTokens(3.0)
                        .setCostPer1kOutputTokens(0.0)
                        .build();
        AgentEvent balanced =
                AgentEvent.newBuilder(agent("b", Tier.EDGE, 0, "chat"))
                        .setCostPer1kInputTokens(1.0)
                        .setCostPer1kOutputTokens(1.0)
                        .build();

        assertThat(
                        ids(
                                new Router()
                                        .ranked(
                                                needing(Tier.EDGE, 1, "chat"),
                                                List.of(inputHeavy, balanced))))
                .containsExactly("b", "a");
    }

    @Test
    void oneReplicaGetsThePrimaryAndUpToMaxFallbacksSpares() {
        List<AgentEvent> agents =
                List.of(
                        agent("d", Tier.EDGE, 4, "chat"),
                        agent("a", Tier.EDGE, 1, "chat"),
                        agent("c", Tier.EDGE, 3, "chat"),
                        agent("b", Tier.EDGE, 2, "chat"));

        Router.Route route = new Router(2).route(needing(Tier.EDGE, 1, "chat"), agents);

        assertThat(route.routed()).isTrue();
        assertThat(route.problem()).isNull();
        assertThat(route.chains()).hasSize(1);
        assertThat(ids(route.chains().get(0))).containsExactly("a", "b", "c");
    }

    @Test
    void threeReplicasGetDistinctPrimariesAndShareTheSpares() {
        List<AgentEvent> agents =
                List.of(
                        agent("a", Tier.EDGE, 1, "chat"),
                        agent("b", Tier.EDGE, 2, "chat"),
                        agent("c", Tier.EDGE, 3, "chat"),
                        agent("d", Tier.EDGE, 4, "chat"),
                        agent("e", Tier.EDGE, 5, "chat"),
                        agent("f", Tier.EDGE, 6, "chat"));

        Router.Route route = new Router(2).route(needing(Tier.EDGE, 3, "chat"), agents);

        assertThat(route.chains())
                .extracting(RouterTest::ids)
                .containsExactly(
                        List.of("a", "d", "e"), List.of("b", "d", "e"), List.of("c", "d", "e"));
    }

    @Test
    void withoutSparesEachChainIsItsPrimary() {
        List<AgentEvent> agents =
                List.of(
                        agent("a", Tier.EDGE, 1, "chat"),
                        agent("b", Tier.EDGE, 2, "chat"),
                        agent("c", Tier.EDGE, 3, "chat"));

        assertThat(new Router(2).route(needing(Tier.EDGE, 3, "chat"), agents).chains())
                .extracting(RouterTest::ids)
                .containsExactly(List.of("a"), List.of("b"), List.of("c"));
        assertThat(new Router(0).route(needing(Tier.EDGE, 1, "chat"), agents).chains())
                .extracting(RouterTest::ids)
                .containsExactly(List.of("a"));
    }

    @Test
    void tooFewAgentsForOneReplicaIsAProblem() {
        Router.Route route =
                new Router()
                        .route(
                                needing(Tier.EDGE, 1, "math"),
                                List.of(agent("a", Tier.EDGE, 0, "chat")));

        assertThat(route.routed()).isFalse();
        assertThat(route.chains()).isEmpty();
        assertThat(route.problem())
                .isEqualTo(
                        "needs an agent with capabilities [math] for tenant 'default'; 0"
                                + " registered");
    }

    @Test
    void tooFewAgentsForThreeReplicasIsAProblem() {
        AnalyzedTask task =
                analyzed(
                        task("t-1", "classify", "Hi").setTenant("acme").build(),
                        analysis(Tier.EDGE, 3, 2, List.of("classify", "french")));
        List<AgentEvent> agents =
                List.of(
                        agent("a", Tier.EDGE, 0, "classify", "french"),
                        agent("b", Tier.CLOUD, 0, "classify", "french"),
                        agent("c", Tier.EDGE, 0, "classify"));

        Router.Route route = new Router().route(task, agents);

        assertThat(route.problem())
                .isEqualTo(
                        "needs 3 distinct agents with capabilities [classify, french] for tenant"
                                + " 'acme'; 2 registered");
    }

    @Test
    void maxFallbacksMustNotBeNegative() {
        assertThatThrownBy(() -> new Router(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxFallbacks must not be negative");
    }
}
