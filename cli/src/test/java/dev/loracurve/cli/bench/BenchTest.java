package dev.loracurve.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.RandomWeights;
import dev.loracurve.core.model.TokenBatch;
import dev.loracurve.core.tasks.Example;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the benchmarks compute besides timings, and each benchmark run once on a tiny model. */
class BenchTest {
    @Test
    void activationBytesOfTheThirtyMillionLlamaMatchAHandCount() {
        // per token and layer: 8·512 (norms, q/k/rope, attention out) + 4·512 (k/v heads: 8 × 64)
        // + 5·1376 (MLP) + 2·8·128 (scores, probabilities) = 15,072; × 8 layers + 3·8192 (logits)
        // = 145,152 floats per token; × 4 bytes × 512 tokens
        assertEquals(145_152L * 4 * 512, ActivationMemory.loraStepBytes(ModelShapes.LLAMA_30M, 4, 128));
        // the attention term grows with the sequence: twice the rows of the same length cost exactly twice
        assertEquals(
                2 * ActivationMemory.loraStepBytes(ModelShapes.LLAMA_30M, 4, 128),
                ActivationMemory.loraStepBytes(ModelShapes.LLAMA_30M, 8, 128));
    }

    @Test
    void procStatusReadsAFieldInKibAndNothingForAMissingOne() {
        String status = "Name:\tjava\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nRssFile:\t 2048 kB\n";
        assertEquals(102_400, ProcStatus.parseKib(status, "VmRSS:"));
        assertEquals(204_800, ProcStatus.parseKib(status, "VmHWM:"));
        assertEquals(-1, ProcStatus.parseKib(status, "VmSwap:"));
        assertTrue(ProcStatus.selfMib("VmRSS:") >= 0);
    }

    @Test
    void theMedianIsTheMiddleValueOrTheUpperOfTwo() {
        assertEquals(3.0, Timing.median(new double[] {5, 1, 3}));
        assertEquals(4.0, Timing.median(new double[] {4, 1, 9, 2}));
        double[] unsorted = {3, 1, 2};
        Timing.median(unsorted);
        assertEquals(List.of(3.0, 1.0, 2.0), Arrays.stream(unsorted).boxed().toList(), "its input untouched");
    }

    @Test
    void workloadsAreSeededAndShapedAsDescribed() {
        TokenBatch a = Workloads.randomBatch(100, 3, 7);
        assertEquals(3, a.batchSize());
        assertTrue(Arrays.stream(a.ids()).flatMapToLong(Arrays::stream).allMatch(id -> id >= 0 && id < 100));
        assertTrue(Arrays.deepEquals(a.ids(), Workloads.randomBatch(100, 3, 7).ids()), "the same every run");
        for (Example e : Workloads.trecShapedItems(50, 4)) {
            assertEquals(24, e.prefix().length);
            assertEquals(6, e.choiceCount());
            assertEquals(
                    6,
                    Arrays.stream(e.continuations())
                            .mapToLong(c -> c[0])
                            .distinct()
                            .count());
        }
    }

    @Test
    void everyBenchmarkRunsAndPrintsItsFigures() {
        ModelConfig tiny = ModelConfig.builder("llama")
                .hiddenSize(32)
                .intermediateSize(64)
                .layers(1)
                .heads(2)
                .vocabSize(64)
                .ropeTheta(1e4)
                .rmsNormEps(1e-5)
                .build();
        Timing quick = new Timing(0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        try (NDManager m = Engines.newManager();
                Decoder d = Decoder.fromWeights(tiny, new RandomWeights(0), m, DataType.FLOAT32)) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            double matmul = Matmuls.linear(m, quick, 64, 64, 64);
            ThroughputBench.run("tiny", d, m, 2, 16, 4, matmul, quick);
            StepCostBench.run("tiny", d, m, 4, quick);
            ScoringBench.run("tiny", d, m, 4, quick);
            System.out.println(Matmuls.atProjections(m, quick, tiny, 8, 1));
            assertTrue(matmul > 0);
        } finally {
            System.setOut(stdout);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        for (String line :
                List.of("forward with LoRA", "LoRA training step", "curve step, JS M=3", "M = 10 points", "32->64")) {
            assertTrue(printed.contains(line), line + " in:\n" + printed);
        }
    }
}
