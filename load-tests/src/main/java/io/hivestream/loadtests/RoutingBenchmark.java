package io.hivestream.loadtests;

import static io.hivestream.operators.analyse.CostAwareThreshold.CLOUD;
import static io.hivestream.operators.analyse.CostAwareThreshold.EDGE;

import io.hivestream.connectors.analyse.LabelledPrompt;
import io.hivestream.connectors.analyse.OnnxComplexityAnalyzer;
import io.hivestream.jobs.StageSettings;
import io.hivestream.operators.analyse.AnalysisPolicy;
import io.hivestream.operators.analyse.ComplexityAnalyzer;
import io.hivestream.operators.analyse.CostAwareThreshold;
import io.hivestream.operators.analyse.UncertainBand;
import io.hivestream.operators.route.Router;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code ./load-tests/bench routing}: the cost-vs-quality curves of routing by the shipped
 * complexity model, of the cascade and of random routing against always-CLOUD, the cost saved at
 * 95% of always-CLOUD quality, and how fast the learned router moves traffic off an agent that
 * degrades. Writes report.md and cost-quality.png and prints the headline figures.
 *
 * <p>Tasks are the labelled prompts of {@code data/router/}: the true difficulty of a prompt is 1
 * when it is labelled CLOUD and 0 when labelled EDGE. The unseen set, written apart from the
 * training data, gives the headline; the training data gives a second row.
 */
public final class RoutingBenchmark {
    private RoutingBenchmark() {}

    static final RoutingEvaluation.Confidence CONFIDENCE =
            new RoutingEvaluation.Confidence(0.55, 1.0, 0.05, 0.75);
    static final double TARGET = 0.95;
    static final int DRAWS = 200;
    static final long SEED = 42;

    /** The curves of one task set. */
    record Curves(
            String name,
            int tasks,
            CostAwareThreshold.Point edge,
            CostAwareThreshold.Point cloud,
            List<CostAwareThreshold.Point> router,
            List<CostAwareThreshold.Point> cascade,
            CostAwareThreshold.Point jobDefault,
            Combined combined,
            double bestSaved) {}

    /**
     * The cheapest pair of knobs at the target: tasks scored from {@code threshold} on go straight
     * to CLOUD, the others ask EDGE first and escalate under {@code cascade}; null when none
     * reaches it.
     */
    record Combined(double threshold, double cascade, CostAwareThreshold.Point point) {}

