package dev.loracurve.core.model;

/** RoPE inverse frequencies θ^(-2i/hd), with Llama 3's rope_scaling when the config has it. */
final class RopeFrequencies {
    private RopeFrequencies() {}

    static double[] inverse(ModelConfig c) {
        int hd = c.headDim();
        double[] inv = new double[hd / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = Math.pow(c.ropeTheta(), -2.0 * i / hd);
        }
        ModelConfig.RopeScaling s = c.ropeScaling();
        if (s != null) {
            // transformers' _compute_llama3_parameters: long wavelengths divided by factor,
            // short ones kept, a linear blend in between.
            double lowWavelen = s.originalMaxPositions() / s.lowFreqFactor();
            double highWavelen = s.originalMaxPositions() / s.highFreqFactor();
            for (int i = 0; i < inv.length; i++) {
                double wavelen = 2 * Math.PI / inv[i];
                if (wavelen > lowWavelen) {
                    inv[i] = inv[i] / s.factor();
                } else if (wavelen >= highWavelen) {
                    double smooth = (s.originalMaxPositions() / wavelen - s.lowFreqFactor())
                            / (s.highFreqFactor() - s.lowFreqFactor());
                    inv[i] = (1 - smooth) * inv[i] / s.factor() + smooth * inv[i];
                }
            }
        }
        return inv;
    }
}
