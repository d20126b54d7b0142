package dev.loracurve.service.trace;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;

/**
 * A span exporter to a JSON-lines file, one span per line (trace, span, parent, service, name,
 * start and duration, attributes, status): the local stack's traces, which {@code loracurve trace}
 * assembles into a tree. Production exports by OTLP instead.
 */
public final class TraceFile implements SpanExporter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    public TraceFile(Path file) {
        this.file = file;
    }

    @Override
    public synchronized CompletableResultCode export(Collection<SpanData> spans) {
        StringBuilder lines = new StringBuilder();
        for (SpanData s : spans) {
            ObjectNode line = JSON.createObjectNode()
                    .put("trace", s.getTraceId())
                    .put("span", s.getSpanId())
                    .put("parent", s.getParentSpanContext().isValid() ? s.getParentSpanId() : "")
                    .put(
                            "service",
                            String.valueOf(s.getResource().getAttributes().get(AttributeKey.stringKey("service.name"))))
                    .put("name", s.getName())
                    .put("kind", s.getKind().name())
                    .put("start_ns", s.getStartEpochNanos())
                    .put("duration_ms", (s.getEndEpochNanos() - s.getStartEpochNanos()) / 1e6)
                    .put("status", s.getStatus().getStatusCode().name());
            ObjectNode attributes = line.putObject("attributes");
            s.getAttributes().forEach((k, v) -> attributes.put(k.getKey(), String.valueOf(v)));
            lines.append(line).append('\n');
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(
                    file, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return CompletableResultCode.ofSuccess();
        } catch (IOException e) {
            return CompletableResultCode.ofFailure();
        }
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
