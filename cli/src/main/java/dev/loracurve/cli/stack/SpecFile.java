package dev.loracurve.cli.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.loracurve.proto.v1.ExperimentSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * An experiment spec as YAML: the same field names as ExperimentSpec in spec.proto (through
 * protobuf's JSON mapping, so a field that does not exist is an error naming it). Relative paths
 * are taken from the YAML file's folder, since the services run elsewhere.
 */
public final class SpecFile {
    private SpecFile() {}

    public static ExperimentSpec read(Path yaml) {
        JsonNode tree;
        try {
            tree = new ObjectMapper(new YAMLFactory()).readTree(yaml.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(yaml + ": not valid YAML: " + e.getMessage());
        }
        if (!(tree instanceof ObjectNode root)) {
            throw new IllegalArgumentException(yaml + ": expected a mapping of ExperimentSpec fields");
        }
        return parse(root, yaml.toAbsolutePath().getParent(), yaml.toString());
    }

    /** A spec from its tree (changed in place: relative paths made absolute from {@code base}). */
    public static ExperimentSpec parse(ObjectNode root, Path base, String origin) {
        absolute(root, "base_model_uri", base);
        if (root.get("task") instanceof ObjectNode t) {
            absolute(t, "data_uri", base);
        }
        if (root.path("eval").get("ood") instanceof ObjectNode o) {
            absolute(o, "data_uri", base);
        }
        for (JsonNode o : root.path("eval").path("more_ood")) {
            if (o instanceof ObjectNode set) {
                absolute(set, "data_uri", base);
            }
        }
        ExperimentSpec.Builder b = ExperimentSpec.newBuilder();
        try {
            JsonFormat.parser().merge(root.toString(), b);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(origin + ": " + e.getMessage());
        }
        return b.build();
    }

    private static void absolute(ObjectNode node, String field, Path base) {
        JsonNode v = node.get(field);
        if (v != null
                && v.isTextual()
                && !v.asText().contains("://")
                && !v.asText().isEmpty()) {
            node.put(field, base.resolve(v.asText()).normalize().toUri().toString());
        }
    }

    public static String toYaml(ExperimentSpec spec) {
        try {
            String json = JsonFormat.printer().preservingProtoFieldNames().print(spec);
            return new ObjectMapper(new YAMLFactory()).writeValueAsString(new ObjectMapper().readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