    /** Threshold and cascade threshold on a grid of 0.05, the cheapest reaching the target. */
    static Combined combined(List<RoutingEvaluation.Scored> tasks, CostAwareThreshold.Point cloud) {
        Combined best = null;
        for (int i = 0; i <= 20; i++) {
            double threshold = i / 20.0;
            List<RoutingEvaluation.Scored> edgeTasks = new ArrayList<>();
            List<RoutingEvaluation.Scored> cloudTasks = new ArrayList<>();
            for (RoutingEvaluation.Scored task : tasks) {
                (task.score() >= threshold ? cloudTasks : edgeTasks).add(task);
            }
            for (int j = 0; j <= 20; j++) {
                double cascade = j / 20.0;
                CostAwareThreshold.Point e =
                        edgeTasks.isEmpty()
                                ? new CostAwareThreshold.Point(cascade, 0, 0, 0)
                                : RoutingEvaluation.cascade(
                                        edgeTasks, cascade, EDGE, CLOUD, CONFIDENCE, DRAWS, SEED);
                CostAwareThreshold.Point c =
                        cloudTasks.isEmpty()
                                ? new CostAwareThreshold.Point(1, 0, 0, 0)
                                : RoutingEvaluation.always(cloudTasks, CLOUD, true);
                double n = tasks.size();
                CostAwareThreshold.Point point =
                        new CostAwareThreshold.Point(
                                threshold,
                                (e.cost() * edgeTasks.size() + c.cost() * cloudTasks.size()) / n,
                                (e.quality() * edgeTasks.size() + c.quality() * cloudTasks.size())
                                        / n,
                                (e.cloudShare() * edgeTasks.size() + cloudTasks.size()) / n);
                if (point.quality() >= TARGET * cloud.quality() - 1e-12
                        && (best == null || point.cost() < best.point().cost())) {
                    best = new Combined(threshold, cascade, point);
                }
            }
        }
        return best;
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(System.getProperty("hivestream.home", ".")).toAbsolutePath();
        Path data = home.resolve("data/router");
        Path out = args.length > 0 ? Path.of(args[0]) : ReportWriter.defaultFolder("routing");
        Files.createDirectories(out);
        // The job's default analyser, or the one named after the output folder.
        String name = args.length > 1 ? args[1] : "onnx-static";
        AnalysisPolicy policy =
                new AnalysisPolicy(OnnxComplexityAnalyzer.DEFAULT_CLOUD_THRESHOLD, false, 0.85);
        ComplexityAnalyzer analyzer =
                StageSettings.complexityAnalyzer(
                        "the analyser", name, null, UncertainBand.DEFAULT, policy);
        System.out.println("analyser: " + name);
        List<RoutingEvaluation.Scored> unseen = scored(analyzer, data, List.of("unseen.jsonl"));
        List<RoutingEvaluation.Scored> elsewhere =
                scored(analyzer, data, List.of("eval-elsewhere.jsonl"));
        List<RoutingEvaluation.Scored> training =
                scored(analyzer, data, List.of("hand.jsonl", "templated.jsonl", "voices.jsonl"));
        analyzer.close();

        List<Curves> sets =
                List.of(
                        curves("unseen", unseen),
                        curves("elsewhere", elsewhere),
                        curves("training", training));

        Router learned = new Router(2, Router.Policy.LEARNED, 10, 0.5, Map.of());
        List<AgentEvent> pool =
                List.of(
                        edgeAgent("edge-a", 0.4, List.of("chat")),
                        edgeAgent("edge-b", 0.5, List.of("chat")),
                        edgeAgent("edge-c", 0.6, List.of("chat")));
        double[] success = {0.98, 0.98, 0.98};
        List<RoutingEvaluation.Shift> shifts = new ArrayList<>();
        int[] refreshes = {1, 100};
        for (int refresh : refreshes) {
            shifts.add(
                    RoutingEvaluation.degrade(
                            learned, pool, success, 0.2, 6000, 2000, refresh, 50, SEED));
        }

        String chart = chart(out, sets.get(0));
        String report = report(sets, shifts, refreshes, chart);
        Files.writeString(out.resolve("report.md"), report);
        System.out.println("report: " + out.resolve("report.md"));
        for (String line : headlines(sets.get(0), shifts, refreshes)) {
            System.out.println(line);
        }
    }

