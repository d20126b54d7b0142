package dev.loracurve.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.engine.Tensors;
import dev.loracurve.core.lora.FlatLora;
import dev.loracurve.core.lora.LoraDelta;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.lora.PeftAdapter;
import dev.loracurve.core.testing.Shared;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Logits against ../shared/fixtures: an independent float64 implementation, for a real tiny Llama
 * (stories260K) and a random BF16 two-shard Qwen2, each with and without a PEFT adapter. All
 * prompts run as one right-padded batch, so padding is checked too.
 */
class FixtureLogitsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "stories260K.logits.json,            models/stories260K,         ,                                   2e-5",
        "stories260K-lora-r4.logits.json,    models/stories260K,         fixtures/stories260K-lora-r4,       2e-5",
        "tiny-qwen2-bf16.logits.json,        fixtures/tiny-qwen2-bf16,   ,                                   2e-5",
        "tiny-qwen2-bf16-lora-r2.logits.json, fixtures/tiny-qwen2-bf16,  fixtures/tiny-qwen2-bf16-lora-r2,   2e-5",
    })
    void logitsMatchFloat64Reference(String fixture, String model, String adapter, double relTol) throws Exception {
        JsonNode ref = new ObjectMapper()
                .readTree(Shared.require("fixtures/" + fixture).toFile());
        Path modelDir = Shared.require(model);
        try (NDManager m = Engines.newManager();
                Decoder decoder = Decoder.load(modelDir, m);
                TextTokenizer tok = TextTokenizer.load(modelDir)) {
            LoraDelta lora = LoraDelta.NONE;
            if (adapter != null) {
                PeftAdapter a = PeftAdapter.read(Shared.require(adapter), decoder.config());
                lora = new FlatLora(new LoraLayout(decoder.config(), a.config()), Tensors.of(m, a.theta()), false);
            }
            List<long[]> seqs = new ArrayList<>();
            for (JsonNode c : ref.get("cases")) {
                long[] ids = tok.encode(c.get("text").asText());
                assertArrayEquals(longs(c.get("input_ids")), ids, "token ids of: " + c.get("text"));
                seqs.add(ids);
            }
            TokenBatch batch = TokenBatch.of(seqs);
            NDArray ids = batch.idsArray(m);
            NDArray logits = decoder.logits(decoder.hidden(ids, batch, lora)); // (B, T, V)
            int v = decoder.config().vocabSize();
            for (int b = 0; b < seqs.size(); b++) {
                JsonNode c = ref.get("cases").get(b);
                int len = seqs.get(b).length;
                float[] rows = logits.get(b).toFloatArray(); // (T, V)
                double[] expected = doubles(c.get("last_logits"));
                double scale = 0;
                for (double e : expected) {
                    scale = Math.max(scale, Math.abs(e));
                }
                double maxErr = 0;
                for (int j = 0; j < v; j++) {
                    maxErr = Math.max(maxErr, Math.abs(rows[(len - 1) * v + j] - expected[j]));
                }
                assertTrue(maxErr <= relTol * scale, "case " + b + ": max |Δlogit| " + maxErr + " > " + relTol * scale);
                System.out.printf(
                        "%s case %d: max |Δlogit| = %.2e, relative to the logits' scale %.2e%n",
                        fixture, b, maxErr, maxErr / scale);
                long[] argmax = longs(c.get("argmax"));
                double nll = 0;
                for (int pos = 0; pos < len; pos++) {
                    int best = 0;
                    for (int j = 1; j < v; j++) {
                        if (rows[pos * v + j] > rows[pos * v + best]) {
                            best = j;
                        }
                    }
                    assertEquals(argmax[pos], best, "case " + b + " argmax at position " + pos);
                    if (pos + 1 < len) {
                        nll -= logSoftmax(rows, pos * v, v, (int) seqs.get(b)[pos + 1]);
                    }
                }
                nll /= (len - 1);
                assertEquals(c.get("mean_next_token_nll").asDouble(), nll, 1e-4, "case " + b + " mean NLL");
            }
        }
    }

    private static double logSoftmax(float[] row, int at, int v, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) {
            max = Math.max(max, row[at + j]);
        }
        double sum = 0;
        for (int j = 0; j < v; j++) {
            sum += Math.exp(row[at + j] - max);
        }
        return row[at + target] - max - Math.log(sum);
    }

    static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }

    static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }
}
