package io.hivestream.operators.route;

import static io.hivestream.operators.testing.TestRecords.analysis;
import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.operators.testing.TestRecords;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.AgentStats;
import io.hivestream.schemas.internal.AgentView;
import io.hivestream.schemas.internal.AnalyzedTask;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The learned policy: routing decisions under given registries and statistics. */
class LearnedRoutingTest {
    private static final long NOW = 1_000_000;

    private static AnalyzedTask chat(String taskId, Map<String, String> metadata) {
        return analyzed(
                task(taskId, "chat", "Hi").setMetadata(metadata).build(),
                analysis(Tier.EDGE, 1, 1, List.of("chat")));
    }

    private static AgentEvent agent(String id, double price) {
        return TestRecords.agent(id, List.of("chat"))
                .setCostPer1kInputTokens(price)
                .setCostPer1kOutputTokens(0)
                .setMaxConcurrency(10)
                .build();
    }

    private static AgentStats calls(double successes, double failures, double latencyMs) {
        return AgentStats.newBuilder()
                .setSuccesses(successes)
                .setFailures(failures)
                .setCalls(Math.round(successes + failures))
                .setLatencyMs(latencyMs)
                .build();
    }

    private static AgentView view(AgentEvent agent, AgentStats stats) {
        return AgentView.newBuilder().setAgent(agent).setStats(stats).build();
    }

    private static List<String> primaries(Router router, AnalyzedTask task, List<AgentView> views) {
        return router.ranked(task, views, new SplittableRandom(1), NOW).stream()
                .map(c -> c.agent().getAgentId())
                .toList();
    }

    @Test
    void withoutObservationsTheCheaperAgentThenTheIdComeFirst() {
        List<AgentView> views =
                List.of(
                        view(agent("b", 0.2), AgentStatistics.empty()),
                        view(agent("c", 0.1), AgentStatistics.empty()),
                        view(agent("a", 0.2), AgentStatistics.empty()));

        assertThat(primaries(new Router(), chat("t-1", Map.of()), views))
                .containsExactly("c", "a", "b");
    }

    @Test
    void anAgentBelowTheMinimumOfObservationsCountsAsUnknown() {
        // Nine failures are not yet ten observations: the cheaper agent still comes first.
        List<AgentView> views =
                List.of(
                        view(agent("cheap", 0.1), calls(0, 9, 10)),
                        view(agent("pricey", 1.0), calls(9, 0, 10)));

        assertThat(primaries(new Router(), chat("t-1", Map.of()), views))
                .containsExactly("cheap", "pricey");
    }

    @Test
    void thePreferenceTradesQualityAgainstCost() {
        // cheap succeeds 60% of the time at a tenth of the price of good, which succeeds 99%.
        List<AgentView> views =
                List.of(
                        view(agent("cheap", 0.1), calls(600, 400, 100)),
                        view(agent("good", 1.0), calls(990, 10, 100)));
        Router router = new Router();

        assertThat(primaries(router, chat("t-1", Map.of()), views))
                .containsExactly("cheap", "good");
        assertThat(primaries(router, chat("t-1", Map.of("preference", "quality")), views))
                .containsExactly("good", "cheap");
        assertThat(primaries(router, chat("t-1", Map.of("preference", "cost")), views))
                .containsExactly("cheap", "good");
        assertThat(primaries(router, chat("t-1", Map.of("preference", "0.75")), views))
                .containsExactly("good", "cheap");
    }

    @Test
    void aTenantsPreferenceAppliesUnlessTheTaskNamesItsOwn() {
        List<AgentView> views =
                List.of(
                        view(agent("cheap", 0.1), calls(600, 400, 100)),
                        view(agent("good", 1.0), calls(990, 10, 100)));
        Router router = new Router(2, Router.Policy.LEARNED, 10, 0.5, Map.of("acme", "quality"));
        AnalyzedTask acme =
                analyzed(
                        task("t-1", "chat", "Hi").setTenant("acme").build(),
                        analysis(Tier.EDGE, 1, 1, List.of("chat")));
        AnalyzedTask acmeSaving =
                analyzed(
                        task("t-2", "chat", "Hi")
                                .setTenant("acme")
                                .setMetadata(Map.of("preference", "cost"))
                                .build(),
                        analysis(Tier.EDGE, 1, 1, List.of("chat")));

        assertThat(primaries(router, acme, views)).containsExactly("good", "cheap");
        assertThat(primaries(router, acmeSaving, views)).containsExactly("cheap", "good");
        assertThat(primaries(router, chat("t-3", Map.of()), views))
                .containsExactly("cheap", "good");
    }

    @Test
    void theCheapestPolicyIgnoresWhatWasLearned() {
        List<AgentView> views =
                List.of(
                        view(agent("cheap", 0.1), calls(0, 1000, 100)),
                        view(agent("good", 1.0), calls(1000, 0, 100)));
        Router router = new Router(2, Router.Policy.CHEAPEST, 10, 0.9, Map.of());

        assertThat(primaries(router, chat("t-1", Map.of()), views))
                .containsExactly("cheap", "good");
    }

