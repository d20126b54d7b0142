package dev.loracurve.core.curve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loracurve.core.testing.RandomData;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The curve against closed forms. */
class BezierCurveTest {

    static List<float[]> randomPoints(int count, int dim, long seed) {
        return RandomData.points(count, dim, 1.0, seed);
    }

    @Test
    void anchoredCurvePassesThroughItsOptimaAndIsContinuousAtJunctions() {
        List<float[]> optima = randomPoints(4, 7, 1);
        BezierCurve c = BezierCurve.anchored(optima, 3, 0.1, 2);
        assertEquals(3, c.segments());
        assertEquals(10, c.pointCount());
        assertArrayEquals(optima.get(0), c.at(0), 1e-6f);
        assertArrayEquals(optima.get(1), c.at(1.0 / 3), 1e-5f);
        assertArrayEquals(optima.get(2), c.at(2.0 / 3), 1e-5f);
        assertArrayEquals(optima.get(3), c.at(1), 1e-6f);
        double eps = 1e-9;
        for (double junction : new double[] {1.0 / 3, 2.0 / 3}) {
            assertArrayEquals(c.at(junction - eps), c.at(junction + eps), 1e-5f, "continuity at " + junction);
        }
        for (int i = 0; i < c.pointCount(); i++) {
            assertEquals(i % 3 == 0, c.isPinned(i), "junctions pinned, interior free: point " + i);
        }
    }

    @Test
    void degreeOneIsTheStraightLine() {
        List<float[]> ends = randomPoints(2, 5, 3);
        BezierCurve line = BezierCurve.anchored(ends, 1, 0, 0);
        for (double t : new double[] {0, 0.1, 0.37, 0.5, 0.99, 1}) {
            assertArrayEquals(BezierCurve.lerp(ends.get(0), ends.get(1), t), line.at(t), 1e-6f);
        }
    }

    @Test
    void interiorPointsStartOnTheStraightSegment() {
        List<float[]> ends = randomPoints(2, 5, 4);
        BezierCurve c = BezierCurve.anchored(ends, 4, 0, 0);
        for (double t : new double[] {0.2, 0.5, 0.8}) { // a Bézier with collinear evenly spaced points is the line
            assertArrayEquals(BezierCurve.lerp(ends.get(0), ends.get(1), t), c.at(t), 1e-5f);
        }
    }

    @Test
    void weightsSumToOneAndMatchTheQuadraticClosedForm() {
        BezierCurve c = BezierCurve.free(2, 2, randomPoints(5, 3, 5));
        for (double t = 0; t <= 1.0; t += 0.05) {
            double sum = 0;
            for (double w : c.weights(t)) {
                sum += w;
            }
            assertEquals(1.0, sum, 1e-12, "t = " + t);
        }
        double[] w = c.weights(0.7); // segment 1, u = 0.4: (1-u)², 2u(1-u), u²
        assertArrayEquals(new double[] {0, 0, 0.36, 0.48, 0.16}, w, 1e-12);
        assertEquals(new BezierCurve.Position(1, 0.0), c.locate(0.5));
        assertEquals(1, c.locate(1.0).segment(), "t = 1 belongs to the last segment");
        assertEquals(1.0, c.locate(1.0).u(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> c.locate(1.2));
    }

    @Test
    void derivativeMatchesCentralDifferences() {
        BezierCurve c = BezierCurve.free(3, 3, randomPoints(10, 6, 6));
        double h = 1e-4;
        for (double t : new double[] {0.05, 0.2, 0.45, 0.6, 0.95}) {
            float[] plus = c.at(t + h);
            float[] minus = c.at(t - h);
            float[] d = c.derivative(t);
            for (int k = 0; k < d.length; k++) {
                assertEquals(
                        (plus[k] - minus[k]) / (2 * h), d[k], 2e-2 + 1e-3 * Math.abs(d[k]), "t = " + t + ", k = " + k);
            }
        }
    }

    @Test
    void speedBoundBoundsTheDerivative() {
        BezierCurve c = BezierCurve.free(2, 3, randomPoints(7, 4, 7));
        for (double t = 0; t <= 1; t += 0.01) {
            float[] d = c.derivative(t);
            double norm = 0;
            for (float x : d) {
                norm += x * x;
            }
            assertTrue(Math.sqrt(norm) <= c.speedBound() + 1e-6);
        }
    }

    @Test
    void scatterSkipsPinnedPoints() {
        BezierCurve c = BezierCurve.anchored(randomPoints(3, 2, 8), 2, 0, 0);
        float[][] grads = new float[c.pointCount()][2];
        c.scatter(0.25, new float[] {1f, -2f}, grads); // segment 0, u = 0.5: weights .25 .5 .25
        assertArrayEquals(new float[] {0, 0}, grads[0]);
        assertArrayEquals(new float[] {0.5f, -1f}, grads[1]);
        assertArrayEquals(new float[] {0, 0}, grads[2]);
    }

    @Test
    void nearestNeighbourOrder() {
        List<float[]> pts = List.of(new float[] {0}, new float[] {10}, new float[] {1}, new float[] {4});
        assertEquals(List.of(0, 2, 3, 1), BezierCurve.nearestNeighbourOrder(pts));
    }
}
