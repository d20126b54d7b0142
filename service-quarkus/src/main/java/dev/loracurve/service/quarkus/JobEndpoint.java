package dev.loracurve.service.quarkus;

import dev.loracurve.proto.v1.CancelJobRequest;
import dev.loracurve.proto.v1.CancelJobResponse;
import dev.loracurve.proto.v1.GetJobRequest;
import dev.loracurve.proto.v1.GetJobResponse;
import dev.loracurve.proto.v1.Job;
import dev.loracurve.proto.v1.JobServiceGrpc;
import dev.loracurve.proto.v1.ListJobsRequest;
import dev.loracurve.proto.v1.ListJobsResponse;
import dev.loracurve.proto.v1.Progress;
import dev.loracurve.proto.v1.State;
import dev.loracurve.proto.v1.WatchJobRequest;
import dev.loracurve.proto.v1.WatchJobResponse;
import dev.loracurve.service.GrpcCalls;
import dev.loracurve.service.InvalidSpecException;
import dev.loracurve.service.JobRunner;
import dev.loracurve.service.Pages;
import dev.loracurve.service.auth.Caller;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * JobService over a stage's jobs, the same for the three stages: each stage module serves it by
 * a one-line subclass annotated {@code @GrpcService @Blocking} (the gateway, which has no stage,
 * does not). Callers see only their team's jobs.
 */
public abstract class JobEndpoint extends JobServiceGrpc.JobServiceImplBase {
    @Inject
    StageBean stage;

    /**
     * A Start RPC: starts the job for the caller's team (the stage checks that the team owns the
     * experiment id, or claims it) and answers with the job as it is then.
     */
    public static <R> void start(
            StreamObserver<R> out,
            String experimentId,
            Function<String, CompletableFuture<Job>> submit,
            JobRunner jobs,
            Function<Job, R> response) {
        GrpcCalls.unary(out, () -> {
            if (experimentId.isEmpty()) {
                throw new InvalidSpecException("experiment_id", "is required");
            }
            String team = Caller.current().team();
            submit.apply(team);
            return response.apply(jobs.get(jobs.idOf(experimentId), team));
        });
    }

    @Override
    public void getJob(GetJobRequest r, StreamObserver<GetJobResponse> out) {
        GrpcCalls.unary(
                out,
                () -> GetJobResponse.newBuilder()
                        .setJob(stage.jobs().get(r.getJobId(), team()))
                        .build());
    }

    @Override
    public void listJobs(ListJobsRequest r, StreamObserver<ListJobsResponse> out) {
        GrpcCalls.unary(out, () -> {
            List<Job> jobs = stage.jobs().list(r.getExperimentId(), team()).stream()
                    .filter(j -> r.getState() == State.STATE_UNSPECIFIED || j.getState() == r.getState())
                    .sorted(Comparator.comparing(JobEndpoint::key))
                    .toList();
            Pages.Page<Job> page = Pages.page(
                    jobs,
                    JobEndpoint::key,
                    r.getPageSize(),
                    r.getPageToken(),
                    "experiment=" + r.getExperimentId() + " state=" + r.getState());
            return ListJobsResponse.newBuilder()
                    .addAllJobs(page.items())
                    .setNextPageToken(page.nextToken())
                    .build();
        });
    }

    @Override
    public void cancelJob(CancelJobRequest r, StreamObserver<CancelJobResponse> out) {
        GrpcCalls.unary(
                out,
                () -> CancelJobResponse.newBuilder()
                        .setJob(stage.jobs().cancel(r.getJobId(), team()))
                        .build());
    }

    /** Streams the job's progress until a terminal state, then completes. */
    @Override
    public void watchJob(WatchJobRequest r, StreamObserver<WatchJobResponse> out) {
        JobRunner jobs = stage.jobs();
        String team = team();
        String id = r.getJobId();
        // the runner's watchers take Progress: the call's one watcher is adapted, and that adapter unwatched
        AtomicReference<Consumer<Progress>> adapter = new AtomicReference<>();
        GrpcCalls.stream(
                out,
                w -> JobRunner.terminal(w.getProgress().getState()),
                w -> {
                    adapter.set(p -> w.accept(
                            WatchJobResponse.newBuilder().setProgress(p).build()));
                    return jobs.watch(id, team, adapter.get());
                },
                w -> jobs.unwatch(id, adapter.get()));
    }

    private static String key(Job j) {
        return Pages.byAge(j.getCreatedMs(), j.getId());
    }

    private static String team() {
        return Caller.current().team();
    }
}