    @Test
    void aSlowerAgentLosesToAnEquallyGoodFasterOne() {
        List<AgentView> views =
                List.of(
                        view(agent("a-slow", 0.1), calls(1000, 0, 2000)),
                        view(agent("b-fast", 0.1), calls(1000, 0, 100)));

        assertThat(primaries(new Router(), chat("t-1", Map.of()), views))
                .containsExactly("b-fast", "a-slow");
    }

    @Test
    void anAgentPastHalfItsConcurrencyLosesToAnIdleOne() {
        // 600 calls in the last moment at 1 s each: about 10 in flight, its maxConcurrency.
        AgentStats busy =
                AgentStats.newBuilder(calls(1000, 0, 1000))
                        .setRecentCalls(600)
                        .setRecentAt(NOW)
                        .build();
        AgentStats idle = calls(1000, 0, 1000);
        List<AgentView> views =
                List.of(view(agent("a-busy", 0.1), busy), view(agent("b-idle", 0.1), idle));

        assertThat(AgentStatistics.inFlight(busy, NOW)).isEqualTo(10.0);
        assertThat(primaries(new Router(), chat("t-1", Map.of()), views))
                .containsExactly("b-idle", "a-busy");
    }

    @Test
    void anAgentOutOfTheRotationIsNotEligible() {
        AgentStats expired = AgentStats.newBuilder().setHealthy(false).build();
        List<AgentView> views =
                List.of(
                        view(agent("a", 0.1), expired),
                        view(agent("b", 0.2), AgentStatistics.empty()));

        Router.Route route =
                new Router().route(chat("t-1", Map.of()), views, new SplittableRandom(1), NOW);

        assertThat(route.chains()).hasSize(1);
        assertThat(route.chains().get(0)).extracting(AgentEvent::getAgentId).containsExactly("b");
    }

    @Test
    void thompsonSamplingExploresAndADegradedAgentLosesTraffic() {
        AgentEvent a = agent("a", 0.1);
        AgentEvent b = agent("b", 0.1);
        Router router = new Router();

        // Both agents have done equally well: the draws share the traffic.
        int[] even =
                primaryCounts(
                        router, List.of(view(a, calls(18, 2, 100)), view(b, calls(18, 2, 100))));
        // Then a degrades: recent failures outweigh its decayed successes.
        int[] degraded =
                primaryCounts(
                        router, List.of(view(a, calls(8, 8, 100)), view(b, calls(18, 2, 100))));

        assertThat(even).containsExactly(549, 451);
        assertThat(degraded).containsExactly(6, 994);
    }

    /** How often each of the two agents is the primary over 1000 tasks, seeded per task. */
    private static int[] primaryCounts(Router router, List<AgentView> views) {
        int[] counts = new int[2];
        for (int i = 0; i < 1000; i++) {
            AnalyzedTask task = chat("t-" + i, Map.of());
            Router.Route route = router.route(task, views, Router.randomFor("t-" + i, 42), NOW);
            counts[route.chains().get(0).get(0).getAgentId().equals("a") ? 0 : 1]++;
        }
        return counts;
    }

    @Test
    void theSameTaskAndSeedRouteTheSameWay() {
        List<AgentView> views =
                List.of(
                        view(agent("a", 0.1), calls(10, 10, 100)),
                        view(agent("b", 0.1), calls(10, 10, 100)),
                        view(agent("c", 0.1), calls(10, 10, 100)));
        Router router = new Router();

        for (int i = 0; i < 50; i++) {
            AnalyzedTask task = chat("t-" + i, Map.of());
            assertThat(router.route(task, views, Router.randomFor("t-" + i, 7), NOW))
                    .isEqualTo(router.route(task, views, Router.randomFor("t-" + i, 7), NOW));
        }
    }

    @Test
    void badPreferencesAreRefused() {
        assertThatThrownBy(() -> new Router(2, Router.Policy.LEARNED, 10, 0.5, Map.of("acme", "2")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "preference of tenant 'acme': '2' is not quality, balanced, cost or a"
                                + " number in [0, 1]");
        assertThatThrownBy(() -> new Router(2, Router.Policy.LEARNED, 10, 1.5, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the default preference must be in [0, 1]: 1.5");
        Router.Route route =
                new Router()
                        .route(
                                chat("t-1", Map.of("preference", "best")),
                                List.of(view(agent("a", 0.1), AgentStatistics.empty())),
                                new SplittableRandom(1),
                                NOW);
        assertThat(route.problem())
                .isEqualTo(
                        "metadata preference: 'best' is not quality, balanced, cost or a number"
                                + " in [0, 1]");
    }
}
