package dev.loracurve.core.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The weights of a Hugging Face model folder: {@code model.safetensors}, or the shards named by
 * {@code model.safetensors.index.json}. Every tensor lives in exactly one file.
 */
public final class WeightFiles implements AutoCloseable {
    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";

    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> byTensor;

    private WeightFiles(List<SafetensorsFile> files, Map<String, SafetensorsFile> byTensor) {
        this.files = files;
        this.byTensor = byTensor;
    }

    public static WeightFiles open(Path modelDir) {
        Path index = modelDir.resolve(INDEX);
        List<Path> paths = new ArrayList<>();
        if (Files.exists(index)) {
            try {
                JsonNode map = JsonFiles.read(index).path("weight_map");
                if (!map.isObject()) {
                    throw new CheckpointException(index, null, "no weight_map object");
                }
                map.elements().forEachRemaining(f -> {
                    Path p = modelDir.resolve(f.asText()).normalize();
                    if (p.getParent() == null || !p.getParent().equals(modelDir.normalize())) {
                        throw new CheckpointException(index, null, "a shard must be a file of the model's folder");
                    }
                    if (!paths.contains(p)) {
                        paths.add(p);
                    }
                });
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(index, null, "index: " + e.getMessage(), e);
            }
        } else if (Files.exists(modelDir.resolve(SINGLE))) {
            paths.add(modelDir.resolve(SINGLE));
        } else {
            throw new CheckpointException(modelDir, null, "no " + SINGLE + " and no " + INDEX);
        }
        List<SafetensorsFile> opened = new ArrayList<>();
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        try {
            for (Path p : paths) {
                SafetensorsFile f = SafetensorsFile.open(p);
                opened.add(f);
                for (String name : f.tensors().keySet()) {
                    SafetensorsFile other = byTensor.putIfAbsent(name, f);
                    if (other != null) {
                        throw new CheckpointException(
                                p, name, "duplicate: also in " + other.path().getFileName());
                    }
                }
            }
        } catch (RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
        return new WeightFiles(opened, byTensor);
    }

    public boolean has(String name) {
        return byTensor.containsKey(name);
    }

    public TensorInfo info(String name) {
        return file(name).info(name);
    }

    public float[] readFloats(String name) {
        return file(name).readFloats(name);
    }

    /** See {@link SafetensorsFile#withMappedBytes}. */
    public <T> T withMappedBytes(String name, Function<ByteBuffer, T> reader) {
        return file(name).withMappedBytes(name, reader);
    }

    public Path fileOf(String name) {
        return file(name).path();
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile f = byTensor.get(name);
        if (f == null) {
            Path where = files.isEmpty() ? null : files.get(0).path().getParent();
            throw new CheckpointException(where, name, "required by config.json but no weight file has it");
        }
        return f;
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
