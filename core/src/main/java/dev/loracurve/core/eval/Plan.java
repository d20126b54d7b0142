package dev.loracurve.core.eval;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.posterior.Laplace;
import dev.loracurve.core.tasks.OodSet;
import dev.loracurve.core.train.ClassifierObjective;
import dev.loracurve.core.train.Seeds;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one named method of a report scores, and how: one scorer per kind of method. */
sealed interface Plan permits Plan.Points, Plan.Members, Plan.Tempered, Plan.LaplaceFit {
    /** The t of each sample on a path, or null. */
    default double[] ts() {
        return null;
    }

    /** Scores the test items and every OOD set; {@code seed} (and seed + 1 for OOD) draws any randomness. */
    Scored score(EvalContext ctx, long seed);

    /** Samples of one LoRA layout: an optimum (MAP), SWAG draws, points on a path, dropout masks. */
    record Points(List<float[]> thetas, LoraConfig lora, boolean dropout, double[] ts) implements Plan {
        static Points one(float[] theta, LoraConfig lora) {
            return new Points(List.of(theta), lora, false, null);
        }

        @Override
        public Scored score(EvalContext ctx, long seed) {
            return ctx.scoreAll(thetas, List.of(lora), dropout, seed);
        }
    }

    /** A mixture of scored methods (an ensemble's MAP members), reusing their scores when they have them. */
    record Members(List<String> members, List<float[]> thetas, List<LoraConfig> loras) implements Plan {
        @Override
        public Scored score(EvalContext ctx, long seed) {
            Scored reused = ctx.reuse(members);
            return reused != null ? reused : ctx.scoreAll(thetas, loras, false, seed);
        }
    }

    /** One optimum (its MAP method's scores when it has them) at the temperature fitted on the validation split. */
    record Tempered(String member, float[] theta, LoraConfig lora) implements Plan {
        @Override
        public Scored score(EvalContext ctx, long seed) {
            Scored base = ctx.reuse(List.of(member));
            if (base == null) {
                base = ctx.scoreAll(List.of(theta), List.of(lora), false, seed);
            }
            double[][] fit = ctx.score(List.of(theta), List.of(lora), false, ctx.validation(), seed)[0];
            double t = Temperature.fit(fit, EvalContext.labels(ctx.validation()));
            return base.map(
                    p -> Temperature.apply(p, t),
                    JsonNodeFactory.instance
                            .objectNode()
                            .put("temperature", t)
                            .put("fit_items", ctx.validation().size()));
        }
    }

    /**
     * One optimum's diagonal Laplace posterior, fitted here (it needs the model): Fisher on the
     * first training items, prior precision by the evidence, then chosen on the validation split
     * when there is one; its linearised predictive scores the items.
     */
    record LaplaceFit(float[] theta, LoraConfig lora) implements Plan {
        private static final long SEED = 0x1A9;
        /** Draws per item when the prior precision is chosen on the validation split. */
        private static final int VALIDATION_DRAWS = 32;

        @Override
        public Scored score(EvalContext ctx, long seed) {
            ClassifierObjective objective =
                    new ClassifierObjective(ctx.decoder(), ctx.manager(), new LoraLayout(ctx.modelConfig(), lora));
            float[] fisher = Laplace.fisherDiagonal(objective, theta, ctx.fisher(), ctx.trainItems());
            double evidence = Laplace.priorPrecision(theta, fisher);
            double precision = evidence;
            long laplaceSeed = Seeds.mix(SEED, seed);
            if (!ctx.validation().isEmpty()) {
                double[] grid = Laplace.precisionGrid(evidence);
                double[] nll = Laplace.validationNll(
                        objective, theta, fisher, grid, ctx.validation(), VALIDATION_DRAWS, laplaceSeed + 2);
                int best = 0;
                for (int g = 1; g < grid.length; g++) {
                    best = nll[g] < nll[best] ? g : best;
                }
                precision = grid[best];
            }
            float[] variance = Laplace.posteriorVariance(fisher, precision);
            int draws = ctx.config().samples();
            double[][][] test =
                    Laplace.linearisedPredictive(objective, theta, variance, ctx.test(), draws, laplaceSeed);
            Map<OodSet, double[][][]> ood = new LinkedHashMap<>();
            ctx.ood()
                    .forEach((set, items) -> ood.put(
                            set,
                            Laplace.linearisedPredictive(objective, theta, variance, items, draws, laplaceSeed + 1)));
            return new Scored(
                    test,
                    ood,
                    JsonNodeFactory.instance
                            .objectNode()
                            .put("prior_precision", precision)
                            .put("prior_precision_evidence", evidence)
                            .put(
                                    "prior_precision_by",
                                    ctx.validation().isEmpty() ? "marginal_likelihood" : "validation")
                            .put("fisher_items", ctx.fisher().size())
                            .put("fit_items", ctx.validation().size()));
        }
    }
}
