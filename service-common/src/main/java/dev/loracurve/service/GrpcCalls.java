package dev.loracurve.service;

import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import com.google.rpc.BadRequest;
import com.google.rpc.QuotaFailure;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import dev.loracurve.core.config.InvalidConfigException;
import dev.loracurve.core.store.CheckpointException;
import dev.loracurve.core.tasks.DataFormatException;
import dev.loracurve.service.auth.UnauthenticatedException;
import dev.loracurve.service.store.StoreException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one mapping from core exceptions to gRPC statuses, with the standard rich error details
 * (google.rpc.Status in the grpc-status-details-bin trailer), so that a client in any language
 * reads which field was wrong, what was not found, which quota was hit and when to retry, without
 * parsing messages. Also the unary and server-stream plumbing every endpoint shares.
 */
public final class GrpcCalls {
    private GrpcCalls() {}

    /** How long a client should wait before retrying a quota that frees up (max-running). */
    static final Duration QUOTA_RETRY = Duration.newBuilder().setSeconds(5).build();

    /** How long before retrying a transient store error. */
    static final Duration STORE_RETRY = Duration.newBuilder().setSeconds(1).build();

    private static final Logger LOG = Logger.getLogger(GrpcCalls.class.getName());

    /**
     * The status a failure maps to. Only the project's own exceptions say something to the client
     * (bad input, unknown id, wrong state, corrupt artifact, quota, an unavailable store); anything
     * else is a bug on this side: INTERNAL with an id, and its details only in the service's log.
     */
    public static StatusRuntimeException status(Throwable t) {
        if (t instanceof StatusRuntimeException s) {
            return s;
        }
        List<Message> details = new ArrayList<>();
        Status s;
        if (t instanceof UnauthenticatedException) {
            s = Status.UNAUTHENTICATED;
        } else if (t instanceof QuotaExceededException q) {
            s = Status.RESOURCE_EXHAUSTED;
            details.add(QuotaFailure.newBuilder()
                    .addViolations(QuotaFailure.Violation.newBuilder()
                            .setSubject("team:" + q.team())
                            .setDescription(q.getMessage()))
                    .build());
            if (q.passes()) {
                details.add(RetryInfo.newBuilder().setRetryDelay(QUOTA_RETRY).build());
            }
        } else if (t instanceof ExperimentTakenException) {
            s = Status.ALREADY_EXISTS;
        } else if (t instanceof NotFoundException n) {
            s = Status.NOT_FOUND;
            details.add(ResourceInfo.newBuilder()
                    .setResourceType(n.type())
                    .setResourceName(n.name())
                    .setDescription(n.getMessage())
                    .build());
        } else if (t instanceof CheckpointException) {
            s = Status.DATA_LOSS;
        } else if (t instanceof InvalidSpecException invalid) {
            s = Status.INVALID_ARGUMENT;
            BadRequest.Builder bad = BadRequest.newBuilder();
            invalid.fieldViolations()
                    .forEach(v -> bad.addFieldViolations(BadRequest.FieldViolation.newBuilder()
                            .setField(v.field())
                            .setDescription(v.message())));
            details.add(bad.build());
        } else if (t instanceof InvalidConfigException || t instanceof DataFormatException) {
            s = Status.INVALID_ARGUMENT;
        } else if (t instanceof FailedPreconditionException) {
            s = Status.FAILED_PRECONDITION;
        } else if (t instanceof StoreException store && store.retriable()) {
            s = Status.UNAVAILABLE;
            details.add(RetryInfo.newBuilder().setRetryDelay(STORE_RETRY).build());
        } else {
            String incident = UUID.randomUUID().toString();
            LOG.log(Level.SEVERE, "internal error " + incident, t);
            String message = "internal error " + incident + " (the service's log has the details)";
            return answer(Status.INTERNAL, message, details);
        }
        return answer(s.withCause(t), t.getMessage(), details);
    }

    /** The status with its description and the rich details in the trailer. */
    private static StatusRuntimeException answer(Status s, String message, List<Message> details) {
        Metadata trailers = ErrorDetails.trailers(s.getCode().value(), String.valueOf(message), details);
        return s.withDescription(message).asRuntimeException(trailers);
    }

    /** Answers with the call's result, or its failure mapped to a status. */
    public static <T> void unary(StreamObserver<T> out, Supplier<T> call) {
        T result;
        try {
            result = call.get();
        } catch (RuntimeException e) {
            out.onError(status(e));
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }

    /**
     * A server stream fed by a watcher: {@code watch} registers it (sending the current state at
     * once, false when that was already the last), {@code unwatch} drops it when the client leaves;
     * the stream completes after the message that {@code last} accepts.
     */
    public static <T> void stream(
            StreamObserver<T> out, Predicate<T> last, Predicate<Consumer<T>> watch, Consumer<Consumer<T>> unwatch) {
        ServerCallStreamObserver<T> call = (ServerCallStreamObserver<T>) out;
        Consumer<T> watcher = message -> {
            synchronized (call) {
                if (call.isCancelled()) {
                    return;
                }
                call.onNext(message);
                if (last.test(message)) {
                    call.onCompleted();
                }
            }
        };
        try {
            if (watch.test(watcher)) {
                call.setOnCancelHandler(() -> unwatch.accept(watcher));
            }
        } catch (RuntimeException e) {
            out.onError(status(e));
        }
    }
}