    static Curves curves(String name, List<RoutingEvaluation.Scored> tasks) {
        TreeSet<String> kinds = new TreeSet<>();
        for (RoutingEvaluation.Scored task : tasks) {
            kinds.addAll(task.task().getCapabilities());
            kinds.add(task.task().getKind());
        }
        List<String> capabilities = List.copyOf(kinds);
        AgentEvent edgeAgent = edgeAgent("edge", EDGE.cost(), capabilities);
        AgentEvent cloudAgent =
                AgentEvent.newBuilder(edgeAgent)
                        .setAgentId("cloud")
                        .setTier(Tier.CLOUD)
                        .setCostPer1kInputTokens(CLOUD.cost())
                        .build();
        Router router = new Router(2, Router.Policy.CHEAPEST, 10, 0.5, Map.of());
        List<CostAwareThreshold.Point> byThreshold = new ArrayList<>();
        List<CostAwareThreshold.Point> byConfidence = new ArrayList<>();
        for (double t : CostAwareThreshold.thresholds()) {
            byThreshold.add(
                    RoutingEvaluation.threshold(
                            tasks, t, router, edgeAgent, EDGE, cloudAgent, CLOUD));
            byConfidence.add(
                    RoutingEvaluation.cascade(tasks, t, EDGE, CLOUD, CONFIDENCE, DRAWS, SEED));
        }
        // What the job does by default: the model's threshold, then the cascade on EDGE answers.
        CostAwareThreshold.Point routed =
                RoutingEvaluation.threshold(
                        tasks,
                        OnnxComplexityAnalyzer.DEFAULT_CLOUD_THRESHOLD,
                        router,
                        edgeAgent,
                        EDGE,
                        cloudAgent,
                        CLOUD);
        List<RoutingEvaluation.Scored> edgeTasks = new ArrayList<>();
        List<RoutingEvaluation.Scored> cloudTasks = new ArrayList<>();
        for (RoutingEvaluation.Scored task : tasks) {
            (task.score() >= OnnxComplexityAnalyzer.DEFAULT_CLOUD_THRESHOLD
                            ? cloudTasks
                            : edgeTasks)
                    .add(task);
        }
        CostAwareThreshold.Point cascaded =
                edgeTasks.isEmpty()
                        ? new CostAwareThreshold.Point(0.5, 0, 0, 0)
                        : RoutingEvaluation.cascade(
                                edgeTasks, 0.5, EDGE, CLOUD, CONFIDENCE, DRAWS, SEED);
        CostAwareThreshold.Point direct =
                cloudTasks.isEmpty()
                        ? new CostAwareThreshold.Point(1, 0, 0, 0)
                        : RoutingEvaluation.always(cloudTasks, CLOUD, true);
        double e = edgeTasks.size();
        double c = cloudTasks.size();
        double n = tasks.size();
        CostAwareThreshold.Point jobDefault =
                new CostAwareThreshold.Point(
                        0.5,
                        (cascaded.cost() * e + direct.cost() * c) / n,
                        (cascaded.quality() * e + direct.quality() * c) / n,
                        (cascaded.cloudShare() * e + c) / n);
        if (routed.cloudShare() != c / n) {
            throw new IllegalStateException("the router did not follow the analysed tier");
        }
        return new Curves(
                name,
                tasks.size(),
                RoutingEvaluation.always(tasks, EDGE, false),
                RoutingEvaluation.always(tasks, CLOUD, true),
                byThreshold,
                byConfidence,
                jobDefault,
                combined(tasks, RoutingEvaluation.always(tasks, CLOUD, true)),
                bestSaved(tasks));
    }

    /**
     * Cost saved at the target by the best policy possible under the simulated tiers: true
     * difficulty known, EDGE confidence seen ({@link RoutingEvaluation#bestCostAt}).
     */
    static double bestSaved(List<RoutingEvaluation.Scored> tasks) {
        CostAwareThreshold.Point cloud = RoutingEvaluation.always(tasks, CLOUD, true);
        double cost =
                RoutingEvaluation.bestCostAt(
                        tasks, EDGE, CLOUD, CONFIDENCE, TARGET * cloud.quality());
        return 1 - cost / cloud.cost();
    }

    static AgentEvent edgeAgent(String id, double price, List<String> capabilities) {
        return AgentEvent.newBuilder()
                .setAgentId(id)
                .setCapabilities(capabilities)
                .setTier(Tier.EDGE)
                .setCostPer1kInputTokens(price)
                .setMaxConcurrency(64)
                .build();
    }

    static List<RoutingEvaluation.Scored> scored(
            ComplexityAnalyzer analyzer, Path data, List<String> files) throws IOException {
        List<RoutingEvaluation.Scored> tasks = new ArrayList<>();
        for (String file : files) {
            int i = 0;
            for (LabelledPrompt prompt : LabelledPrompt.read(data.resolve(file))) {
                Task task =
                        Task.newBuilder()
                                .setTaskId(file + "-" + i++)
                                .setKind(prompt.kind())
                                .setInput(prompt.input())
                                .setCapabilities(prompt.capabilities())
                                .build();
                tasks.add(
                        new RoutingEvaluation.Scored(
                                task,
                                prompt.cloud() ? 1.0 : 0.0,
                                analyzer.analyse(task).getComplexity()));
            }
        }
        return tasks;
    }

    /** Cost saved against always-CLOUD by the cheapest point at the target share of its quality. */
    static double saved(List<CostAwareThreshold.Point> curve, CostAwareThreshold.Point cloud) {
        CostAwareThreshold.Point point =
                CostAwareThreshold.cheapestReaching(curve, TARGET * cloud.quality());
        return point == null ? Double.NaN : 1 - point.cost() / cloud.cost();
    }

