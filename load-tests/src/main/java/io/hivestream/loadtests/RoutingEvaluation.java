package io.hivestream.loadtests;

import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.CostAwareThreshold;
import io.hivestream.operators.analyse.CostAwareThreshold.Point;
import io.hivestream.operators.route.AgentStatistics;
import io.hivestream.operators.route.Router;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.CallMetric;
import io.hivestream.schemas.CallOutcome;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.AgentStats;
import io.hivestream.schemas.internal.AgentView;
import io.hivestream.schemas.internal.Analysis;
import io.hivestream.schemas.internal.AnalyzedTask;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Routing evaluated without Flink, on the same classes the job uses: how much quality each routing
 * policy buys for its cost, and how fast the learned router leaves an agent that degrades.
 *
 * <p>Tiers are modelled by {@link CostAwareThreshold.Tier}, as the simulated agents are: an agent
 * of base accuracy {@code a} and difficulty penalty {@code k} is right on a task of true difficulty
 * {@code d} with probability {@code max(0, a - k d)}. Quality is the expected share of right
 * answers, cost the expected price per task; both are exact expectations, except for the cascade
 * whose confidence draws are averaged over seeded draws.
 */
public final class RoutingEvaluation {
    private RoutingEvaluation() {}

    /** A task with its true difficulty in [0, 1] and the analyser's score. */
    public record Scored(Task task, double difficulty, double score) {}

    /**
     * The confidence a simulated EDGE agent reports: uniform in one range when it is right and in
     * another when it is wrong, as the {@code confidenceWhenRight}/{@code confidenceWhenWrong}
     * params of simulated agents do.
     */
    public record Confidence(double rightLow, double rightHigh, double wrongLow, double wrongHigh) {
        double draw(boolean right, SplittableRandom random) {
            return right
                    ? rightLow + (rightHigh - rightLow) * random.nextDouble()
                    : wrongLow + (wrongHigh - wrongLow) * random.nextDouble();
        }
    }

    /** Sends every task to one tier. */
    public static Point always(List<Scored> tasks, CostAwareThreshold.Tier tier, boolean cloud) {
        double quality = 0;
        for (Scored task : tasks) {
            quality += tier.accuracy(task.difficulty());
        }
        return new Point(cloud ? 1 : 0, tier.cost(), quality / tasks.size(), cloud ? 1 : 0);
    }

    /**
     * Sends a task to CLOUD when the analyser's score reaches the threshold, as the job's analyse
     * and route stages do: the threshold sets the analysed tier, the router prefers agents of it.
     */
    public static Point threshold(
            List<Scored> tasks,
            double threshold,
            Router router,
            AgentEvent edgeAgent,
            CostAwareThreshold.Tier edge,
            AgentEvent cloudAgent,
            CostAwareThreshold.Tier cloud) {
        double cost = 0;
        double quality = 0;
        int toCloud = 0;
        List<AgentEvent> registry = List.of(edgeAgent, cloudAgent);
        for (Scored task : tasks) {
            Tier tier = task.score() >= threshold ? Tier.CLOUD : Tier.EDGE;
            Router.Route route = router.route(analysed(task.task(), task.score(), tier), registry);
            if (!route.routed()) {
                throw new IllegalStateException(route.problem());
            }
            boolean toCloudAgent = route.chains().get(0).get(0).getTier() == Tier.CLOUD;
            CostAwareThreshold.Tier model = toCloudAgent ? cloud : edge;
            cost += model.cost();
            quality += model.accuracy(task.difficulty());
            toCloud += toCloudAgent ? 1 : 0;
        }
        int n = tasks.size();
        return new Point(threshold, cost / n, quality / n, (double) toCloud / n);
    }

    /**
     * Sends a share of the tasks, chosen at random, to CLOUD: a straight line between the tiers.
     */
    public static Point random(
            List<Scored> tasks,
            double cloudShare,
            CostAwareThreshold.Tier edge,
            CostAwareThreshold.Tier cloud) {
        Point e = always(tasks, edge, false);
        Point c = always(tasks, cloud, true);
        return new Point(
                cloudShare,
                e.cost() + cloudShare * (c.cost() - e.cost()),
                e.quality() + cloudShare * (c.quality() - e.quality()),
                cloudShare);
    }

