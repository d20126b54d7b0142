package dev.loracurve.service.testing;

import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.lora.PeftAdapter;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.store.Sha256;
import dev.loracurve.proto.v1.Artifact;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.service.Specs;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** K random LoRA adapters of a spec's layout written into the store, as a trainer would leave them. */
public final class Optima {
    private Optima() {}

    public static List<Artifact> write(Path store, String experimentId, ExperimentSpec spec) {
        ModelConfig model = ModelConfig.load(Path.of(URI.create(spec.getBaseModelUri())));
        LoraConfig lora = Specs.lora(spec);
        LoraLayout layout = new LoraLayout(model, lora);
        List<Artifact> out = new ArrayList<>();
        for (int i = 0; i < spec.getK(); i++) {
            float[] theta = new float[layout.intSize()];
            SplittableRandom rng = new SplittableRandom(100 + i);
            for (int d = 0; d < theta.length; d++) {
                theta[d] = (float) (0.1 * rng.nextGaussian());
            }
            Path dir = store.resolve("experiments")
                    .resolve(experimentId)
                    .resolve("optima")
                    .resolve("run-" + i);
            new PeftAdapter(lora, theta, "tiny").write(dir, model);
            out.add(Artifact.newBuilder()
                    .setUri(dir.toUri().toString())
                    .setSha256(Sha256.ofTree(dir))
                    .build());
        }
        return out;
    }
}