    static double randomSaved(Curves curves) {
        double cost =
                RoutingEvaluation.randomCostAt(
                        curves.edge(), curves.cloud(), TARGET * curves.cloud().quality());
        return 1 - cost / curves.cloud().cost();
    }

    static List<String> headlines(
            Curves curves, List<RoutingEvaluation.Shift> shifts, int[] refreshes) {
        List<String> lines = new ArrayList<>();
        lines.add(
                String.format(
                        Locale.ROOT,
                        "quality always-cloud %.3f, always-edge %.3f (%s, %d prompts)",
                        curves.cloud().quality(),
                        curves.edge().quality(),
                        curves.name(),
                        curves.tasks()));
        lines.add(
                String.format(
                        Locale.ROOT,
                        "cost saved at 95%% of always-cloud quality: router %s, cascade %s, random %s",
                        percent(saved(curves.router(), curves.cloud())),
                        percent(saved(curves.cascade(), curves.cloud())),
                        percent(randomSaved(curves))));
        lines.add(combinedLine(curves));
        lines.add(
                String.format(
                        Locale.ROOT,
                        "best possible at 95%% of always-cloud quality (true difficulty known, EDGE"
                                + " confidence seen): cost saved %s",
                        percent(curves.bestSaved())));
        lines.add(
                String.format(
                        Locale.ROOT,
                        "job defaults (threshold 0.5, cascade 0.5): quality %.3f (%.1f%% of"
                                + " always-cloud) at %.1f%% of its cost",
                        curves.jobDefault().quality(),
                        100 * curves.jobDefault().quality() / curves.cloud().quality(),
                        100 * curves.jobDefault().cost() / curves.cloud().cost()));
        for (int i = 0; i < shifts.size(); i++) {
            RoutingEvaluation.Shift shift = shifts.get(i);
            lines.add(
                    String.format(
                            Locale.ROOT,
                            "degraded agent (stats every %d tasks): share %.2f before, under 10%%"
                                    + " after %d tasks, %.3f at the end",
                            refreshes[i],
                            shift.shareBefore(),
                            shift.tasksToLeave(),
                            shift.shareAfter()));
        }
        return lines;
    }

    static String combinedLine(Curves curves) {
        Combined best = curves.combined();
        return best == null
                ? "threshold then cascade: 95% of always-cloud quality not reached"
                : String.format(
                        Locale.ROOT,
                        "threshold then cascade at 95%% of always-cloud quality: threshold %.2f,"
                                + " cascade %.2f, cost saved %s (quality %.3f)",
                        best.threshold(),
                        best.cascade(),
                        percent(1 - best.point().cost() / curves.cloud().cost()),
                        best.point().quality());
    }

