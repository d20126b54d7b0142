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
import dev.loracurve.core.model.TextTokenizer;
import dev.loracurve.core.store.Sha256;
import dev.loracurve.core.tasks.Example;
import dev.loracurve.core.tasks.PromptEncoder;
import dev.loracurve.core.tasks.TaskData;
import dev.loracurve.core.train.Seeds;
import dev.loracurve.core.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One curve fit as the command and the curve service run it: an anchored curve through the
 * optima, a free curve started from them, or (no anchors) a free curve from independent LoRA
 * inits of {@code scratchLora}. Rerunning resumes from the checkpoint; a finished folder is kept.
 *
 * @param scratchLora the LoRA layout of a free curve grown without anchors (ignored with anchors)
 * @param seed        the fit's seed: init noise, scratch inits, t draws, data order, perturbations
 */
public record CurveJob(
        Path model,
        TaskData data,
        List<Path> anchors,
        CurveShape shape,
        LoraConfig scratchLora,
        CurveFitConfig fit,
        long seed) {

    public CurveJob {
        anchors = List.copyOf(anchors);
        shape.checkAnchors(anchors.size());
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
                    .put("name", anchors.get(i).getFileName().toString()) // not its location: the
                    // curve folder is the same wherever its optima were stored
                    .put("sha256", Sha256.of(anchors.get(i).resolve(PeftAdapter.WEIGHTS)));
        }
        if (shape.order() == CurveShape.AnchorOrder.NEAREST && !optima.isEmpty()) {
            List<Integer> idx = BezierCurve.nearestNeighbourOrder(optima);
            optima = idx.stream().map(optima::get).toList();
            extra.putPOJO("anchor_order", idx);
        }
        BezierCurve curve;
        if (!optima.isEmpty()) {
            BezierCurve init = BezierCurve.anchored(optima, shape.degree(), shape.initNoise(), Seeds.mix(seed, 0x7));
            curve = free() ? BezierCurve.free(init.segments(), shape.degree(), points(init)) : init;
        } else {
            int s = shape.segmentsFor(0);
            lora = scratchLora;
            LoraLayout layout = new LoraLayout(modelConfig, lora);
            List<float[]> pts = new ArrayList<>();
            for (int i = 0; i < s * shape.degree() + 1; i++) {
                pts.add(layout.initialTheta(Seeds.mix(seed, 0x8, i))); // independent LoRA inits
            }
            curve = BezierCurve.free(s, shape.degree(), pts);
        }
        List<Example> train;
        try (TextTokenizer tok = TextTokenizer.load(model)) {
            train = new PromptEncoder(tok, data.maxLength()).encode(data.train());
        }
        try (NDManager m = Engines.newManager();
                Decoder decoder = Decoder.load(model, m)) {
            new CurveFitter(decoder, m, lora, fit)
                    .fit(
                            curve,
                            shape.variant().id(),
                            train,
                            seed,
                            out,
                            model.getFileName().toString(),
                            extra,
                            listener);
        }
    }

    private boolean free() {
        return shape.variant() == CurveShape.Variant.FREE;
    }

    private static List<float[]> points(BezierCurve c) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < c.pointCount(); i++) {
            out.add(c.point(i));
        }
        return out;
    }
}
