package dev.loracurve.service.trace;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Traces across the pipeline, one experiment one trace: the gateway's RPC starts it, every event
 * carries its context as a W3C {@code traceparent} header, and each stage's job (and its training,
 * fitting, scoring and uploads) continues it. Off unless configured at start: OTLP export with the
 * standard OpenTelemetry settings ({@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_TRACES_EXPORTER},
 * …; OTLP over HTTP, sent by the JDK's client), or a JSON-lines file ({@code LORACURVE_TRACE_FILE},
 * what the local stack uses).
 */
public final class Tracing {
    private Tracing() {}

    public static final AttributeKey<String> EXPERIMENT = AttributeKey.stringKey("loracurve.experiment_id");
    public static final String TRACEPARENT = "traceparent";

    private static final Logger LOG = Logger.getLogger(Tracing.class.getName());

    private static volatile OpenTelemetry otel = OpenTelemetry.noop();

    private static final TextMapSetter<Map<String, String>> SET = Map::put;
    private static final TextMapGetter<String> GET = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String traceparent) {
            return List.of(TRACEPARENT);
        }

        @Override
        public String get(String traceparent, String key) {
            return TRACEPARENT.equals(key) && traceparent != null && !traceparent.isEmpty() ? traceparent : null;
        }
    };

    /** Configures tracing for service {@code service} from its environment; without settings it stays off. */
    public static synchronized void start(String service) {
        String file = System.getenv("LORACURVE_TRACE_FILE");
        boolean otlp =
                System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != null || System.getenv("OTEL_TRACES_EXPORTER") != null;
        if (file != null && !file.isBlank()) {
            install(OpenTelemetrySdk.builder()
                    .setTracerProvider(SdkTracerProvider.builder()
                            .setResource(Resource.getDefault()
                                    .merge(Resource.builder()
                                            .put("service.name", service)
                                            .build()))
                            .addSpanProcessor(SimpleSpanProcessor.create(new TraceFile(Path.of(file))))
                            .build())
                    .build());
        } else if (otlp) {
            try {
                install(AutoConfiguredOpenTelemetrySdk.builder()
                        .addPropertiesSupplier(() -> Map.of(
                                "otel.service.name", service,
                                // the JDK's HTTP client sends it: OTLP over HTTP (collector port 4318)
                                "otel.exporter.otlp.protocol", "http/protobuf",
                                "otel.metrics.exporter", "none",
                                "otel.logs.exporter", "none"))
                        .build()
                        .getOpenTelemetrySdk());
            } catch (RuntimeException e) {
                // a tracing setting must not keep the service from working: it runs untraced, loudly
                LOG.log(Level.SEVERE, "tracing is off: the OTEL_* settings do not configure: " + e.getMessage(), e);
            }
        }
    }

    /** Uses {@code telemetry} from now on (tests: an SDK with an in-memory exporter). */
    public static void install(OpenTelemetry telemetry) {
        otel = telemetry;
    }

    public static Tracer tracer() {
        return otel.getTracer("dev.loracurve");
    }

    /** The {@code traceparent} of the current span; empty when there is none (tracing off). */
    public static String traceparent() {
        Map<String, String> carrier = new HashMap<>();
        W3CTraceContextPropagator.getInstance().inject(Context.current(), carrier, SET);
        return carrier.getOrDefault(TRACEPARENT, "");
    }

    /** The context a {@code traceparent} names (the current one when it is empty or malformed). */
    public static Context parent(String traceparent) {
        return W3CTraceContextPropagator.getInstance().extract(Context.current(), traceparent, GET);
    }

    /** Work that may throw what its caller handles. */
    @FunctionalInterface
    public interface Work<T> {
        T call() throws Exception;
    }

    /** Runs {@code work} in a child span of the current one, recording a failure on it. */
    public static <T> T span(String name, Work<T> work) {
        return span(name, SpanKind.INTERNAL, work);
    }

    /** As {@link #span(String, Work)} with a span of {@code kind} (SERVER for an RPC, PRODUCER for a publish). */
    public static <T> T span(String name, SpanKind kind, Work<T> work) {
        try {
            return traced(name, kind, Context.current(), work);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** As {@link #span(String, Work)} for work without a result. */
    public static void run(String name, Runnable work) {
        span(name, () -> {
            work.run();
            return null;
        });
    }

    /** Runs {@code work} in a span of {@code kind} under {@code parent}, current while it runs; failures pass unchanged. */
    public static <T> T traced(String name, SpanKind kind, Context parent, Work<T> work) throws Exception {
        Span span =
                tracer().spanBuilder(name).setSpanKind(kind).setParent(parent).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return work.call();
        } catch (Exception e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage()));
            throw e;
        } finally {
            span.end();
        }
    }
}
