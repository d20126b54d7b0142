package dev.loracurve.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/**
 * Arrays whose memory libtorch owns. DJL's {@code manager.create(float[])} wraps a Java direct
 * buffer with torch.from_blob; once the Java wrapper is unreachable the GC frees that memory,
 * while autograd may still hold the tensor for backward: gradients then read freed memory (seen
 * as sporadic huge or NaN gradients right after a GC). Allocating in libtorch and copying in
 * avoids that for every array that can end up in an autograd graph.
 *
 * <p>The same holds for DJL's scalar overloads: {@code x.mul(2.0)} and {@code x.div(2.0)} wrap the
 * scalar in a from_blob tensor that autograd saves for backward, and a GC between forward and
 * backward turns the gradient into garbage (TensorsTest reproduces it). Use {@link #scale}.
 */
public final class Tensors {
    private Tensors() {}

    /** A libtorch-owned copy of a from_blob array; the Java-backed original is released at once. */
    private static NDArray owned(NDArray javaBacked) {
        try (javaBacked) {
            return javaBacked.duplicate();
        }
    }

    /** x · c with a libtorch-owned scalar, safe under autograd (see the class comment). */
    public static NDArray scale(NDArray x, double c) {
        NDArray s = owned(x.getManager().create(c)).toType(x.getDataType(), false);
        return x.mul(s);
    }

    public static NDArray of(NDManager m, float[] data, Shape shape) {
        return owned(m.create(FloatBuffer.wrap(data), shape));
    }

    public static NDArray of(NDManager m, float[] data) {
        return of(m, data, new Shape(data.length));
    }

    public static NDArray of(NDManager m, double[] data, Shape shape) {
        return owned(m.create(DoubleBuffer.wrap(data), shape));
    }

    public static NDArray of(NDManager m, double[] data) {
        return of(m, data, new Shape(data.length));
    }

    public static NDArray of(NDManager m, long[] data, Shape shape) {
        return owned(m.create(LongBuffer.wrap(data), shape));
    }
}
