package dev.loracurve.cli;

import dev.loracurve.core.lora.PeftAdapter;
import dev.loracurve.core.model.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Facts about LoRA adapters as points θ in LoRA space. */
@Command(
        name = "adapters",
        mixinStandardHelpOptions = true,
        description = "Pairwise L2 distances and norms of adapters' θ.")
final class AdaptersCommand implements Runnable {
    @Option(names = "--model", required = true, description = "base model folder (its config.json fixes the layout)")
    Path model;

    @Parameters(arity = "1..*", paramLabel = "ADAPTER", description = "PEFT adapter folders")
    List<Path> adapters;

    @Override
    public void run() {
        ModelConfig config = ModelConfig.load(model);
        List<float[]> thetas = new ArrayList<>();
        for (Path a : adapters) {
            thetas.add(PeftAdapter.read(a, config).theta());
        }
        for (int i = 0; i < thetas.size(); i++) {
            System.out.printf(
                    "%s: ||θ|| = %.4f (P = %d)%n", adapters.get(i), norm(thetas.get(i), null), thetas.get(i).length);
        }
        for (int i = 0; i < thetas.size(); i++) {
            for (int j = i + 1; j < thetas.size(); j++) {
                if (thetas.get(i).length != thetas.get(j).length) {
                    throw new IllegalArgumentException(
                            adapters.get(i) + " and " + adapters.get(j) + " have different LoRA layouts");
                }
                System.out.printf(
                        "||θ_%d - θ_%d|| = %.4f   (%s, %s)%n",
                        i,
                        j,
                        norm(thetas.get(i), thetas.get(j)),
                        adapters.get(i).getFileName(),
                        adapters.get(j).getFileName());
            }
        }
    }

    private static double norm(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - (b == null ? 0 : b[i]);
            s += d * d;
        }
        return Math.sqrt(s);
    }
}
