package dev.loracurve.core.model;

import java.util.SplittableRandom;

/**
 * Deterministic random weights for any config: tiny models in tests and the benchmark's 30M
 * configuration. Linear weights ~ U(±1/sqrt(in)) as torch's default init; norms near 1.
 */
public final class RandomWeights implements WeightSource {
    private final long seed;

    public RandomWeights(long seed) {
        this.seed = seed;
    }

    @Override
    public float[] read(String name, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] out = new float[Math.toIntExact(n)];
        SplittableRandom rng = new SplittableRandom(seed ^ name.hashCode() * 0x9E3779B97F4A7C15L);
        boolean norm = name.endsWith("norm.weight");
        double bound = shape.length == 2 ? 1.0 / Math.sqrt(shape[1]) : 0.1;
        for (int i = 0; i < out.length; i++) {
            double u = rng.nextDouble() * 2 - 1;
            out[i] = (float) (norm ? 1 + 0.1 * u : u * bound);
        }
        return out;
    }

    @Override
    public boolean has(String name) {
        return true;
    }
}
