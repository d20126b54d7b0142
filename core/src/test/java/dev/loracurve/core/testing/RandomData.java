package dev.loracurve.core.testing;

import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.tasks.Example;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Random θ vectors and classification examples for tests on tiny models. */
public final class RandomData {
    private RandomData() {}

    /** Gaussian points with standard deviation {@code scale}. */
    public static List<float[]> points(int count, int dim, double scale, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] p = new float[dim];
            for (int k = 0; k < dim; k++) {
                p[k] = (float) (scale * r.nextGaussian());
            }
            out.add(p);
        }
        return out;
    }

    /** Examples with 2-4 choices and single- and multi-token continuations, ids below 40. */
    public static List<Example> examples(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int choices = 2 + r.nextInt(3);
            long[] prefix = new long[3 + r.nextInt(5)];
            prefix[0] = 1;
            for (int k = 1; k < prefix.length; k++) {
                prefix[k] = 3 + r.nextInt(30);
            }
            long[][] cont = new long[choices][];
            for (int c = 0; c < choices; c++) {
                cont[c] = r.nextBoolean() ? new long[] {3 + c} : new long[] {3 + c, 20 + r.nextInt(10)};
            }
            out.add(new Example("e" + i, prefix, cont, r.nextInt(choices), false));
        }
        return out;
    }

    /** θ with A and B both non-zero (in ±0.3), so LoRA changes the output and every gradient is exercised. */
    public static double[] theta(LoraLayout layout, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] theta = new double[layout.intSize()];
        for (int i = 0; i < theta.length; i++) {
            theta[i] = (rng.nextDouble() * 2 - 1) * 0.3;
        }
        return theta;
    }
}
