package dev.loracurve.cli;

import dev.loracurve.core.lora.LoraConfig;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The LoRA flags of train; defaults are core's ({@link LoraConfig.Builder}). */
final class LoraOptions {
    static final Map<String, String> FLAGS = Map.of(
            "lora.r", "--rank", "lora.alpha", "--alpha", "lora.dropout", "--dropout", "lora.targets", "--targets");

    @Option(names = "--rank", defaultValue = "" + LoraConfig.Builder.DEFAULT_RANK)
    int rank;

    @Option(names = "--alpha", defaultValue = "" + LoraConfig.Builder.DEFAULT_ALPHA)
    double alpha;

    @Option(names = "--dropout", defaultValue = "" + LoraConfig.Builder.DEFAULT_DROPOUT)
    double dropout;

    @Option(names = "--targets", split = ",", description = "PEFT module names (default: all seven projections)")
    List<String> targets;

    @Option(names = "--rslora", description = "scale alpha / sqrt(r)")
    boolean rslora;

    LoraConfig.Builder apply(LoraConfig.Builder b) {
        b.rank(rank).alpha(alpha).dropout(dropout).rslora(rslora);
        return targets == null ? b : b.targetNames(targets);
    }
}
