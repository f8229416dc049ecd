package io.hivestream.operators.analyse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the cloud threshold from a quality target instead of by hand: the cheapest threshold at
 * which routing by the analyser's scores keeps at least {@code target} of the quality of sending
 * every task to CLOUD, on labelled tasks and a model of the two tiers.
 *
 * <p>A tier is right on a task of true difficulty {@code d} (1 for a task labelled CLOUD, 0 for
 * EDGE) with probability {@code max(0, accuracy - penalty d)} and costs {@code cost} a task, as in
 * the routing benchmark's simulated agents. Thresholds are tried from 0 to 1 in steps of 0.01; a
 * task goes to CLOUD when its score reaches the threshold, as the analyse stage decides. The
 * routing benchmark draws its curves with the same tiers, thresholds and choice of the cheapest.
 */
public final class CostAwareThreshold {
    /** A tier's accuracy model and price per task. */
    public record Tier(double accuracy, double penalty, double cost) {
        public double accuracy(double difficulty) {
            return Math.max(0, accuracy - penalty * Math.max(0, Math.min(1, difficulty)));
        }
    }

    /** The routing benchmark's tiers: a small model that fails hard tasks, 20 times cheaper. */
    public static final Tier EDGE = new Tier(0.92, 0.62, 1);

    public static final Tier CLOUD = new Tier(0.95, 0.10, 20);

    /**
     * The chosen threshold, the quality and cost it gives, and always-CLOUD's. Threshold 0 sends
     * every task to CLOUD, so some threshold always reaches the target.
     */
    public record Choice(
            double threshold,
            double target,
            double quality,
            double cost,
            double cloudQuality,
            double cloudCost) {
        /** Share of always-CLOUD's cost saved. */
        public double saved() {
            return 1 - cost / cloudCost;
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "cloud threshold %.2f for %.0f%% of always-CLOUD quality: quality %.3f"
                            + " (always-CLOUD %.3f), cost saved %.1f%%",
                    threshold,
                    100 * target,
                    quality,
                    cloudQuality,
                    100 * saved());
        }
    }

    /**
     * One operating point of a routing policy: its knob (a threshold), expected cost and quality
     * per task, and the share of tasks sent to CLOUD.
     */
    public record Point(double knob, double cost, double quality, double cloudShare) {}

    private CostAwareThreshold() {}

    /** The thresholds tried: 0 to 1 in steps of 0.01. */
    public static double[] thresholds() {
        double[] thresholds = new double[101];
        for (int step = 0; step <= 100; step++) {
            thresholds[step] = step / 100.0;
        }
        return thresholds;
    }

    /**
     * The cheapest point of a curve whose quality reaches {@code quality}, among equal costs the
     * higher quality, else the first; null when none reaches it.
     */
    public static Point cheapestReaching(List<Point> curve, double quality) {
        Point best = null;
        for (Point point : curve) {
            if (point.quality() >= quality - 1e-12
                    && (best == null
                            || point.cost() < best.cost()
                            || (point.cost() == best.cost() && point.quality() > best.quality()))) {
                best = point;
            }
        }
        return best;
    }

    /**
     * Routing by the scores at {@code threshold}: a task goes to CLOUD when its score reaches it.
     */
    public static Point at(
            double[] scores, boolean[] cloud, double threshold, Tier edge, Tier cloudTier) {
        double quality = 0;
        double cost = 0;
        int toCloud = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean up = scores[i] >= threshold;
            Tier tier = up ? cloudTier : edge;
            quality += tier.accuracy(cloud[i] ? 1 : 0);
            cost += tier.cost();
            toCloud += up ? 1 : 0;
        }
        int n = scores.length;
        return new Point(threshold, cost / n, quality / n, (double) toCloud / n);
    }

    /**
     * @param scores the analyser's score of each task
     * @param cloud whether each task is labelled CLOUD
     * @param target share of always-CLOUD quality to keep, in (0, 1]
     */
    public static Choice choose(
            double[] scores, boolean[] cloud, double target, Tier edge, Tier cloudTier) {
        if (scores.length == 0 || scores.length != cloud.length) {
            throw new IllegalArgumentException(
                    "need as many labels as scores, and at least one: "
                            + scores.length
                            + " scores, "
                            + cloud.length
                            + " labels");
        }
        if (!(target > 0 && target <= 1)) {
            throw new IllegalArgumentException("target quality must be in (0, 1]: " + target);
        }
        int n = scores.length;
        double cloudQuality = 0;
        for (boolean hard : cloud) {
            cloudQuality += cloudTier.accuracy(hard ? 1 : 0);
        }
        cloudQuality /= n;
        List<Point> curve = new ArrayList<>();
        for (double threshold : thresholds()) {
            curve.add(at(scores, cloud, threshold, edge, cloudTier));
        }
        Point best = cheapestReaching(curve, target * cloudQuality);
        return new Choice(
                best.knob(), target, best.quality(), best.cost(), cloudQuality, cloudTier.cost());
    }
}
