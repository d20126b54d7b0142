package dev.loracurve.core.eval;

import dev.loracurve.core.config.Violations;
import java.util.List;

/**
 * What an evaluation scores and how. Built by name, defaults in {@link Builder}:
 * {@code EvalConfig.builder().methods(List.of(EvalMethod.MAP, EvalMethod.CURVE)).samples(10).build()}.
 *
 * @param methods    the methods scored, in the report's order
 * @param samples    M: points per path, dropout masks
 * @param randomT    seed for t ~ U(0, 1), or null for t_m = (m - 0.5) / M
 * @param mcDropout  dropout probability of MC dropout, in (0, 1) when mcdropout is scored
 * @param batchSize  items per scoring chunk (a batched chunk has M × this rows)
 * @param sequential one forward pass per sample instead of batched adapters (same numbers, slower)
 * @param pathGrid   > 0: also profile the loss along the first curve and its straight path on this
 *                   many t values (training items: the first 1000), into the report as "path"
 * @param fisherItems the training items Laplace's Fisher is computed on (the first N; scaled to all)
 * @param planeGrid  > 0: also the training loss on the plane through the first curve's first three
 *                   junctions, on planeGrid × planeGrid points (training items: the first 500),
 *                   into the report as "plane"
 */
public record EvalConfig(
        List<EvalMethod> methods,
        int samples,
        Long randomT,
        double mcDropout,
        int batchSize,
        boolean sequential,
        int pathGrid,
        int fisherItems,
        int planeGrid) {

    public EvalConfig {
        methods = methods.stream().distinct().toList();
        Violations v = new Violations();
        v.require(!methods.isEmpty(), "methods", "must name at least one of " + EvalMethod.keys());
        v.positive("samples", samples).positive("batchSize", batchSize).positive("fisherItems", fisherItems);
        v.require(
                !methods.contains(EvalMethod.MCDROPOUT) || (mcDropout > 0 && mcDropout < 1),
                "mcDropout",
                "must be in (0, 1) for mcdropout, got " + mcDropout);
        v.require(pathGrid == 0 || pathGrid >= 2, "pathGrid", "must be 0 (none) or >= 2, got " + pathGrid);
        v.require(planeGrid == 0 || planeGrid >= 2, "planeGrid", "must be 0 (none) or >= 2, got " + planeGrid);
        v.throwIfAny();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults: every method, M = 10 stratified t, MC dropout 0.1, chunks of 8 items, batched, no path grid. */
    public static final class Builder {
        public static final int DEFAULT_SAMPLES = 10;
        public static final double DEFAULT_MC_DROPOUT = 0.1;
        public static final int DEFAULT_BATCH_SIZE = 8;
        public static final int DEFAULT_FISHER_ITEMS = 256;
        /**
         * Every method but temperature (it needs a validation split to fit on), swag (it needs runs
         * trained with SWAG on) and laplace (a backward pass per training item and class).
         */
        public static final List<EvalMethod> DEFAULT_METHODS =
                List.of(EvalMethod.MAP, EvalMethod.ENSEMBLE, EvalMethod.LINEAR, EvalMethod.MCDROPOUT, EvalMethod.CURVE);

        private List<EvalMethod> methods = DEFAULT_METHODS;
        private int samples = DEFAULT_SAMPLES;
        private Long randomT = null;
        private double mcDropout = DEFAULT_MC_DROPOUT;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private boolean sequential = false;
        private int pathGrid = 0;
        private int fisherItems = DEFAULT_FISHER_ITEMS;
        private int planeGrid = 0;

        public Builder methods(List<EvalMethod> v) {
            methods = v;
            return this;
        }

        /** Methods by their keys ("map", "curve", …); an unknown key is a violation of {@code methods}. */
        public Builder methodKeys(List<String> keys) {
            methods = EvalMethod.parse(keys, "methods");
            return this;
        }

        public Builder samples(int v) {
            samples = v;
            return this;
        }

        public Builder randomT(Long seed) {
            randomT = seed;
            return this;
        }

        public Builder mcDropout(double v) {
            mcDropout = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder sequential(boolean v) {
            sequential = v;
            return this;
        }

        public Builder pathGrid(int v) {
            pathGrid = v;
            return this;
        }

        public Builder fisherItems(int v) {
            fisherItems = v;
            return this;
        }

        public Builder planeGrid(int v) {
            planeGrid = v;
            return this;
        }

        public EvalConfig build() {
            return new EvalConfig(
                    methods, samples, randomT, mcDropout, batchSize, sequential, pathGrid, fisherItems, planeGrid);
        }
    }
}
