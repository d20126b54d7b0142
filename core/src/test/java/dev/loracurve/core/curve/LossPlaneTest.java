package dev.loracurve.core.curve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.eval.Metrics;
import dev.loracurve.core.lora.FlatLora;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.RandomWeights;
import dev.loracurve.core.tasks.ChoiceScorer;
import dev.loracurve.core.tasks.Example;
import dev.loracurve.core.testing.RandomData;
import dev.loracurve.core.testing.TinyModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plane's coordinates against closed forms; its losses against the unbatched scorer at the same θ. */
class LossPlaneTest {
    @Test
    void coordinatesInThePlaneThroughThreePoints() {
        float[] a = {1, 1, 1, 1};
        float[] b = {4, 1, 1, 1}; // 3 along x
        float[] c = {2, 3, 1, 1}; // (1, 2) in the plane
        LossPlane.Basis basis = LossPlane.Basis.through(a, b, c);
        assertProjection(new double[] {0, 0, 0}, basis.project(a));
        assertProjection(new double[] {3, 0, 0}, basis.project(b));
        assertProjection(new double[] {1, 2, 0}, basis.project(c));
        assertProjection(new double[] {2, -1, 5}, basis.project(new float[] {3, 0, 4, 5})); // off by (3, 4)
        assertProjection(new double[] {0.5, 1.5, 0}, basis.project(basis.at(0.5, 1.5)));
        assertThrows(
                IllegalArgumentException.class,
                () -> LossPlane.Basis.through(a, b, new float[] {7, 1, 1, 1}),
                "three points on a line span no plane");
        double[] axis = LossPlane.axis(0, 10, 3);
        assertEquals(-2, axis[0], 1e-12); // a 20 % margin on both sides
        assertEquals(12, axis[2], 1e-12);
    }

    private static void assertProjection(double[] want, double[] got) {
        for (int i = 0; i < 3; i++) {
            assertEquals(want[i], got[i], 1e-5, "coordinate " + i);
        }
    }

    @Test
    void theGridsLossesAreTheScorersLossesAtThosePoints() {
        ModelConfig config = TinyModels.llama();
        LoraConfig lora = LoraConfig.builder().rank(2).alpha(4).dropout(0).build();
        try (NDManager m = Engines.newManager();
                Decoder d = Decoder.fromWeights(config, new RandomWeights(2), m, DataType.FLOAT32)) {
            LoraLayout layout = new LoraLayout(config, lora);
            List<float[]> optima = RandomData.points(3, layout.intSize(), 0.3, 8);
            BezierCurve curve = BezierCurve.anchored(optima, 2, 0.05, 1);
            CurveFolder folder = new CurveFolder("anchored", curve, lora, "tiny", null);
            List<Example> items = RandomData.examples(6, 3);
            JsonNode plane = LossPlane.compute(d, m, folder, items, 3, 4);
            assertEquals(3, plane.get("optima").size());
            assertEquals(0, plane.get("optima").get(0).get(0).asDouble(), 1e-5);
            assertEquals(0, plane.get("optima").get(1).get(1).asDouble(), 1e-5, "optimum 1 on the x axis");
            assertTrue(plane.get("curve_off_plane").asDouble() > 0, "the interior control points leave the plane");
            LossPlane.Basis basis = LossPlane.Basis.through(optima.get(0), optima.get(1), optima.get(2));
            int[] labels = items.stream().mapToInt(Example::label).toArray();
            for (int[] node : new int[][] {{0, 0}, {2, 1}, {1, 2}}) {
                float[] theta = basis.at(
                        plane.get("xs").get(node[0]).asDouble(),
                        plane.get("ys").get(node[1]).asDouble());
                double want;
                try (NDManager local = m.newSubManager()) {
                    double[][] p = ChoiceScorer.predict(
                            d, local, items, new FlatLora(layout, Tensors.of(local, theta), false), 2);
                    want = Metrics.nll(p, labels);
                }
                double got = plane.get("loss").get(node[1]).get(node[0]).asDouble();
                assertEquals(want, got, 1e-4 * Math.max(1, want), "node " + node[0] + "," + node[1]);
            }
        }
    }
}
