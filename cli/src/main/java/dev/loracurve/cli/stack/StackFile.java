package dev.loracurve.cli.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.store.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code stack.json}: what {@code status} and {@code down} need to find a stack's processes:
 * ports, pids with their start times (a reused pid is never taken for ours), store, data roots
 * (a restarted instance gets the same) and broker TLS.
 */
record StackFile(
        Map<String, Integer> ports,
        Map<String, Long> pids,
        Map<String, Long> started,
        String store,
        String dataRoots,
        boolean kafkaTls) {
    static final String NAME = "stack.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The file in {@code dir}, or null when there is none. */
    static StackFile read(Path dir) {
        Path f = dir.resolve(NAME);
        if (!Files.exists(f)) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(f.toFile());
            return new StackFile(
                    numbers(node.get("ports"), JsonNode::asInt),
                    numbers(node.get("pids"), JsonNode::asLong),
                    numbers(node.path("started"), JsonNode::asLong),
                    node.path("store").asText(null),
                    node.path("data_roots").asText(null),
                    node.path("kafka_tls").asBoolean(false));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> Map<String, T> numbers(JsonNode object, Function<JsonNode, T> value) {
        Map<String, T> out = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), value.apply(e.getValue())));
        return out;
    }

    /** Replaces the file at once: a reader sees the old stack or the new one. */
    void write(Path dir) {
        ObjectNode root = JSON.createObjectNode();
        root.set("ports", JSON.valueToTree(ports));
        root.set("pids", JSON.valueToTree(pids));
        root.set("started", JSON.valueToTree(started));
        root.put("store", store);
        root.put("data_roots", dataRoots);
        root.put("kafka_tls", kafkaTls);
        AtomicFiles.writeString(dir.resolve(NAME), root.toPrettyString());
    }
}
