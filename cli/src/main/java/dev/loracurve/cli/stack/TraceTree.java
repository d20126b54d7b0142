package dev.loracurve.cli.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * An experiment's trace from the local stack's span files (one JSON line per span, written by each
 * service, see TraceFile), as an indented tree: each span with its service and duration, children
 * in start order.
 */
public final class TraceTree {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TraceTree() {}

    /** Every span recorded in the {@code *.jsonl} files of {@code folder}. */
    public static List<JsonNode> read(Path folder) {
        List<JsonNode> spans = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return spans;
        }
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (!line.isBlank()) {
                        spans.add(JSON.readTree(line));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the traces in " + folder, e);
        }
        return spans;
    }

    /** The tree of every trace that has a span of {@code experimentId}; empty when there is none. */
    public static List<String> render(List<JsonNode> spans, String experimentId) {
        Set<String> traces = new HashSet<>();
        for (JsonNode s : spans) {
            if (experimentId.equals(
                    s.path("attributes").path("loracurve.experiment_id").asText())) {
                traces.add(s.path("trace").asText());
            }
        }
        List<JsonNode> mine = spans.stream()
                .filter(s -> traces.contains(s.path("trace").asText()))
                .sorted(Comparator.comparingLong(s -> s.path("start_ns").asLong()))
                .toList();
        Set<String> ids = new HashSet<>();
        mine.forEach(s -> ids.add(s.path("span").asText()));
        Map<String, List<JsonNode>> children = new HashMap<>();
        List<JsonNode> roots = new ArrayList<>();
        for (JsonNode s : mine) {
            String parent = s.path("parent").asText();
            if (ids.contains(parent)) {
                children.computeIfAbsent(parent, k -> new ArrayList<>()).add(s);
            } else {
                roots.add(s); // the root, or a span whose parent was not recorded (a killed process)
            }
        }
        List<String> lines = new ArrayList<>();
        for (JsonNode root : roots) {
            walk(root, 0, children, lines);
        }
        return lines;
    }

    private static void walk(JsonNode span, int depth, Map<String, List<JsonNode>> children, List<String> lines) {
        double ms = span.path("duration_ms").asDouble();
        lines.add("  ".repeat(depth) + span.path("name").asText() + "  ["
                + span.path("service").asText() + "]  "
                + (ms >= 1000 ? String.format("%.1f s", ms / 1000) : String.format("%.0f ms", ms))
                + ("ERROR".equals(span.path("status").asText()) ? "  ERROR" : ""));
        for (JsonNode child : children.getOrDefault(span.path("span").asText(), List.of())) {
            walk(child, depth + 1, children, lines);
        }
    }
}
