package dev.loracurve.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.RandomWeights;
import dev.loracurve.core.tasks.Example;
import dev.loracurve.core.testing.RandomData;
import dev.loracurve.core.testing.TinyModels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Batched multi-adapter evaluation gives the probabilities of one pass per adapter. */
class SampleScorerTest {

    @Test
    void batchedEqualsSequential() {
        List<Example> examples = RandomData.examples(23, 4); // mixed choice counts and lengths; last chunk short
        try (NDManager m = Engines.newManager();
                Decoder d = Decoder.fromWeights(TinyModels.llama(), new RandomWeights(5), m, DataType.FLOAT32)) {
            LoraLayout layout = new LoraLayout(
                    d.config(),
                    LoraConfig.builder().rank(4).alpha(8).dropout(0.1).build());
            List<float[]> thetas = RandomData.points(10, layout.intSize(), 0.2, 6);
            SampleScorer scorer = new SampleScorer(d, m, layout, 8);
            double[][][] batched = scorer.score(thetas, false, examples, true, 0);
            double[][][] sequential = scorer.score(thetas, false, examples, false, 0);
            double maxDiff = 0;
            for (int s = 0; s < thetas.size(); s++) {
                for (int i = 0; i < examples.size(); i++) {
                    assertEquals(examples.get(i).choiceCount(), batched[s][i].length);
                    for (int c = 0; c < batched[s][i].length; c++) {
                        maxDiff = Math.max(maxDiff, Math.abs(batched[s][i][c] - sequential[s][i][c]));
                    }
                }
            }
            assertTrue(maxDiff < 1e-5, "max |Δp| = " + maxDiff);
            // samples differ from each other: the adapters are really applied per row
            assertTrue(Math.abs(batched[0][0][0] - batched[1][0][0]) > 1e-4);
            // MC dropout: copies of one θ with dropout give different samples
            double[][][] mc = scorer.score(SampleScorer.copies(thetas.get(0), 4), true, examples, true, 1);
            assertTrue(Math.abs(mc[0][0][0] - mc[1][0][0]) > 1e-6);
        }
    }

    /** Long items: the samples run in groups that fit the token budget, with the same probabilities. */
    @Test
    void longItemsRunInGroupsOfSamplesWithTheSameProbabilities() {
        SplittableRandom rng = new SplittableRandom(8);
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            long[] prefix = rng.longs(200, 3, TinyModels.llama().vocabSize()).toArray();
            examples.add(new Example("long" + i, prefix, new long[][] {{3}, {4, 5}}, i % 2, false));
        }
        try (NDManager m = Engines.newManager();
                Decoder d = Decoder.fromWeights(TinyModels.llama(), new RandomWeights(5), m, DataType.FLOAT32)) {
            LoraLayout layout = new LoraLayout(
                    d.config(), LoraConfig.builder().rank(4).alpha(8).dropout(0).build());
            List<float[]> thetas = RandomData.points(5, layout.intSize(), 0.2, 6);
            SampleScorer scorer = new SampleScorer(d, m, layout, 4);
            assertEquals(2, scorer.samplesPerPass(5, examples), "4 items of 201 tokens: 2 samples per 2,048 tokens");
            double[][][] grouped = scorer.score(thetas, false, examples, true, 0);
            double[][][] sequential = scorer.score(thetas, false, examples, false, 0);
            for (int s = 0; s < thetas.size(); s++) {
                for (int i = 0; i < examples.size(); i++) {
                    assertArrayEquals(sequential[s][i], grouped[s][i], 1e-5, "sample " + s + ", item " + i);
                }
            }
        }
    }
}
