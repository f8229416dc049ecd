package io.hivestream.loadtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hivestream.operators.analyse.CostAwareThreshold;
import io.hivestream.operators.route.Router;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingEvaluationTest {
    private static final CostAwareThreshold.Tier EDGE = new CostAwareThreshold.Tier(0.9, 0.5, 1);
    private static final CostAwareThreshold.Tier CLOUD =
            new CostAwareThreshold.Tier(0.95, 0.05, 20);

    private static final List<RoutingEvaluation.Scored> TASKS =
            List.of(scored("easy", 0.0, 0.2), scored("hard", 1.0, 0.8));

    private static RoutingEvaluation.Scored scored(String id, double difficulty, double score) {
        Task task = Task.newBuilder().setTaskId(id).setKind("chat").setInput(id).build();
        return new RoutingEvaluation.Scored(task, difficulty, score);
    }

    private static AgentEvent agent(String id, Tier tier, double price) {
        return AgentEvent.newBuilder()
                .setAgentId(id)
                .setCapabilities(List.of("chat"))
                .setTier(tier)
                .setCostPer1kInputTokens(price)
                .setMaxConcurrency(64)
                .build();
    }

    @Test
    void alwaysOneTierAndRandomRoutingAreExactExpectations() {
        CostAwareThreshold.Point edge = RoutingEvaluation.always(TASKS, EDGE, false);
        CostAwareThreshold.Point cloud = RoutingEvaluation.always(TASKS, CLOUD, true);
        assertThat(edge.quality()).isCloseTo(0.65, within(1e-12));
        assertThat(edge.cost()).isEqualTo(1.0);
        assertThat(cloud.quality()).isCloseTo(0.925, within(1e-12));
        assertThat(cloud.cost()).isEqualTo(20.0);

        CostAwareThreshold.Point half = RoutingEvaluation.random(TASKS, 0.5, EDGE, CLOUD);
        assertThat(half.cost()).isCloseTo(10.5, within(1e-12));
        assertThat(half.quality()).isCloseTo(0.7875, within(1e-12));
        // 95% of 0.925 is 0.87875: (0.87875 - 0.65) / 0.275 of the way from EDGE to CLOUD.
        assertThat(RoutingEvaluation.randomCostAt(edge, cloud, 0.87875))
                .isCloseTo(1 + 19 * (0.22875 / 0.275), within(1e-9));
    }

    @Test
    void thresholdRoutingSendsTasksAtOrAboveItToTheCloudAgentThroughTheRouter() {
        Router router = new Router(2, Router.Policy.CHEAPEST, 10, 0.5, Map.of());
        AgentEvent edgeAgent = agent("edge", Tier.EDGE, 1);
        AgentEvent cloudAgent = agent("cloud", Tier.CLOUD, 20);

        CostAwareThreshold.Point middle =
                RoutingEvaluation.threshold(TASKS, 0.5, router, edgeAgent, EDGE, cloudAgent, CLOUD);
        assertThat(middle.cost()).isCloseTo(10.5, within(1e-12));
        assertThat(middle.quality()).isCloseTo(0.9, within(1e-12));
        assertThat(middle.cloudShare()).isEqualTo(0.5);

        CostAwareThreshold.Point none =
                RoutingEvaluation.threshold(
                        TASKS, 0.81, router, edgeAgent, EDGE, cloudAgent, CLOUD);
        assertThat(none.cloudShare()).isEqualTo(0.0);
        CostAwareThreshold.Point all =
                RoutingEvaluation.threshold(TASKS, 0.2, router, edgeAgent, EDGE, cloudAgent, CLOUD);
        assertThat(all.cloudShare()).isEqualTo(1.0);

        assertThat(CostAwareThreshold.cheapestReaching(List.of(none, middle, all), 0.95 * 0.925))
                .isEqualTo(middle);
        assertThat(CostAwareThreshold.cheapestReaching(List.of(none), 0.95 * 0.925)).isNull();
    }

    @Test
    void cascadeEscalatesExactlyTheAnswersUnderTheThreshold() {
        // EDGE always right on easy and always wrong on hard; confidence separates them fully.
        CostAwareThreshold.Tier sharp = new CostAwareThreshold.Tier(1.0, 1.0, 1);
        RoutingEvaluation.Confidence separated =
                new RoutingEvaluation.Confidence(0.9, 1.0, 0.0, 0.1);

        CostAwareThreshold.Point point =
                RoutingEvaluation.cascade(TASKS, 0.5, sharp, CLOUD, separated, 50, 7);
        assertThat(point.cloudShare()).isEqualTo(0.5);
        assertThat(point.cost()).isCloseTo((1 + 21) / 2.0, within(1e-12));
        assertThat(point.quality()).isCloseTo((1 + 0.9) / 2, within(1e-12));

        CostAwareThreshold.Point off =
                RoutingEvaluation.cascade(TASKS, 0.0, sharp, CLOUD, separated, 50, 7);
        assertThat(off.cloudShare()).isEqualTo(0.0);
        assertThat(off.quality()).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void theLearnedRouterKeepsAHealthyCheapAgentAndLeavesItOnceItFails() {
        Router router = new Router(2, Router.Policy.LEARNED, 10, 0.5, Map.of());
        List<AgentEvent> pool =
                List.of(
                        agent("a", Tier.EDGE, 0.4),
                        agent("b", Tier.EDGE, 0.5),
                        agent("c", Tier.EDGE, 0.6));
        double[] success = {1.0, 1.0, 1.0};

        RoutingEvaluation.Shift steady =
                RoutingEvaluation.degrade(router, pool, success, 1.0, 1000, 500, 1, 50, 3);
        // Thompson draws still try the others now and then: the cheap agent's success draw from
        // Beta(21, 1) falls under 0.75 about once in 400 tasks, and then another agent wins.
        assertThat(steady.shareBefore()).isGreaterThan(0.99).isLessThanOrEqualTo(1.0);
        assertThat(steady.shareAfter()).isGreaterThan(0.99).isLessThanOrEqualTo(1.0);
        assertThat(steady.tasksToLeave()).isEqualTo(-1);
        assertThat(steady.failedFirstCalls()).isZero();

        RoutingEvaluation.Shift broken =
                RoutingEvaluation.degrade(router, pool, success, 0.0, 1000, 500, 1, 50, 3);
        assertThat(broken.shareBefore()).isEqualTo(steady.shareBefore());
        assertThat(broken.tasksToLeave()).isBetween(1, 100);
        assertThat(broken.shareAfter()).isLessThan(0.10);
        assertThat(broken.windows()).hasSize(20);
    }

    @Test
    void theBestPossibleCostMixesTheCheapestChoicesThatReachTheQuality() {
        // EDGE right half the time at cost 1, CLOUD always right at cost 20; a right EDGE answer
        // is sure of itself (0.6 to 1), a wrong one is not (0 to 0.5): escalating exactly the
        // wrong ones costs 1 + 0.5 * 20 = 11 for quality 1.
        CostAwareThreshold.Tier edge = new CostAwareThreshold.Tier(0.5, 0, 1);
        CostAwareThreshold.Tier cloud = new CostAwareThreshold.Tier(1.0, 0, 20);
        RoutingEvaluation.Confidence sure = new RoutingEvaluation.Confidence(0.6, 1.0, 0.0, 0.5);
        List<RoutingEvaluation.Scored> easy = List.of(scored("a", 0, 0.1), scored("b", 0, 0.9));

        assertThat(RoutingEvaluation.cascadeExpectation(0, 0.55, edge, cloud, sure))
                .containsExactly(1.0, 11.0);
        assertThat(RoutingEvaluation.bestCostAt(easy, edge, cloud, sure, 1.0)).isEqualTo(11.0);
        // Half the way from EDGE only (0.5 at cost 1) to quality 1 at cost 11.
        assertThat(RoutingEvaluation.bestCostAt(easy, edge, cloud, sure, 0.75)).isEqualTo(6.0);
        assertThat(RoutingEvaluation.bestCostAt(easy, edge, cloud, sure, 0.5)).isEqualTo(1.0);
        assertThat(RoutingEvaluation.bestCostAt(easy, edge, cloud, sure, 1.01)).isNaN();
    }
}
