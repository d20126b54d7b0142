package dev.loracurve.service;

import dev.loracurve.proto.v1.Stage;
import io.opentelemetry.api.trace.Span;
import org.slf4j.MDC;

/**
 * What every log line of a piece of work says it is about: experiment, stage, job and trace id,
 * in the logging context (MDC) of the thread doing it until closed. The services' JSON logs carry
 * them in "mdc", so an experiment's lines are found across services, and next to its trace.
 */
final class LogContext implements AutoCloseable {
    private static final String[] KEYS = {"experiment_id", "stage", "job_id", "trace_id"};

    private LogContext() {}

    /** Sets the context; {@code stage} null and {@code job} empty when the work is not a job (an event). */
    static LogContext of(String experimentId, Stage stage, String job) {
        MDC.put("experiment_id", experimentId);
        if (stage != null) {
            MDC.put("stage", stage.name().toLowerCase());
        }
        if (!job.isEmpty()) {
            MDC.put("job_id", job);
        }
        trace();
        return new LogContext();
    }

    /** Adds the current span's trace id, once the work's span is open; nothing when tracing is off. */
    static void trace() {
        if (Span.current().getSpanContext().isValid()) {
            MDC.put("trace_id", Span.current().getSpanContext().getTraceId());
        }
    }

    @Override
    public void close() {
        for (String key : KEYS) {
            MDC.remove(key);
        }
    }
}
