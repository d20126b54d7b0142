package dev.loracurve.cli.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loracurve.core.model.ModelConfig;

/** The F32 matmul rate every throughput is read against, measured in the same run. */
final class Matmuls {
    private Matmuls() {}

    /** FLOP/s of a 1024³ matmul. */
    static double square(NDManager m, Timing timing) {
        return linear(m, timing, 1024, 1024, 1024);
    }

    /** FLOP/s of y = x Wᵀ for x (rows, in), W (out, in): a projection's matmul alone. */
    static double linear(NDManager m, Timing timing, long rows, long in, long out) {
        try (NDManager local = m.newSubManager()) {
            NDArray x = local.randomUniform(-1, 1, new Shape(rows, in));
            NDArray w = local.randomUniform(-1, 1, new Shape(out, in));
            double s = timing.median(() -> {
                try (NDArray y = x.getNDArrayInternal().linear(x, w, null).singletonOrThrow()) {
                    y.getFloat(0, 0);
                }
            });
            return 2.0 * rows * in * out / s;
        }
    }

    /**
     * The matmul rate at a model's projections for one sequence ({@code rows} rows, the shapes pp1
     * runs), and at the gate and up projections fused into one: what single-sequence scoring would
     * reach if its matmuls were all it did, and whether fusing projections would pay.
     */
    static String atProjections(NDManager m, Timing timing, ModelConfig c, int rows, int threads) {
        long h = c.hiddenSize();
        long i = c.intermediateSize();
        long[][] shapes = {{h, h}, {h, i}, {i, h}, {h, 2 * i}};
        StringBuilder line = new StringBuilder(
                String.format("matmul at this model's projections, %d rows, %d thread(s), GFLOP/s:", rows, threads));
        for (long[] inOut : shapes) {
            line.append(String.format(
                    " %d->%d %.1f", inOut[0], inOut[1], linear(m, timing, rows, inOut[0], inOut[1]) / 1e9));
        }
        return line.append(" (the last: gate and up fused)").toString();
    }
}
