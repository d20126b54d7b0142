package dev.loracurve.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loracurve.core.config.InvalidConfigException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AdamW, clipping, schedules and data order against closed forms. */
class OptimizerTest {

    private static TrainConfig config(int steps, int warmup, String schedule) {
        return TrainConfig.builder()
                .lora(l -> l.rank(2).alpha(4).dropout(0))
                .steps(steps)
                .batchSize(4)
                .optimizer(o -> o.lr(0.1).warmupSteps(warmup).schedule(Schedule.parse(schedule)))
                .checkpointEvery(0)
                .build();
    }

    @Test
    void firstAdamStepMovesEachCoordinateByLrTimesSign() {
        float[] theta = {1f, -2f, 0.5f};
        AdamW adam = new AdamW(3, 0.9, 0.999, 1e-8, 0.0);
        adam.step(theta, new float[] {0.3f, -5f, 1e-3f}, 0.01); // m̂ = g, v̂ = g²: update = g / |g|
        assertArrayEquals(new float[] {0.99f, -1.99f, 0.49f}, theta, 1e-5f);
    }

    @Test
    void secondStepAndDecoupledWeightDecayFollowTheFormula() {
        float[] theta = {1f};
        AdamW adam = new AdamW(1, 0.9, 0.999, 1e-8, 0.1);
        adam.step(theta, new float[] {1f}, 0.01);
        adam.step(theta, new float[] {-1f}, 0.01);
        // step 1: θ = 1 - 0.01 (1 + 0.1) = 0.989
        double m = 0.9 * 0.1 + 0.1 * -1; // -0.01
        double v = 0.999 * 0.001 + 0.001; // 0.001999
        double update = (m / (1 - 0.81)) / (Math.sqrt(v / (1 - 0.998001)) + 1e-8);
        assertEquals(0.989 - 0.01 * (update + 0.1 * 0.989), theta[0], 1e-6);
    }

    @Test
    void clippingScalesToTheMaximumNorm() {
        float[] g = {3f, 4f};
        assertEquals(5.0, AdamW.clip(1.0, g), 1e-9);
        assertEquals(1.0, Math.hypot(g[0], g[1]), 1e-5);
        float[] small = {0.3f, 0.4f};
        AdamW.clip(1.0, small);
        assertArrayEquals(new float[] {0.3f, 0.4f}, small);
    }

    @Test
    void warmupThenCosineOrLinearDecay() {
        TrainConfig cos = config(110, 10, "cosine");
        assertEquals(0.01, cos.lrAt(0), 1e-12);
        assertEquals(0.1, cos.lrAt(9), 1e-12);
        assertEquals(0.1, cos.lrAt(10), 1e-12);
        assertEquals(0.05, cos.lrAt(60), 1e-12); // half-way: cos(π/2)
        assertEquals(0.1 * 0.5 * (1 + Math.cos(Math.PI * 99 / 100)), cos.lrAt(109), 1e-12);
        TrainConfig lin = config(110, 10, "linear");
        assertEquals(0.075, lin.lrAt(35), 1e-12);
        assertEquals(0.1, config(5, 0, "constant").lrAt(4), 1e-12);
    }

    @Test
    void invalidSettingsNameTheirConfigFieldsAllAtOnce() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> config(10, 20, "cosine"));
        assertEquals("optimizer.warmupSteps must be between 0 and steps, got 20", e.getMessage());
        InvalidConfigException s = assertThrows(InvalidConfigException.class, () -> config(10, 0, "step"));
        assertEquals("schedule must be cosine, linear or constant, got 'step'", s.getMessage());
        InvalidConfigException all = assertThrows(
                InvalidConfigException.class,
                () -> TrainConfig.builder()
                        .steps(0)
                        .lora(l -> l.rank(0))
                        .optimizer(o -> o.lr(-1).adam(new OptimizerConfig.Adam(1.0, 0.999, 1e-8)))
                        .build());
        assertEquals(
                List.of("lora.r", "optimizer.lr", "optimizer.adam.beta1", "steps"),
                all.violations().stream()
                        .map(InvalidConfigException.Violation::field)
                        .toList());
        assertEquals(
                "--rank must be > 0, got 0",
                all.renamed(f -> f.equals("lora.r") ? "--rank" : f)
                        .violations()
                        .get(0)
                        .message());
    }

    @Test
    void dataOrderIsAPermutationFixedBySeed() {
        int[] a = DataOrder.permutation(100, 7);
        assertArrayEquals(a, DataOrder.permutation(100, 7));
        assertTrue(!Arrays.equals(a, DataOrder.permutation(100, 8)));
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 100; i++) {
            assertEquals(i, sorted[i]);
        }
    }
}
