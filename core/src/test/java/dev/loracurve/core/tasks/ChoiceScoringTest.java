package dev.loracurve.core.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.lora.BatchedLora;
import dev.loracurve.core.lora.FlatLora;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraDelta;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.RandomWeights;
import dev.loracurve.core.model.TextTokenizer;
import dev.loracurve.core.model.TokenBatch;
import dev.loracurve.core.testing.RandomData;
import dev.loracurve.core.testing.Shared;
import dev.loracurve.core.testing.TinyModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ChoiceScoringTest {

    /** Reference: each choice run as its own plain sequence, log-likelihoods summed in Java. */
    private static double[] bruteForce(Decoder d, NDManager m, Example e) {
        double[] scores = new double[e.choiceCount()];
        int v = d.config().vocabSize();
        for (int c = 0; c < scores.length; c++) {
            long[] cont = e.continuations()[c];
            long[] seq = LongStream.concat(LongStream.of(e.prefix()), LongStream.of(cont))
                    .toArray();
            TokenBatch b = TokenBatch.of(List.of(seq));
            double[] logits =
                    d.logits(d.hidden(b.idsArray(m), b, LoraDelta.NONE)).toDoubleArray();
            for (int j = 0; j < cont.length; j++) {
                int pos = e.prefix().length - 1 + j;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < v; k++) {
                    max = Math.max(max, logits[pos * v + k]);
                }
                double sum = 0;
                for (int k = 0; k < v; k++) {
                    sum += Math.exp(logits[pos * v + k] - max);
                }
                scores[c] += logits[pos * v + (int) cont[j]] - max - Math.log(sum);
            }
        }
        double max = Arrays.stream(scores).max().orElseThrow();
        double z = Arrays.stream(scores).map(s -> Math.exp(s - max)).sum();
        return Arrays.stream(scores).map(s -> s - max - Math.log(z)).toArray();
    }

    @Test
    void packedScoringEqualsSeparateSequencesInFloat64() {
        List<Example> batch = List.of(
                new Example("multi", new long[] {1, 4, 9, 2}, new long[][] {{5, 6}, {7}, {8, 3, 11}}, 2, false),
                new Example("two", new long[] {1, 3}, new long[][] {{12}, {13, 14}}, 0, false),
                new Example("single", new long[] {1, 20, 21, 22, 23, 24}, new long[][] {{5}, {6}, {7}, {8}}, 1, false));
        try (NDManager m = Engines.newManager();
                Decoder d = Decoder.fromWeights(TinyModels.qwen2(), new RandomWeights(9), m, DataType.FLOAT64)) {
            double[] got = ChoiceScorer.logProbs(d, m, batch, LoraDelta.NONE).toDoubleArray(); // (3, 4)
            for (int b = 0; b < batch.size(); b++) {
                double[] want = bruteForce(d, m, batch.get(b));
                for (int c = 0; c < want.length; c++) {
                    assertEquals(want[c], got[b * 4 + c], 1e-10, batch.get(b).id() + " choice " + c);
                }
            }
            // all single-token: the plain (unpacked) path
            List<Example> singles =
                    List.of(batch.get(2), new Example("s2", new long[] {1, 2}, new long[][] {{9}, {10}}, 1, false));
            double[] plain =
                    ChoiceScorer.logProbs(d, m, singles, LoraDelta.NONE).toDoubleArray();
            assertArrayEquals(bruteForce(d, m, singles.get(1)), new double[] {plain[4], plain[5]}, 1e-10);
            double ce = ChoiceScorer.crossEntropy(ChoiceScorer.logProbs(d, m, batch, LoraDelta.NONE), batch)
                    .getDouble();
            double want = -(bruteForce(d, m, batch.get(0))[2]
                            + bruteForce(d, m, batch.get(1))[0]
                            + bruteForce(d, m, batch.get(2))[1])
                    / 3;
            assertEquals(want, ce, 1e-10);
        }
    }

    /**
     * Short items share a row (block-diagonal attention, positions from 0 per item) and score as
     * each alone; with two adapters batched, each group of rows runs with its own adapter.
     */
    @Test
    void itemsSharingRowsScoreAsEachAlone() {
        List<Example> batch = List.of(
                new Example("long", new long[] {1, 20, 21, 22, 23, 24, 25, 26, 27}, new long[][] {{5}, {6}}, 0, false),
                new Example("two", new long[] {1, 3}, new long[][] {{12}, {13, 14}}, 1, false),
                new Example("multi", new long[] {1, 4}, new long[][] {{5, 6}, {7}}, 0, false),
                new Example("short", new long[] {1, 9}, new long[][] {{10}, {11}, {12}}, 2, false));
        assertTrue(ChoiceScorer.pack(batch).size() < batch.size(), "the three short items share a row");
        ModelConfig config = TinyModels.qwen2();
        LoraLayout layout = new LoraLayout(
                config, LoraConfig.builder().rank(2).alpha(4).dropout(0).build());
        try (NDManager m = Engines.newManager();
                Decoder d = Decoder.fromWeights(config, new RandomWeights(9), m, DataType.FLOAT64)) {
            double[] got = ChoiceScorer.logProbs(d, m, batch, LoraDelta.NONE).toDoubleArray(); // (4, 3)
            for (int b = 0; b < batch.size(); b++) {
                double[] want = bruteForce(d, m, batch.get(b));
                for (int c = 0; c < want.length; c++) {
                    assertEquals(want[c], got[b * 3 + c], 1e-10, batch.get(b).id() + " choice " + c);
                }
            }
            double[][] thetas = {RandomData.theta(layout, 3), RandomData.theta(layout, 4)};
            double[] both = new double[2 * thetas[0].length];
            System.arraycopy(thetas[0], 0, both, 0, thetas[0].length);
            System.arraycopy(thetas[1], 0, both, thetas[0].length, thetas[0].length);
            List<Example> twice = new ArrayList<>(batch);
            twice.addAll(batch);
            double[] batched = ChoiceScorer.logProbs(
                            d,
                            m,
                            twice,
                            new BatchedLora(layout, Tensors.of(m, both, new Shape(2, thetas[0].length)), false))
                    .toDoubleArray(); // (8, 3): adapter 0's items, then adapter 1's
            for (int a = 0; a < 2; a++) {
                double[] alone = ChoiceScorer.logProbs(
                                d, m, batch, new FlatLora(layout, Tensors.of(m, thetas[a]), false))
                        .toDoubleArray();
                assertArrayEquals(alone, Arrays.copyOfRange(batched, a * 12, a * 12 + 12), 1e-10, "adapter " + a);
            }
        }
    }

    private static Item mc(String passage, List<String> cues) {
        return new Item("x", passage, "Question: Which one?\nAnswer:", cues, cues, 0, passage);
    }

    @Test
    void cuesAreTokenisedInContext() {
        try (TextTokenizer tok = TextTokenizer.load(Shared.require("models/stories260K"))) {
            PromptEncoder enc = new PromptEncoder(tok, 512);
            Item item = mc("", List.of(" A", " B", " C", " D"));
            Example e = enc.encode(item);
            for (int c = 0; c < 4; c++) {
                long[] whole = LongStream.concat(LongStream.of(e.prefix()), LongStream.of(e.continuations()[c]))
                        .toArray();
                assertArrayEquals(
                        tok.encode(item.prompt() + item.cues().get(c)),
                        whole,
                        item.cues().get(c));
            }
            // in this vocabulary " B" is one piece while " A", " C", " D" start with the same bare space
            assertEquals(1, e.continuations()[1].length);
            assertEquals(2, e.continuations()[0].length);
            assertEquals(e.continuations()[0][0], e.continuations()[2][0]);
            IllegalArgumentException same =
                    assertThrows(IllegalArgumentException.class, () -> enc.encode(mc("", List.of(" A", " A"))));
            assertTrue(same.getMessage().contains("tokenise identically"), same.getMessage());
        }
    }

    @Test
    void longPassagesLoseWordsFromTheLeftOnly() {
        try (TextTokenizer tok = TextTokenizer.load(Shared.require("models/stories260K"))) {
            String passage =
                    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen.\n";
            Item item = mc(passage, List.of(" yes", " no"));
            int full = new PromptEncoder(tok, 512).encode(item).packedLength();
            PromptEncoder enc = new PromptEncoder(tok, full - 10);
            Example e = enc.encode(item);
            assertTrue(e.truncated() && e.packedLength() <= full - 10 && e.packedLength() > full - 20);
            String text = tok.decode(e.prefix());
            assertTrue(text.endsWith("sixteen.\nQuestion: Which one?\nAnswer:") && !text.contains("one two"), text);
            IllegalArgumentException tooLong =
                    assertThrows(IllegalArgumentException.class, () -> new PromptEncoder(tok, 8).encode(item));
            assertTrue(tooLong.getMessage().contains("question, choices and cue alone"), tooLong.getMessage());
        }
    }
}
