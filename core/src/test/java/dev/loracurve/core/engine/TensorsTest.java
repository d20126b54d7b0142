package dev.loracurve.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * DJL's scalar overloads save a Java-backed tensor in the autograd graph; a GC before backward
 * frees it. {@link Tensors#scale} must give the exact gradient whatever the GC does.
 */
class TensorsTest {

    @Test
    void scaledGradientSurvivesGarbageCollectionBeforeBackward() {
        float[] theta = {0.5f, -1.25f, 2f, 3.5f};
        try (NDManager root = Engines.newManager()) {
            for (int rep = 0; rep < 5; rep++) {
                try (NDManager step = root.newSubManager();
                        GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                    NDArray th = Tensors.of(step, theta);
                    th.setRequiresGradient(true);
                    NDArray loss = Tensors.scale(th, 0.37).square().sum(); // d/dθ = 2 · 0.37² · θ
                    System.gc();
                    gc.backward(loss);
                    float[] expected = new float[theta.length];
                    for (int i = 0; i < theta.length; i++) {
                        expected[i] = (float) (2 * 0.37 * 0.37 * theta[i]);
                    }
                    assertArrayEquals(expected, th.getGradient().toFloatArray(), 1e-6f);
                }
            }
        }
    }
}
