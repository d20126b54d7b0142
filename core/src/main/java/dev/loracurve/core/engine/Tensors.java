package dev.loracurve.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.loracurve.core.store.DirectBuffers;
import java.nio.ByteBuffer;

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

    /**
     * A libtorch-owned copy of {@code bytes}: a from_blob view of the direct buffer, cloned, and
     * the buffer freed at once rather than at the next GC (an array per step, θ or a batch's ids,
     * would otherwise pile up in native memory between collections).
     */
    private static NDArray owned(NDManager m, ByteBuffer bytes, Shape shape, DataType type) {
        try (NDArray view = m.create(bytes.rewind(), shape, type)) {
            return view.duplicate();
        } finally {
            DirectBuffers.release(bytes);
        }
    }

    /** x · c with a libtorch-owned scalar, safe under autograd (see the class comment). */
    public static NDArray scale(NDArray x, double c) {
        return x.mul(scalar(x.getManager(), c, x.getDataType()));
    }

    /** c as a libtorch-owned 0-d array: made once, it scales many arrays (each scalar is ops and a copy). */
    public static NDArray scalar(NDManager m, double c, DataType dtype) {
        return of(m, new double[] {c}, new Shape()).toType(dtype, false);
    }

    public static NDArray of(NDManager m, float[] data, Shape shape) {
        ByteBuffer b = DirectBuffers.allocate(4L * data.length);
        b.asFloatBuffer().put(data);
        return owned(m, b, shape, DataType.FLOAT32);
    }

    public static NDArray of(NDManager m, float[] data) {
        return of(m, data, new Shape(data.length));
    }

    public static NDArray of(NDManager m, double[] data, Shape shape) {
        ByteBuffer b = DirectBuffers.allocate(8L * data.length);
        b.asDoubleBuffer().put(data);
        return owned(m, b, shape, DataType.FLOAT64);
    }

    public static NDArray of(NDManager m, double[] data) {
        return of(m, data, new Shape(data.length));
    }

    public static NDArray of(NDManager m, long[] data, Shape shape) {
        ByteBuffer b = DirectBuffers.allocate(8L * data.length);
        b.asLongBuffer().put(data);
        return owned(m, b, shape, DataType.INT64);
    }
}
