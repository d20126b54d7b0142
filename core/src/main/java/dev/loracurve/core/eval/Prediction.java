package dev.loracurve.core.eval;

/**
 * What a posterior says about one input: the Bayesian model average over its samples, the choice
 * it predicts, and its uncertainty split into aleatoric (expected entropy) and epistemic (mutual
 * information) parts, in nats.
 *
 * @param samples probs[m][c] of each sample, or null when they were not asked for
 */
public record Prediction(
        double[] probabilities,
        int choice,
        double entropy,
        double expectedEntropy,
        double mutualInformation,
        double[][] samples) {

    /** The predictions of every item from the samples' probabilities probs[m][i][c]. */
    static Prediction[] of(double[][][] probs, boolean keepSamples) {
        double[][] mean = Metrics.average(probs);
        double[][] unc = Metrics.uncertainty(probs);
        Prediction[] out = new Prediction[mean.length];
        for (int i = 0; i < out.length; i++) {
            double[][] perSample = null;
            if (keepSamples) {
                perSample = new double[probs.length][];
                for (int m = 0; m < probs.length; m++) {
                    perSample[m] = probs[m][i];
                }
            }
            out[i] = new Prediction(mean[i], Metrics.argmax(mean[i]), unc[i][0], unc[i][1], unc[i][2], perSample);
        }
        return out;
    }
}
