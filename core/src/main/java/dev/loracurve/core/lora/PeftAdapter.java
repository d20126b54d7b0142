package dev.loracurve.core.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.Projection;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.store.CheckpointException;
import dev.loracurve.core.store.JsonFiles;
import dev.loracurve.core.store.SafetensorsFile;
import dev.loracurve.core.store.SafetensorsWriter;
import dev.loracurve.core.store.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A Hugging Face PEFT LoRA adapter folder: {@code adapter_config.json} and
 * {@code adapter_model.safetensors} with keys like
 * {@code base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight}. Read into, and written
 * from, a flat θ in {@link LoraLayout} order.
 *
 * @param config    LoRA hyper-parameters from adapter_config.json
 * @param theta     the flat parameters
 * @param baseModel base_model_name_or_path
 */
public record PeftAdapter(LoraConfig config, float[] theta, String baseModel) {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    private static final String PREFIX = "base_model.model.";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Reads the config alone: enough to build a layout before loading weights. */
    public static LoraConfig readConfig(Path dir) {
        Path file = dir.resolve(CONFIG);
        JsonNode c;
        try {
            c = JsonFiles.parse(Files.readString(file), "");
        } catch (IOException e) {
            throw new CheckpointException(file, null, "cannot read adapter config: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, null, e.getMessage());
        }
        String type = c.path("peft_type").asText("LORA");
        if (!type.equalsIgnoreCase("LORA")) {
            throw new CheckpointException(file, null, "peft_type '" + type + "' is not LORA");
        }
        String bias = c.path("bias").asText("none");
        if (!bias.equals("none")) {
            throw new CheckpointException(file, null, "bias '" + bias + "' is not supported (only \"none\")");
        }
        for (String unsupported : new String[] {"use_dora", "fan_in_fan_out"}) {
            if (c.path(unsupported).asBoolean(false)) {
                throw new CheckpointException(file, null, unsupported + " = true is not supported");
            }
        }
        for (String pattern : new String[] {"rank_pattern", "alpha_pattern"}) {
            if (c.path(pattern).isObject() && c.path(pattern).size() > 0) {
                throw new CheckpointException(file, null, pattern + " (per-module ranks) is not supported");
            }
        }
        if (!c.path("layers_to_transform").isMissingNode()
                && !c.path("layers_to_transform").isNull()) {
            throw new CheckpointException(file, null, "layers_to_transform is not supported: LoRA goes on every layer");
        }
        if (!c.path("r").canConvertToInt() || c.path("r").asInt() <= 0) {
            throw new CheckpointException(
                    file,
                    null,
                    c.has("r") ? "r must be a positive integer, got " + c.get("r") : "r (the LoRA rank) is missing");
        }
        try {
            return new LoraConfig(
                    c.path("r").asInt(),
                    c.path("lora_alpha").asDouble(8),
                    c.path("lora_dropout").asDouble(0),
                    targets(c.path("target_modules"), file),
                    c.path("use_rslora").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, null, e.getMessage(), e);
        }
    }

    private static Set<Projection> targets(JsonNode t, Path file) {
        Set<Projection> out = EnumSet.noneOf(Projection.class);
        if (t.isArray()) {
            for (JsonNode n : t) {
                Projection p = Projection.byName(n.asText());
                if (p == null) {
                    throw new CheckpointException(
                            file,
                            null,
                            "target_modules names unknown module '" + n.asText()
                                    + "'; known: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj");
                }
                out.add(p);
            }
        } else if (t.isTextual() && t.asText().equals("all-linear")) {
            out.addAll(EnumSet.allOf(Projection.class));
        } else if (t.isTextual()) {
            // PEFT matches a string target as a regex against the full module name. RE2 (linear
            // time, no backtracking): the file comes from outside, and a crafted pattern must not hang us
            Pattern re;
            try {
                re = Pattern.compile(t.asText());
            } catch (PatternSyntaxException e) {
                throw new CheckpointException(file, null, "target_modules is not a valid regular expression");
            }
            for (Projection p : Projection.values()) {
                if (re.matcher(p.modulePath(0)).matches()
                        || re.matcher(p.hfName()).matches()) {
                    out.add(p);
                }
            }
        }
        if (out.isEmpty()) {
            throw new CheckpointException(file, null, "target_modules " + t + " selects no projection");
        }
        return out;
    }

    /** Loads an adapter for a model; every tensor is checked against the model's shapes. */
    public static PeftAdapter read(Path dir, ModelConfig model) {
        LoraConfig config = readConfig(dir);
        LoraLayout layout = new LoraLayout(model, config);
        Path weights = dir.resolve(WEIGHTS);
        float[] theta = new float[layout.intSize()];
        try (SafetensorsFile f = SafetensorsFile.open(weights)) {
            Set<String> expected = new HashSet<>();
            for (LoraLayout.Slot s : layout.slots()) {
                expected.add(copy(f, s, "lora_A", new long[] {config.r(), s.in()}, s.offsetA(), theta));
                expected.add(copy(f, s, "lora_B", new long[] {s.out(), config.r()}, s.offsetB(), theta));
            }
            for (String name : f.tensors().keySet()) {
                if (!expected.contains(name)) {
                    throw new CheckpointException(
                            weights,
                            name,
                            "does not match any LoRA module of this model "
                                    + "(" + model.modelType() + ", " + model.numLayers() + " layers, targets "
                                    + config.orderedTargets() + ")");
                }
            }
        }
        String base = readBaseModel(dir);
        return new PeftAdapter(config, theta, base);
    }

    private static String copy(
            SafetensorsFile f, LoraLayout.Slot s, String which, long[] shape, long offset, float[] theta) {
        String name = key(s, which);
        if (!f.tensors().containsKey(name)) {
            // PEFT writes names without the adapter name; some tools keep ".default"
            String withAdapter = PREFIX + s.module() + "." + which + ".default.weight";
            if (f.tensors().containsKey(withAdapter)) {
                name = withAdapter;
            } else {
                throw new CheckpointException(
                        f.path(),
                        name,
                        "missing: the adapter config targets " + s.projection().hfName()
                                + " but the weights lack this tensor");
            }
        }
        TensorInfo info = f.info(name);
        if (!Arrays.equals(info.shape(), shape)) {
            throw new CheckpointException(
                    f.path(),
                    name,
                    "shape " + info.shapeString()
                            + " does not fit the model: expected " + Arrays.toString(shape) + " for " + which
                            + " of " + s.projection().hfName() + " with r = " + s.rank());
        }
        float[] data = f.readFloats(name);
        System.arraycopy(data, 0, theta, (int) offset, data.length);
        return name;
    }

    private static String readBaseModel(Path dir) {
        return JsonFiles.read(dir.resolve(CONFIG))
                .path("base_model_name_or_path")
                .asText("");
    }

    /**
     * Adapters that must share one θ layout (the optima of a curve, an ensemble): the same r,
     * alpha, target modules and rsLoRA as the first, or an error naming the one that differs.
     */
    public static List<PeftAdapter> readAll(List<Path> dirs, ModelConfig model) {
        List<PeftAdapter> out = new ArrayList<>();
        for (Path d : dirs) {
            PeftAdapter a = read(d, model);
            if (!out.isEmpty()) {
                LoraConfig first = out.get(0).config();
                LoraConfig c = a.config();
                if (first.r() != c.r()
                        || first.alpha() != c.alpha()
                        || !first.targets().equals(c.targets())
                        || first.useRslora() != c.useRslora()) {
                    throw new IllegalArgumentException(
                            d + ": LoRA " + describe(c) + " differs from " + dirs.get(0) + " (" + describe(first)
                                    + "): the adapters of a curve or a path between optima share one layout");
                }
            }
            out.add(a);
        }
        return out;
    }

    private static String describe(LoraConfig c) {
        return "r " + c.r() + ", alpha " + c.alpha() + ", targets " + c.targets() + (c.useRslora() ? ", rsLoRA" : "");
    }

    /**
     * Writes Σ_i w_i · adapter_i, tensor by tensor, as a PEFT adapter with the first adapter's
     * config; all adapters must hold the same tensor names and shapes.
     */
    public static void combine(List<Path> adapters, double[] weights, Path out) {
        if (adapters.size() != weights.length) {
            throw new IllegalArgumentException(adapters.size() + " adapters but " + weights.length + " weights");
        }
        readConfig(adapters.get(0)); // refuse what this system cannot represent
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        List<SafetensorsFile> files = new ArrayList<>();
        try {
            for (Path a : adapters) {
                files.add(SafetensorsFile.open(a.resolve(WEIGHTS)));
            }
            SafetensorsFile first = files.get(0);
            for (String name : first.tensors().keySet()) {
                double[] acc = new double[(int) first.info(name).elementCount()];
                for (int i = 0; i < files.size(); i++) {
                    SafetensorsFile f = files.get(i);
                    if (!f.tensors().containsKey(name)
                            || !Arrays.equals(
                                    f.info(name).shape(), first.info(name).shape())
                            || f.tensors().size() != first.tensors().size()) {
                        throw new CheckpointException(
                                f.path(), name, "control points must hold the same tensors and shapes");
                    }
                    if (weights[i] != 0) {
                        float[] x = f.readFloats(name);
                        for (int k = 0; k < acc.length; k++) {
                            acc[k] += weights[i] * x[k];
                        }
                    }
                }
                float[] sum = new float[acc.length];
                for (int k = 0; k < acc.length; k++) {
                    sum[k] = (float) acc[k];
                }
                w.add(name, first.info(name).shape(), sum);
            }
        } finally {
            files.forEach(SafetensorsFile::close);
        }
        AtomicFiles.writeDirectory(out, tmp -> {
            w.write(tmp.resolve(WEIGHTS));
            Files.copy(adapters.get(0).resolve(CONFIG), tmp.resolve(CONFIG));
        });
    }

    /** The PEFT key of a slot's A or B matrix. */
    public static String key(LoraLayout.Slot s, String which) {
        return PREFIX + s.module() + "." + which + ".weight";
    }

    /** Writes this adapter as a PEFT folder, atomically (both files appear together or not at all). */
    public void write(Path dir, ModelConfig model) {
        LoraLayout layout = new LoraLayout(model, config);
        if (theta.length != layout.size()) {
            throw new IllegalArgumentException("θ has " + theta.length + " values, layout needs " + layout.size());
        }
        AtomicFiles.writeDirectory(dir, tmp -> writeFiles(tmp, model));
    }

    /** Writes the two files into an existing folder (the caller makes the folder appear atomically). */
    public void writeFiles(Path tmp, ModelConfig model) throws IOException {
        LoraLayout layout = new LoraLayout(model, config);
        if (theta.length != layout.size()) {
            throw new IllegalArgumentException("θ has " + theta.length + " values, layout needs " + layout.size());
        }
        {
            SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
            for (LoraLayout.Slot s : layout.slots()) {
                int r = config.r();
                w.add(
                        key(s, "lora_A"),
                        new long[] {r, s.in()},
                        Arrays.copyOfRange(theta, (int) s.offsetA(), (int) s.offsetA() + r * s.in()));
                w.add(
                        key(s, "lora_B"),
                        new long[] {s.out(), r},
                        Arrays.copyOfRange(theta, (int) s.offsetB(), (int) s.offsetB() + s.out() * r));
            }
            w.write(tmp.resolve(WEIGHTS));
            Files.writeString(tmp.resolve(CONFIG), JSON.writeValueAsString(configJson()));
        }
    }

    private ObjectNode configJson() {
        ObjectNode c = JSON.createObjectNode();
        c.put("peft_type", "LORA");
        c.put("task_type", "CAUSAL_LM");
        c.put("r", config.r());
        c.put("lora_alpha", config.alpha());
        c.put("lora_dropout", config.dropout());
        c.put("bias", "none");
        ArrayNode t = c.putArray("target_modules");
        for (Iterator<Projection> it = config.orderedTargets().iterator(); it.hasNext(); ) {
            t.add(it.next().hfName());
        }
        c.put("base_model_name_or_path", baseModel == null ? "" : baseModel);
        c.put("use_rslora", config.useRslora());
        c.put("fan_in_fan_out", false);
        c.put("use_dora", false);
        c.put("inference_mode", true);
        c.putNull("revision");
        c.putNull("modules_to_save");
        c.put("init_lora_weights", true);
        return c;
    }
}
