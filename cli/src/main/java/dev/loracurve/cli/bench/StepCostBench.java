package dev.loracurve.cli.bench;

import ai.djl.ndarray.NDManager;
import dev.loracurve.core.curve.BezierCurve;
import dev.loracurve.core.curve.CurveFitConfig;
import dev.loracurve.core.curve.CurveFitter;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.tasks.Example;
import dev.loracurve.core.train.AdamW;
import dev.loracurve.core.train.ClassifierObjective;
import dev.loracurve.core.train.DataOrder;
import dev.loracurve.core.train.OptimizerConfig;
import dev.loracurve.core.train.Schedule;
import java.util.List;

/**
 * One LoRA training step against one curve-fitting step (t draw, φ(t), gradient, scatter, AdamW
 * on the control points) at the same batch, without and with the JS term (M = 3), on TREC-shaped items.
 */
final class StepCostBench {
    private StepCostBench() {}

    static void run(String name, Decoder d, NDManager m, int rank, Timing timing) {
        // the curve fits with LoRA dropout on, as its default training does
        LoraConfig lora = Workloads.lora(rank).withDropout(LoraConfig.Builder.DEFAULT_DROPOUT);
        LoraLayout layout = new LoraLayout(d.config(), lora);
        List<Example> items = Workloads.trecShapedItems(d.config().vocabSize(), 64);
        OptimizerConfig optimizer =
                OptimizerConfig.builder().lr(1e-3).schedule(Schedule.CONSTANT).build();
        ClassifierObjective objective = new ClassifierObjective(d, m, layout);
        float[] theta = layout.initialTheta(1);
        AdamW adam = optimizer.newAdamW(theta.length);
        DataOrder<Example> order = new DataOrder<>(items, 1);
        long[] step = {0};
        double trainStep = timing.median(() -> {
            float[] g = new float[theta.length];
            objective.gradient(theta, order.batch(step[0]++ * 16, 16), true, g, 1f);
            adam.step(theta, g, optimizer.lr());
        });
        BezierCurve curve =
                BezierCurve.anchored(List.of(theta.clone(), layout.initialTheta(2), layout.initialTheta(3)), 2, 0, 0);
        double[] curveSteps = new double[2];
        for (int js = 0; js < 2; js++) {
            CurveFitConfig cfg = CurveFitConfig.builder()
                    .steps(1)
                    .batchSize(16)
                    .optimizer(o -> o.lr(1e-3).schedule(Schedule.CONSTANT))
                    .diversity(js == 0 ? 0 : 0.1, 3)
                    .dropout(true)
                    .checkpointEvery(0)
                    .build();
            CurveFitter fitter = new CurveFitter(d, m, lora, cfg);
            curveSteps[js] = timing.median(() -> fitter.step(curve, items, step[0]++));
        }
        System.out.printf("%s, one optimizer step at batch 16 (TREC-shaped items):%n", name);
        System.out.printf("  LoRA training step  %7.1f ms%n", trainStep * 1e3);
        System.out.printf(
                "  curve step          %7.1f ms  (%.2fx the training step)%n",
                curveSteps[0] * 1e3, curveSteps[0] / trainStep);
        System.out.printf(
                "  curve step, JS M=3  %7.1f ms  (%.2fx the training step)%n",
                curveSteps[1] * 1e3, curveSteps[1] / trainStep);
    }
}
