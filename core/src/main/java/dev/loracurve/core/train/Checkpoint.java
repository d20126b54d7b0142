package dev.loracurve.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.store.CheckpointException;
import dev.loracurve.core.store.JsonFiles;
import dev.loracurve.core.store.SafetensorsFile;
import dev.loracurve.core.store.SafetensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A resumable training state: named float vectors (parameters, optimizer moments) in
 * {@code state.safetensors} and the rest in {@code state.json}, written as one folder atomically,
 * so a reader sees a whole checkpoint or none.
 */
public record Checkpoint(Map<String, float[]> vectors, ObjectNode info) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Suffix of a checkpoint folder's name: {@code run-0.checkpoint} beside {@code run-0}. */
    public static final String SUFFIX = ".checkpoint";

    /** The checkpoint folder of the artifact {@code out}: beside it, so the artifact appears only when done. */
    public static Path besides(Path out) {
        return out.resolveSibling(out.getFileName() + SUFFIX);
    }

    public static boolean exists(Path dir) {
        return Files.exists(dir.resolve("state.json"));
    }

    public void write(Path dir) {
        AtomicFiles.writeDirectory(dir, tmp -> {
            SafetensorsWriter w = new SafetensorsWriter();
            vectors.forEach((name, v) -> w.add(name, new long[] {v.length}, v));
            w.write(tmp.resolve("state.safetensors"));
            Files.writeString(tmp.resolve("state.json"), info.toPrettyString());
        });
    }

    public static Checkpoint read(Path dir) {
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("state.safetensors"))) {
            Map<String, float[]> vectors = new LinkedHashMap<>();
            for (String name : f.tensors().keySet()) {
                vectors.put(name, f.readFloats(name));
            }
            JsonNode state = JsonFiles.read(dir.resolve("state.json"));
            if (!state.isObject()) {
                throw new CheckpointException(dir.resolve("state.json"), null, "a JSON object expected");
            }
            return new Checkpoint(vectors, (ObjectNode) state);
        }
    }

    public static void delete(Path dir) {
        try {
            AtomicFiles.deleteTree(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