    /**
     * Asks EDGE first and escalates to CLOUD when its confidence is under the threshold, as the
     * execute stage's cascade does; the EDGE call is paid either way.
     */
    public static Point cascade(
            List<Scored> tasks,
            double threshold,
            CostAwareThreshold.Tier edge,
            CostAwareThreshold.Tier cloud,
            Confidence confidence,
            int draws,
            long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double cost = 0;
        double quality = 0;
        long escalated = 0;
        for (Scored task : tasks) {
            double edgeRight = edge.accuracy(task.difficulty());
            double cloudRight = cloud.accuracy(task.difficulty());
            for (int i = 0; i < draws; i++) {
                boolean right = random.nextDouble() < edgeRight;
                if (confidence.draw(right, random) < threshold) {
                    escalated++;
                    cost += edge.cost() + cloud.cost();
                    quality += cloudRight;
                } else {
                    cost += edge.cost();
                    quality += right ? 1 : 0;
                }
            }
        }
        double n = (double) tasks.size() * draws;
        return new Point(threshold, cost / n, quality / n, escalated / n);
    }

    /**
     * The expected quality and cost of one task of difficulty {@code d} asked of EDGE first and
     * escalated to CLOUD when the EDGE confidence is under {@code threshold}: the cascade's
     * expectation in closed form, the confidence uniform in its range.
     */
    static double[] cascadeExpectation(
            double d,
            double threshold,
            CostAwareThreshold.Tier edge,
            CostAwareThreshold.Tier cloud,
            Confidence confidence) {
        double edgeRight = edge.accuracy(d);
        double rightBelow = share(confidence.rightLow(), confidence.rightHigh(), threshold);
        double wrongBelow = share(confidence.wrongLow(), confidence.wrongHigh(), threshold);
        double escalated = edgeRight * rightBelow + (1 - edgeRight) * wrongBelow;
        return new double[] {
            edgeRight * (1 - rightBelow) + escalated * cloud.accuracy(d),
            edge.cost() + escalated * cloud.cost()
        };
    }

    private static double share(double low, double high, double threshold) {
        return Math.max(0, Math.min(1, (threshold - low) / (high - low)));
    }

    /**
     * The least expected cost per task at which any routing policy reaches {@code quality} on these
     * tasks when it knows each task's true difficulty (a perfect analyser) and sees the EDGE
     * answer's confidence: per task, EDGE only, CLOUD only, or the cascade at any confidence
     * threshold (steps of 0.01), chosen to trade cost for quality at one rate for every task (rates
     * in steps of 0.01), and mixed at random between two such choices to land on the quality
     * exactly. No analyser and no cascade setting can do better under these tiers; NaN when the
     * quality is out of reach.
     */
    public static double bestCostAt(
            List<Scored> tasks,
            CostAwareThreshold.Tier edge,
            CostAwareThreshold.Tier cloud,
            Confidence confidence,
            double quality) {
        // The options of each task: the cascade at thresholds 0 (EDGE only) to 1, and CLOUD only.
        List<double[][]> options = new ArrayList<>(tasks.size());
        for (Scored task : tasks) {
            double[][] choices = new double[102][];
            for (int i = 0; i <= 100; i++) {
                choices[i] =
                        cascadeExpectation(task.difficulty(), i / 100.0, edge, cloud, confidence);
            }
            choices[101] = new double[] {cloud.accuracy(task.difficulty()), cloud.cost()};
            options.add(choices);
        }
        // For a rate r of cost per unit of quality, each task takes the choice of least cost - r *
        // quality: a point of the lower convex hull of (quality, cost). Raise r until the quality
        // is reached, then mix with the point before.
        double[] before = null;
        for (double rate = 0; rate <= 10 * cloud.cost() / Math.max(1e-9, cloud.accuracy(0)); ) {
            double q = 0;
            double c = 0;
            for (double[][] choices : options) {
                double[] chosen = choices[0];
                for (double[] choice : choices) {
                    if (choice[1] - rate * choice[0] < chosen[1] - rate * chosen[0]) {
                        chosen = choice;
                    }
                }
                q += chosen[0];
                c += chosen[1];
            }
            double[] point = {q / tasks.size(), c / tasks.size()};
            if (point[0] >= quality) {
                if (before == null || point[0] == before[0]) {
                    return point[1];
                }
                double mix = (quality - before[0]) / (point[0] - before[0]);
                return before[1] + mix * (point[1] - before[1]);
            }
            before = point;
            rate += 0.01;
        }
        return Double.NaN;
    }

    /** The random policy's cost at a quality: where its straight line reaches it. */
    public static double randomCostAt(Point edge, Point cloud, double quality) {
        double share = (quality - edge.quality()) / (cloud.quality() - edge.quality());
        share = Math.max(0, Math.min(1, share));
        return edge.cost() + share * (cloud.cost() - edge.cost());
    }

    /** What the learned router did when its cheapest agent degraded. */
    public record Shift(
            int degradeAt,
            double shareBefore,
            int tasksToLeave,
            double shareAfter,
            long failedFirstCalls,
            List<Double> windows) {}

