package dev.loracurve.service;

import dev.loracurve.core.store.CheckpointException;
import dev.loracurve.proto.v1.Job;
import dev.loracurve.proto.v1.ListJobsResponse;
import dev.loracurve.proto.v1.Progress;
import dev.loracurve.service.auth.Caller;
import dev.loracurve.service.auth.UnauthenticatedException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The job half of every stage service's gRPC API (get, list, cancel, watch) and the one mapping
 * from core exceptions to status codes, so that the three stage services stay a page each.
 */
public final class GrpcJobs {
    private GrpcJobs() {}

    /** The status a failure maps to: bad input, unknown id, wrong state, corrupt artifact, or a bug. */
    public static StatusRuntimeException status(Throwable t) {
        if (t instanceof StatusRuntimeException s) {
            return s;
        }
        Status s;
        if (t instanceof UnauthenticatedException) {
            s = Status.UNAUTHENTICATED;
        } else if (t instanceof QuotaExceededException) {
            s = Status.RESOURCE_EXHAUSTED;
        } else if (t instanceof ExperimentTakenException) {
            s = Status.ALREADY_EXISTS;
        } else if (t instanceof NoSuchElementException) {
            s = Status.NOT_FOUND;
        } else if (t instanceof CheckpointException) {
            s = Status.DATA_LOSS;
        } else if (t instanceof IllegalArgumentException) {
            s = Status.INVALID_ARGUMENT;
        } else if (t instanceof IllegalStateException) {
            s = Status.FAILED_PRECONDITION;
        } else {
            s = Status.INTERNAL;
        }
        return s.withDescription(t.getMessage()).withCause(t).asRuntimeException();
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

    /** Starts a job of the caller's team (the stage checks that the team owns the experiment id, or claims it). */
    public static void start(
            StreamObserver<Job> out,
            String experimentId,
            Function<String, CompletableFuture<Job>> submit,
            JobRunner jobs) {
        unary(out, () -> {
            if (experimentId.isEmpty()) {
                throw new IllegalArgumentException("experiment_id is required");
            }
            String team = Caller.current().team();
            submit.apply(team);
            return jobs.get(jobs.idOf(experimentId), team);
        });
    }

    public static void get(JobRunner jobs, String jobId, StreamObserver<Job> out) {
        unary(out, () -> jobs.get(jobId, Caller.current().team()));
    }

    public static void list(JobRunner jobs, String experimentId, StreamObserver<ListJobsResponse> out) {
        unary(
                out,
                () -> ListJobsResponse.newBuilder()
                        .addAllJobs(jobs.list(experimentId, Caller.current().team()))
                        .build());
    }

    public static void cancel(JobRunner jobs, String jobId, StreamObserver<Job> out) {
        unary(out, () -> jobs.cancel(jobId, Caller.current().team()));
    }

    /** Streams the job's progress until a terminal state, then completes. */
    public static void watch(JobRunner jobs, String jobId, StreamObserver<Progress> out) {
        String team = Caller.current().team();
        stream(
                out,
                p -> JobRunner.terminal(p.getState()),
                w -> jobs.watch(jobId, team, w),
                w -> jobs.unwatch(jobId, w));
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