    private static String percent(double share) {
        return Double.isNaN(share)
                ? "not reached"
                : String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    static String report(
            List<Curves> sets,
            List<RoutingEvaluation.Shift> shifts,
            int[] refreshes,
            String chart) {
        StringBuilder md = new StringBuilder();
        md.append("# Routing: cost against quality\n\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "Simulated tiers: EDGE right with probability max(0, %.2f − %.2f·d) at"
                                + " cost %.0f, CLOUD max(0, %.2f − %.2f·d) at cost %.0f, where d is"
                                + " the prompt's true difficulty (1 for a prompt labelled CLOUD, 0"
                                + " for EDGE). EDGE confidence: uniform in [%.2f, %.2f] when"
                                + " right, [%.2f, %.2f] when wrong. Cascade figures average %d"
                                + " seeded draws per prompt.%n%n",
                        EDGE.accuracy(),
                        EDGE.penalty(),
                        EDGE.cost(),
                        CLOUD.accuracy(),
                        CLOUD.penalty(),
                        CLOUD.cost(),
                        CONFIDENCE.rightLow(),
                        CONFIDENCE.rightHigh(),
                        CONFIDENCE.wrongLow(),
                        CONFIDENCE.wrongHigh(),
                        DRAWS));
        md.append(
                "| prompts | n | quality always-edge | quality always-cloud | saved at 95%: router"
                        + " | cascade | threshold then cascade | best possible | random | job"
                        + " defaults: quality ÷ cloud | cost ÷ cloud |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Curves curves : sets) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %d | %.3f | %.3f | %s | %s | %s | %s | %s | %.3f | %.3f |%n",
                            curves.name(),
                            curves.tasks(),
                            curves.edge().quality(),
                            curves.cloud().quality(),
                            percent(saved(curves.router(), curves.cloud())),
                            percent(saved(curves.cascade(), curves.cloud())),
                            curves.combined() == null
                                    ? "not reached"
                                    : percent(
                                            1
                                                    - curves.combined().point().cost()
                                                            / curves.cloud().cost()),
                            percent(curves.bestSaved()),
                            percent(randomSaved(curves)),
                            curves.jobDefault().quality() / curves.cloud().quality(),
                            curves.jobDefault().cost() / curves.cloud().cost()));
        }
        md.append("\n![cost against quality](").append(chart).append(")\n\n");
        Curves first = sets.get(0);
        md.append("## Router by threshold (").append(first.name()).append(")\n\n");
        md.append("| threshold | cost ÷ cloud | quality ÷ cloud | share to CLOUD |\n");
        md.append("|---:|---:|---:|---:|\n");
        for (int i = 0; i < first.router().size(); i += 10) {
            CostAwareThreshold.Point p = first.router().get(i);
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %.2f | %.3f | %.3f | %.3f |%n",
                            p.knob(),
                            p.cost() / first.cloud().cost(),
                            p.quality() / first.cloud().quality(),
                            p.cloudShare()));
        }
        md.append("\n## A degrading agent\n\n");
        md.append(
                "Three EDGE agents of one capability at prices 0.4, 0.5 and 0.6, each succeeding"
                        + " 98% of the time; from task 2,000 of 6,000 the cheapest succeeds 20% of"
                        + " the time. Learned router, preference 0.5, a failed call falls back"
                        + " along the chain. Share of the cheapest agent as primary per window"
                        + " of 50 tasks.\n\n");
        md.append(
                "| statistics refreshed every N tasks | share before | tasks until under 10% | share"
                        + " in the last quarter | failed first calls |\n");
        md.append("|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < shifts.size(); i++) {
            RoutingEvaluation.Shift s = shifts.get(i);
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %d | %.3f | %d | %.3f | %d |%n",
                            refreshes[i],
                            s.shareBefore(),
                            s.tasksToLeave(),
                            s.shareAfter(),
                            s.failedFirstCalls()));
        }
        return md.toString();
    }

    static String chart(Path out, Curves curves) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart =
                new XYChartBuilder()
                        .width(900)
                        .height(560)
                        .title("Quality against cost, " + curves.name() + " prompts")
                        .xAxisTitle("cost per task ÷ always-CLOUD")
                        .yAxisTitle("share of right answers")
                        .build();
        double cloudCost = curves.cloud().cost();
        series(chart, "router (model score threshold)", curves.router(), cloudCost);
        series(chart, "cascade (EDGE confidence threshold)", curves.cascade(), cloudCost);
        chart.addSeries(
                        "random",
                        new double[] {
                            curves.edge().cost() / cloudCost, curves.cloud().cost() / cloudCost
                        },
                        new double[] {curves.edge().quality(), curves.cloud().quality()})
                .setMarker(SeriesMarkers.NONE);
        chart.addSeries(
                        "job defaults",
                        new double[] {curves.jobDefault().cost() / cloudCost},
                        new double[] {curves.jobDefault().quality()})
                .setMarker(SeriesMarkers.DIAMOND);
        String file = "cost-quality.png";
        BitmapEncoder.saveBitmap(
                chart, out.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    private static void series(
            XYChart chart, String name, List<CostAwareThreshold.Point> curve, double cloudCost) {
        double[] x = new double[curve.size()];
        double[] y = new double[curve.size()];
        for (int i = 0; i < curve.size(); i++) {
            x[i] = curve.get(i).cost() / cloudCost;
            y[i] = curve.get(i).quality();
        }
        chart.addSeries(name, x, y).setMarker(SeriesMarkers.NONE);
    }
}