    /**
     * Routes {@code tasks} single-agent EDGE tasks over {@code agents} (all EDGE, same capability)
     * with the learned router, each call succeeding with its agent's success rate; from task {@code
     * degradeAt} on, the first agent's success rate falls to {@code degradedSuccess}. A failed call
     * falls back along the chain as the execute stage does, and every attempt is counted in the
     * agents' statistics; the router sees the statistics as they were at the last refresh, every
     * {@code refreshEvery} tasks (the job publishes them at most once per stats interval).
     *
     * @return the first agent's share of primary choices in windows of {@code window} tasks, before
     *     the degradation, how many tasks after it until a window's share is under 10%, and over
     *     the last quarter of the run
     */
    public static Shift degrade(
            Router router,
            List<AgentEvent> agents,
            double[] success,
            double degradedSuccess,
            int tasks,
            int degradeAt,
            int refreshEvery,
            int window,
            long seed) {
        AgentStatistics statistics = new AgentStatistics();
        Map<String, AgentStats> live = new LinkedHashMap<>();
        for (AgentEvent agent : agents) {
            live.put(agent.getAgentId(), AgentStatistics.empty());
        }
        List<AgentView> seen = views(agents, live);
        SplittableRandom outcomes = new SplittableRandom(seed);
        String watched = agents.get(0).getAgentId();
        List<Double> windows = new ArrayList<>();
        int inWindow = 0;
        long failedFirst = 0;
        long clock = 0;
        for (int i = 0; i < tasks; i++) {
            if (i % refreshEvery == 0) {
                seen = views(agents, live);
            }
            clock += 10;
            String taskId = "eval-" + i;
            AnalyzedTask task =
                    analysed(
                            Task.newBuilder().setTaskId(taskId).setInput("q").build(),
                            0.1,
                            Tier.EDGE);
            Router.Route route = router.route(task, seen, Router.randomFor(taskId, seed), clock);
            List<AgentEvent> chain = route.chains().get(0);
            if (chain.get(0).getAgentId().equals(watched)) {
                inWindow++;
            }
            for (int attempt = 0; attempt < chain.size(); attempt++) {
                AgentEvent agent = chain.get(attempt);
                int index = agents.indexOf(agent);
                double p = index == 0 && i >= degradeAt ? degradedSuccess : success[index];
                boolean ok = outcomes.nextDouble() < p;
                CallMetric call =
                        CallMetric.newBuilder()
                                .setOutcome(ok ? CallOutcome.SUCCESS : CallOutcome.ERROR)
                                .setLatencyMs(100)
                                .build();
                live.put(
                        agent.getAgentId(),
                        statistics.onCall(live.get(agent.getAgentId()), call, clock));
                if (ok) {
                    break;
                }
                if (attempt == 0) {
                    failedFirst++;
                }
            }
            if ((i + 1) % window == 0) {
                windows.add((double) inWindow / window);
                inWindow = 0;
            }
        }
        int before = degradeAt / window;
        double shareBefore = mean(windows.subList(0, before));
        int tasksToLeave = -1;
        for (int w = before; w < windows.size(); w++) {
            if (windows.get(w) < 0.10) {
                tasksToLeave = (w + 1) * window - degradeAt;
                break;
            }
        }
        double shareAfter =
                mean(windows.subList(windows.size() - windows.size() / 4, windows.size()));
        return new Shift(degradeAt, shareBefore, tasksToLeave, shareAfter, failedFirst, windows);
    }

    private static List<AgentView> views(List<AgentEvent> agents, Map<String, AgentStats> stats) {
        List<AgentView> views = new ArrayList<>(agents.size());
        for (AgentEvent agent : agents) {
            views.add(
                    AgentView.newBuilder()
                            .setAgent(agent)
                            .setStats(stats.get(agent.getAgentId()))
                            .build());
        }
        return views;
    }

    private static double mean(List<Double> values) {
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        return values.isEmpty() ? 0 : sum / values.size();
    }

    static AnalyzedTask analysed(Task task, double score, Tier tier) {
        List<String> capabilities = List.copyOf(AnalysisPolicy.capabilitiesAsked(task));
        return AnalyzedTask.newBuilder()
                .setTask(task)
                .setAnalysis(
                        Analysis.newBuilder()
                                .setComplexity(score)
                                .setTier(tier)
                                .setStrategy(Strategy.DIRECT)
                                .setReplicas(1)
                                .setQuorum(1)
                                .setCapabilities(capabilities)
                                .build())
                .setAdmittedAt(0)
                .build();
    }
}
