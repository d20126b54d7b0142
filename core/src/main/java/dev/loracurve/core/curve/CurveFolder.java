package dev.loracurve.core.curve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.lora.LoraConfig;
import dev.loracurve.core.lora.PeftAdapter;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.store.CheckpointException;
import dev.loracurve.core.store.JsonFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A curve on disk: {@code curve.json} ({@code variant}, {@code segments}, {@code degree},
 * {@code control_points}: the S·n + 1 sub-folder names in order, each a PEFT adapter; optionally
 * {@code pinned}, {@code anchors} with URI and sha256, {@code training}, {@code metrics}). A folder
 * with only the first four fields is a valid curve; a point without {@code pinned} is free.
 *
 * @param meta everything in curve.json, kept for reports
 */
public record CurveFolder(String variant, BezierCurve curve, LoraConfig lora, String baseModel, ObjectNode meta) {
    public static final String FILE = "curve.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public static CurveFolder read(Path dir, ModelConfig model) {
        Path file = dir.resolve(FILE);
        JsonNode j;
        try {
            j = JsonFiles.parse(Files.readString(file), "");
        } catch (IOException e) {
            throw new CheckpointException(file, null, "cannot read curve: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, null, e.getMessage());
        }
        String variant = j.path("variant").asText("");
        if (!variant.equals("anchored") && !variant.equals("free")) {
            throw new CheckpointException(
                    file, null, "variant must be \"anchored\" or \"free\", got '" + variant + "'");
        }
        int segments = j.path("segments").asInt(0);
        int degree = j.path("degree").asInt(0);
        JsonNode names = j.path("control_points");
        if (segments < 1 || degree < 1 || !names.isArray() || names.size() != segments * degree + 1) {
            throw new CheckpointException(
                    file,
                    null,
                    "needs segments >= 1, degree >= 1 and control_points with segments·degree + 1 = "
                            + (Math.max(segments, 0) * Math.max(degree, 0) + 1) + " folder names; got segments "
                            + j.path("segments")
                            + ", degree " + j.path("degree") + ", " + names.size() + " control points");
        }
        float[][] points = new float[names.size()][];
        boolean[] pinned = new boolean[names.size()];
        LoraConfig lora = null;
        String base = "";
        for (int i = 0; i < points.length; i++) {
            PeftAdapter a = PeftAdapter.read(pointDir(dir, file, names.get(i).asText()), model);
            if (lora != null && !sameShape(lora, a.config())) {
                throw new CheckpointException(
                        pointDir(dir, file, names.get(i).asText()),
                        null,
                        "LoRA config differs from the first control point's (r, alpha, targets must agree)");
            }
            lora = lora == null ? a.config() : lora;
            base = a.baseModel();
            points[i] = a.theta();
            pinned[i] = j.path("pinned").path(i).asBoolean(false);
        }
        return new CurveFolder(variant, new BezierCurve(segments, degree, points, pinned), lora, base, (ObjectNode) j);
    }

    private static boolean sameShape(LoraConfig a, LoraConfig b) {
        return a.r() == b.r()
                && a.alpha() == b.alpha()
                && a.targets().equals(b.targets())
                && a.useRslora() == b.useRslora();
    }

    /** Writes the folder atomically; {@code extra} fields (anchors, training, metrics) are merged into curve.json. */
    public static void write(
            Path dir,
            String variant,
            BezierCurve curve,
            LoraConfig lora,
            String baseModel,
            ModelConfig model,
            ObjectNode extra) {
        AtomicFiles.writeDirectory(dir, tmp -> {
            ObjectNode j = JSON.createObjectNode();
            j.put("variant", variant);
            j.put("segments", curve.segments());
            j.put("degree", curve.degree());
            ArrayNode names = j.putArray("control_points");
            ArrayNode pinned = j.putArray("pinned");
            List<String> folders = new ArrayList<>();
            for (int i = 0; i < curve.pointCount(); i++) {
                String name = String.format("point-%02d", i);
                folders.add(name);
                names.add(name);
                pinned.add(curve.isPinned(i));
                Path p = tmp.resolve(name);
                Files.createDirectories(p);
                new PeftAdapter(lora, curve.point(i), baseModel).writeFiles(p, model);
            }
            if (extra != null) {
                extra.fields().forEachRemaining(e -> j.set(e.getKey(), e.getValue()));
            }
            Files.writeString(tmp.resolve(FILE), j.toPrettyString());
        });
    }

    /**
     * Writes the PEFT adapter of φ(t) of the curve in {@code dir} without a base model: every
     * tensor is the same weighted sum of the control points' tensors (φ is linear in them), and the
     * adapter config is the first control point's.
     */
    public static void writePoint(Path dir, double t, Path out) {
        Path file = dir.resolve(FILE);
        JsonNode j = JsonFiles.read(file);
        {
            int segments = j.path("segments").asInt(0);
            int degree = j.path("degree").asInt(0);
            JsonNode names = j.path("control_points");
            if (segments < 1 || degree < 1 || names.size() != segments * degree + 1) {
                throw new CheckpointException(
                        file, null, "needs segments >= 1, degree >= 1 and segments·degree + 1 control_points");
            }
            double[] w = BezierCurve.weights(segments, degree, t);
            List<Path> points = new ArrayList<>();
            names.forEach(n -> points.add(pointDir(dir, file, n.asText())));
            PeftAdapter.combine(points, w, out);
        }
    }

    /** A control point's folder: a plain name inside the curve's folder, nothing else. */
    private static Path pointDir(Path dir, Path file, String name) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}") || name.contains("..")) {
            throw new CheckpointException(file, null, "control point names must be plain folder names of the curve");
        }
        return dir.resolve(name);
    }
}
