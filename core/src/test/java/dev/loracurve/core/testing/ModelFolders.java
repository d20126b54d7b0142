package dev.loracurve.core.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.RandomWeights;
import dev.loracurve.core.store.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/** Writes Hugging Face model folders of random weights, optionally broken on purpose. */
public final class ModelFolders {
    private ModelFolders() {}

    /**
     * @param keep      which tensors to write
     * @param wrongShape a replacement shape for a tensor, or null to keep it
     */
    public static Path write(Path dir, ModelConfig c, Predicate<String> keep, Function<String, long[]> wrongShape)
            throws IOException {
        Files.createDirectories(dir);
        c.write(dir);
        RandomWeights w = new RandomWeights(1);
        SafetensorsWriter out = new SafetensorsWriter();
        for (Map.Entry<String, long[]> e : c.tensorShapes().entrySet()) {
            if (!keep.test(e.getKey())) {
                continue;
            }
            long[] shape = wrongShape == null || wrongShape.apply(e.getKey()) == null
                    ? e.getValue()
                    : wrongShape.apply(e.getKey());
            out.add(e.getKey(), shape, w.read(e.getKey(), shape));
        }
        out.write(dir.resolve("model.safetensors"));
        return dir;
    }

    /** The same random weights split over {@code shards} files with an index. */
    public static Path writeSharded(Path dir, ModelConfig c, int shards) throws IOException {
        Files.createDirectories(dir);
        c.write(dir);
        RandomWeights w = new RandomWeights(1);
        List<Map.Entry<String, long[]>> all = new ArrayList<>(c.tensorShapes().entrySet());
        ObjectMapper json = new ObjectMapper();
        ObjectNode index = json.createObjectNode();
        index.putObject("metadata");
        ObjectNode map = index.putObject("weight_map");
        for (int s = 0; s < shards; s++) {
            String name = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
            SafetensorsWriter out = new SafetensorsWriter();
            for (int i = s; i < all.size(); i += shards) {
                out.add(
                        all.get(i).getKey(),
                        all.get(i).getValue(),
                        w.read(all.get(i).getKey(), all.get(i).getValue()));
                map.put(all.get(i).getKey(), name);
            }
            out.write(dir.resolve(name));
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.toString());
        return dir;
    }
}
