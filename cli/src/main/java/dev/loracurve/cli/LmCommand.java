package dev.loracurve.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.lora.FlatLora;
import dev.loracurve.core.lora.LoraDelta;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.lora.PeftAdapter;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.TextTokenizer;
import dev.loracurve.core.model.TokenBatch;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs a base model (optionally with an adapter) on a text and shows the next-token distribution. */
@Command(
        name = "lm",
        mixinStandardHelpOptions = true,
        description = "Tokenize TEXT, run the model, print the most likely next tokens.")
final class LmCommand implements Runnable {
    @Option(
            names = "--model",
            required = true,
            description = "Hugging Face model folder (config.json, safetensors, tokenizer.json)")
    Path model;

    @Option(names = "--adapter", description = "PEFT LoRA adapter folder")
    Path adapter;

    @Option(names = "--text", required = true)
    String text;

    @Option(names = "--top", defaultValue = "10", description = "how many tokens to list (default ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--json", description = "end with one JSON line: input_ids and last_logits (all vocabulary logits)")
    boolean json;

    @Override
    public void run() {
        try (NDManager m = Engines.newManager();
                Decoder decoder = Decoder.load(model, m);
                TextTokenizer tok = TextTokenizer.load(model)) {
            LoraDelta lora = LoraDelta.NONE;
            if (adapter != null) {
                PeftAdapter a = PeftAdapter.read(adapter, decoder.config());
                lora = new FlatLora(new LoraLayout(decoder.config(), a.config()), Tensors.of(m, a.theta()), false);
            }
            long[] ids = tok.encode(text);
            TokenBatch batch = TokenBatch.of(List.of(ids));
            float[] logits = decoder.lastLogits(batch.idsArray(m), batch, lora).toFloatArray();
            double[] probs = softmax(logits);
            System.out.printf("%d tokens; most likely next tokens:%n", ids.length);
            IntStream.range(0, logits.length)
                    .boxed()
                    .sorted(Comparator.comparingDouble(i -> -logits[i]))
                    .limit(top)
                    .forEach(i -> System.out.printf(
                            "  %6d  %-16s  p=%.4f  logit=%.4f%n",
                            i, "'" + tok.decode(new long[] {i}) + "'", probs[i], logits[i]));
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                ObjectNode out = mapper.createObjectNode();
                out.putPOJO("input_ids", ids);
                out.putPOJO("last_logits", logits);
                System.out.println(out);
            }
        }
    }

    private static double[] softmax(float[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            p[i] = Math.exp(x[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
