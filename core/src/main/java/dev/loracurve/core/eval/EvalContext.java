package dev.loracurve.core.eval;

import ai.djl.ndarray.NDManager;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.tasks.Example;
import dev.loracurve.core.tasks.OodSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every plan scores with: the model, the encoded items of each split and OOD set, and the
 * methods already scored (by name), whose scores a mixture of them reuses.
 *
 * @param validation the validation items (empty unless a method fits on them)
 * @param fisher     the training items Laplace's Fisher is computed on (empty unless Laplace runs)
 * @param trainItems the size of the training split the Fisher is scaled to
 */
record EvalContext(
        Decoder decoder,
        NDManager manager,
        ModelConfig modelConfig,
        EvalConfig config,
        List<Example> test,
        Map<OodSet, List<Example>> ood,
        List<Example> validation,
        List<Example> fisher,
        int trainItems,
        Map<String, Scored> scored) {

    static int[] labels(List<Example> items) {
        return items.stream().mapToInt(Example::label).toArray();
    }

    /** Scores the test items with {@code seed} and each OOD set with {@code seed + 1}. */
    Scored scoreAll(List<float[]> thetas, List<LoraConfig> loras, boolean dropout, long seed) {
        double[][][] p = score(thetas, loras, dropout, test, seed);
        Map<OodSet, double[][][]> po = new LinkedHashMap<>();
        ood.forEach((set, items) -> po.put(set, score(thetas, loras, dropout, items, seed + 1)));
        return new Scored(p, po);
    }

    /**
     * Scores samples on {@code items}: in one batched pass when they share one layout (and the
     * config batches), else one pass per sample, each with its own layout.
     */
    double[][][] score(List<float[]> thetas, List<LoraConfig> loras, boolean dropout, List<Example> items, long seed) {
        boolean batched = !config.sequential();
        if (loras.stream().distinct().count() == 1) {
            return scorer(loras.get(0)).score(thetas, dropout, items, batched, seed);
        }
        double[][][] out = new double[thetas.size()][][];
        for (int i = 0; i < out.length; i++) {
            out[i] = scorer(loras.get(i)).score(List.of(thetas.get(i)), dropout, items, batched, seed)[0];
        }
        return out;
    }

    private SampleScorer scorer(LoraConfig lora) {
        return new SampleScorer(decoder, manager, new LoraLayout(modelConfig, lora), config.batchSize());
    }

    /** The samples of scored methods one after another, or null when one of them was not scored. */
    Scored reuse(List<String> members) {
        if (!scored.keySet().containsAll(members)) {
            return null;
        }
        List<double[][]> test = new ArrayList<>();
        Map<OodSet, List<double[][]>> byOod = new LinkedHashMap<>();
        ood.keySet().forEach(set -> byOod.put(set, new ArrayList<>()));
        for (String member : members) {
            Scored s = scored.get(member);
            test.addAll(List.of(s.test()));
            byOod.forEach((set, samples) -> samples.addAll(List.of(s.ood().get(set))));
        }
        Map<OodSet, double[][][]> ood = new LinkedHashMap<>();
        byOod.forEach((set, samples) -> ood.put(set, samples.toArray(new double[0][][])));
        return new Scored(test.toArray(new double[0][][]), ood);
    }
}
