package dev.loracurve.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.lora.FlatLora;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraDelta;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.testing.RandomData;
import dev.loracurve.core.testing.TinyModels;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DecoderTest {

    static Stream<ModelConfig> configs() {
        return Stream.of(TinyModels.qwen2(), TinyModels.llama());
    }

    static final List<long[]> SEQUENCES =
            List.of(new long[] {1, 5, 9, 2, 7, 7, 3, 11, 4}, new long[] {1, 8}, new long[] {1, 3, 3, 12, 30});

    @ParameterizedTest
    @MethodSource("configs")
    void paddedBatchEqualsEachSequenceAlone(ModelConfig config) {
        try (NDManager m = Engines.newManager();
                Decoder d = Decoder.fromWeights(config, new RandomWeights(3), m, DataType.FLOAT32)) {
            LoraDelta lora = randomLora(config, m, 5);
            TokenBatch batch = TokenBatch.of(SEQUENCES);
            float[] batched = d.logits(d.hidden(batch.idsArray(m), batch, lora)).toFloatArray();
            int v = config.vocabSize();
            int t = batch.maxLength();
            for (int b = 0; b < SEQUENCES.size(); b++) {
                TokenBatch alone = TokenBatch.of(List.of(SEQUENCES.get(b)));
                float[] single =
                        d.logits(d.hidden(alone.idsArray(m), alone, lora)).toFloatArray();
                for (int i = 0; i < single.length; i++) {
                    int pos = i / v;
                    assertEquals(single[i], batched[(b * t + pos) * v + i % v], 1e-5, "row " + b + " position " + pos);
                }
            }
        }
    }

    /**
     * Scoring writes intermediates in place when autograd records nothing; the logits must be the
     * recording forward's bit for bit (an in-place op on an array something else still reads, say
     * the residual stream, would change them), on DJL's first thread and on any other.
     */
    @ParameterizedTest
    @MethodSource("configs")
    void inPlaceForwardEqualsTheRecordingOneExactly(ModelConfig config) throws Exception {
        try (NDManager m = Engines.newManager();
                Decoder d = Decoder.fromWeights(config, new RandomWeights(6), m, DataType.FLOAT32)) {
            LoraDelta lora = randomLora(config, m, 8);
            TokenBatch batch = TokenBatch.of(SEQUENCES);
            Supplier<float[]> logits =
                    () -> d.logits(d.hidden(batch.idsArray(m), batch, lora)).toFloatArray();
            float[] recorded;
            try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                recorded = logits.get();
            }
            float[] inPlace = Engines.noGrad(logits);
            assertTrue(Arrays.equals(recorded, inPlace), "in-place logits differ from the recording forward's");
            float[][] elsewhere = new float[1][];
            Thread other = new Thread(() -> elsewhere[0] = Engines.noGrad(logits));
            other.start();
            other.join();
            assertTrue(Arrays.equals(recorded, elsewhere[0]), "another thread's in-place logits differ");
        }
    }

    /** LoRA r 2 on every projection with random θ (seeded), without gradient or dropout. */
    private static LoraDelta randomLora(ModelConfig config, NDManager m, long seed) {
        LoraLayout layout = new LoraLayout(
                config, LoraConfig.builder().rank(2).alpha(4).dropout(0).build());
        return new FlatLora(
                layout, Tensors.of(m, RandomData.theta(layout, seed)).toType(DataType.FLOAT32, false), false);
    }

    /** A packed row (prefix + two branches) gives each branch the logits of prefix + branch alone. */
    @ParameterizedTest
    @MethodSource("configs")
    void packedBranchesEqualSeparateSequences(ModelConfig config) {
        try (NDManager m = Engines.newManager();
                Decoder d = Decoder.fromWeights(config, new RandomWeights(4), m, DataType.FLOAT32)) {
            long[] prefix = {1, 5, 9, 2, 7};
            long[][] branch = {{3, 11}, {4, 6, 8}};
            long[] packedIds = {1, 5, 9, 2, 7, 3, 11, 4, 6, 8};
            long[] positions = {0, 1, 2, 3, 4, 5, 6, 5, 6, 7};
            int[] branches = {0, 0, 0, 0, 0, 1, 1, 2, 2, 2};
            // a second, shorter row checks padding of packed rows
            TokenBatch packed = TokenBatch.packed(
                    List.of(packedIds, new long[] {1, 2, 3}),
                    List.of(positions, new long[] {0, 1, 1}),
                    List.of(branches, new int[] {0, 1, 2}));
            int v = config.vocabSize();
            float[] got = d.logits(d.hidden(packed.idsArray(m), packed, LoraDelta.NONE))
                    .toFloatArray(); // (2, 10, V)
            int offset = prefix.length;
            for (long[] br : branch) {
                long[] seq = LongStream.concat(Arrays.stream(prefix), Arrays.stream(br))
                        .toArray();
                TokenBatch alone = TokenBatch.of(List.of(seq));
                float[] want = d.logits(d.hidden(alone.idsArray(m), alone, LoraDelta.NONE))
                        .toFloatArray();
                for (int j = 0; j < seq.length; j++) {
                    int packedPos = j < prefix.length ? j : offset + j - prefix.length;
                    for (int k = 0; k < v; k++) {
                        assertEquals(want[j * v + k], got[packedPos * v + k], 1e-5, "position " + j);
                    }
                }
                offset += br.length;
            }
            TokenBatch shortAlone = TokenBatch.of(List.of(new long[] {1, 2}));
            float[] want = d.logits(d.hidden(shortAlone.idsArray(m), shortAlone, LoraDelta.NONE))
                    .toFloatArray();
            for (int k = 0; k < v; k++) {
                assertEquals(want[v + k], got[(10 + 1) * v + k], 1e-5); // branch 1 = [2] after prefix [1]
            }
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void loraGradientMatchesCentralDifferencesInFloat64(ModelConfig config) {
        try (NDManager m = Engines.newManager();
                Decoder d = Decoder.fromWeights(config, new RandomWeights(7), m, DataType.FLOAT64)) {
            LoraConfig lc = LoraConfig.builder()
                    .rank(2)
                    .alpha(3)
                    .dropout(0)
                    .rslora(true)
                    .build();
            LoraLayout layout = new LoraLayout(config, lc);
            double[] theta = RandomData.theta(layout, 11);
            TokenBatch batch = TokenBatch.of(SEQUENCES);
            double[] grad;
            try (NDManager step = m.newSubManager();
                    GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                NDArray th = Tensors.of(step, theta);
                th.setRequiresGradient(true);
                NDArray loss = loss(d, step, batch, th, layout);
                gc.backward(loss);
                grad = th.getGradient().toDoubleArray();
            }
            double h = 1e-6;
            double worst = 0;
            for (int i = 0; i < theta.length; i++) {
                double[] plus = theta.clone();
                double[] minus = theta.clone();
                plus[i] += h;
                minus[i] -= h;
                double fd;
                try (NDManager step = m.newSubManager()) {
                    fd = (loss(d, step, batch, Tensors.of(step, plus), layout).getDouble()
                                    - loss(d, step, batch, Tensors.of(step, minus), layout)
                                            .getDouble())
                            / (2 * h);
                }
                double err = Math.abs(fd - grad[i]) / Math.max(1e-3, Math.abs(fd));
                worst = Math.max(worst, err);
                assertTrue(err < 1e-5, "θ[" + i + "]: autograd " + grad[i] + " vs central difference " + fd);
            }
            assertTrue(worst < 1e-5);
        }
    }

    private static NDArray loss(Decoder d, NDManager step, TokenBatch batch, NDArray theta, LoraLayout layout) {
        NDArray logits = d.logits(d.hidden(batch.idsArray(step), batch, new FlatLora(layout, theta, false)));
        return LanguageModelLoss.meanNextTokenNll(logits, batch);
    }

    @Test
    void liveNativeArraysStayFlatOverThousandTrainingSteps() {
        ModelConfig config = TinyModels.qwen2();
        try (NDManager root = Engines.newManager();
                Decoder d = Decoder.fromWeights(config, new RandomWeights(1), root, DataType.FLOAT32)) {
            LoraLayout layout = new LoraLayout(
                    config, LoraConfig.builder().rank(4).alpha(8).dropout(0.1).build());
            NDArray theta = Tensors.of(root, layout.initialTheta(0));
            TokenBatch batch = TokenBatch.of(SEQUENCES);
            int after10 = -1;
            for (int s = 0; s < 1000; s++) {
                try (NDManager step = root.newSubManager();
                        GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                    NDArray th = theta.duplicate();
                    th.attach(step);
                    th.setRequiresGradient(true);
                    NDArray logits = d.logits(d.hidden(batch.idsArray(step), batch, new FlatLora(layout, th, true)));
                    gc.backward(LanguageModelLoss.meanNextTokenNll(logits, batch));
                    theta.subi(th.getGradient().mul(0.01)); // a plain SGD step keeps θ changing
                }
                if (s == 9) {
                    after10 = root.getManagedArrays().size();
                }
            }
            assertEquals(after10, root.getManagedArrays().size(), "live arrays after 10 and after 1000 steps");
            assertTrue(Double.isFinite(theta.sum().getFloat()));
        }
    }
}
