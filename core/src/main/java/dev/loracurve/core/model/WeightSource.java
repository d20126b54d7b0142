package dev.loracurve.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loracurve.core.engine.Tensors;

/** Where weights come from: a checkpoint, or a generator in tests and benchmarks. */
public interface WeightSource {
    /** Row-major data of a tensor whose shape must be {@code shape}. */
    float[] read(String name, long... shape);

    /** The same in float64, for float64 models (finite-difference references perturb here). */
    default double[] readDouble(String name, long... shape) {
        float[] f = read(name, shape);
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    boolean has(String name);

    /** The tensor in F32, libtorch-owned. */
    default NDArray tensor(NDManager m, String name, long... shape) {
        return Tensors.of(m, read(name, shape), new Shape(shape));
    }
}
