package io.hivestream.operators.route;

import java.util.random.RandomGenerator;

/** Draws from Beta distributions (two Gamma draws, Marsaglia and Tsang) with a given random. */
final class Beta {
    private Beta() {}

    static double sample(double alpha, double beta, RandomGenerator random) {
        double x = gamma(alpha, random);
        double y = gamma(beta, random);
        return x / (x + y);
    }

    private static double gamma(double shape, RandomGenerator random) {
        if (shape < 1) {
            // Boost to shape + 1, then scale back (Marsaglia and Tsang, section 6).
            return gamma(shape + 1, random) * Math.pow(random.nextDouble(), 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = random.nextGaussian();
            double v = 1 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = random.nextDouble();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }
}
