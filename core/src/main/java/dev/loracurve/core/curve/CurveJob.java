package dev.loracurve.core.curve;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.LoraLayout;
import dev.loracurve.core.lora.PeftAdapter;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.Projection;
import dev.loracurve.core.model.TextTokenizer;
import dev.loracurve.core.store.Sha256;
import dev.loracurve.core.tasks.Example;
import dev.loracurve.core.tasks.PromptEncoder;
import dev.loracurve.core.tasks.TaskData;
import dev.loracurve.core.train.Seeds;
import dev.loracurve.core.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * One curve fit as the command and the curve service run it: an anchored curve through the
 * optima, a free curve started from them, or (no anchors) a free curve from independent LoRA
 * inits of rank {@code rank}. Rerunning resumes from the checkpoint; a finished folder is kept.
 *
 * @param order    "given" or "nearest" (greedy nearest-neighbour order of the anchors)
 * @param segments S, or null for K - 1 (anchors) / 1 (from scratch)
 */
public record CurveJob(
        Path model,
        TaskData data,
        List<Path> anchors,
        boolean free,
        Integer segments,
        int degree,
        String order,
        double initNoise,
        long seed,
        CurveFitConfig config,
        int rank,
        double alpha) {

    public CurveJob {
        anchors = List.copyOf(anchors);
        if (degree < 1) {
            throw new IllegalArgumentException("degree must be at least 1, got " + degree);
        }
        if (segments != null && segments < 1) {
            throw new IllegalArgumentException("segments must be at least 1, got " + segments);
        }
        if (!free && anchors.size() < 2) {
            throw new IllegalArgumentException(
                    "anchors: an anchored curve needs at least 2 optima, got " + anchors.size());
        }
        if (!order.equals("given") && !order.equals("nearest")) {
            throw new IllegalArgumentException("order must be given or nearest, got '" + order + "'");
        }
        if (!anchors.isEmpty() && segments != null && segments != anchors.size() - 1) {
            throw new IllegalArgumentException("segments: a curve through " + anchors.size() + " adapters has "
                    + (anchors.size() - 1) + " segments, got " + segments);
        }
    }

    public void fit(Path out, Trainer.Listener listener) {
        ModelConfig modelConfig = ModelConfig.load(model);
        List<float[]> optima = new ArrayList<>();
        LoraConfig lora = null;
        ObjectNode extra = new ObjectMapper().createObjectNode();
        ArrayNode anchorMeta = extra.putArray("anchors");
        List<PeftAdapter> adapters = PeftAdapter.readAll(anchors, modelConfig);
        for (int i = 0; i < adapters.size(); i++) {
            lora = adapters.get(0).config(); // the same layout for all, checked by readAll
            optima.add(adapters.get(i).theta());
            anchorMeta
                    .addObject()
                    .put("uri", anchors.get(i).toAbsolutePath().toUri().toString())
                    .put("sha256", Sha256.of(anchors.get(i).resolve(PeftAdapter.WEIGHTS)));
        }
        if (order.equals("nearest") && !optima.isEmpty()) {
            List<Integer> idx = BezierCurve.nearestNeighbourOrder(optima);
            optima = idx.stream().map(optima::get).toList();
            extra.putPOJO("anchor_order", idx);
        }
        BezierCurve curve;
        if (!optima.isEmpty()) {
            BezierCurve init = BezierCurve.anchored(optima, degree, initNoise, Seeds.mix(seed, 0x7));
            curve = free ? BezierCurve.free(init.segments(), degree, points(init)) : init;
        } else {
            int s = segments == null ? 1 : segments;
            lora = new LoraConfig(rank, alpha, 0.0, EnumSet.allOf(Projection.class), false);
            LoraLayout layout = new LoraLayout(modelConfig, lora);
            List<float[]> pts = new ArrayList<>();
            for (int i = 0; i < s * degree + 1; i++) {
                pts.add(layout.initialTheta(Seeds.mix(seed, 0x8, i))); // independent LoRA inits
            }
            curve = BezierCurve.free(s, degree, pts);
        }
        List<Example> train;
        try (TextTokenizer tok = TextTokenizer.load(model)) {
            train = new PromptEncoder(tok, data.maxLength()).encode(data.train());
        }
        try (NDManager m = Engines.newManager();
                Decoder decoder = Decoder.load(model, m)) {
            new CurveFitter(decoder, m, lora, config)
                    .fit(
                            curve,
                            free ? "free" : "anchored",
                            train,
                            seed,
                            out,
                            model.getFileName().toString(),
                            extra,
                            listener);
        }
    }

    private static List<float[]> points(BezierCurve c) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < c.pointCount(); i++) {
            out.add(c.point(i));
        }
        return out;
    }
}
