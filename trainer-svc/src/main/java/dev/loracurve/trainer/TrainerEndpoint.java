package dev.loracurve.trainer;

import dev.loracurve.proto.v1.CancelJobRequest;
import dev.loracurve.proto.v1.GetJobRequest;
import dev.loracurve.proto.v1.Job;
import dev.loracurve.proto.v1.ListJobsRequest;
import dev.loracurve.proto.v1.ListJobsResponse;
import dev.loracurve.proto.v1.Progress;
import dev.loracurve.proto.v1.StartTrainingRequest;
import dev.loracurve.proto.v1.TrainerServiceGrpc;
import dev.loracurve.proto.v1.WatchJobRequest;
import dev.loracurve.service.GrpcJobs;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;

/** TrainerService: validates, hands the work to the stage, maps errors to status codes. */
@GrpcService
@Blocking
public class TrainerEndpoint extends TrainerServiceGrpc.TrainerServiceImplBase {
    @Inject
    TrainerStage stage;

    @Override
    public void startTraining(StartTrainingRequest r, StreamObserver<Job> out) {
        GrpcJobs.start(
                out, r.getExperimentId(), team -> stage.train(r.getExperimentId(), r.getSpec(), team), stage.jobs());
    }

    @Override
    public void getJob(GetJobRequest r, StreamObserver<Job> out) {
        GrpcJobs.get(stage.jobs(), r.getJobId(), out);
    }

    @Override
    public void listJobs(ListJobsRequest r, StreamObserver<ListJobsResponse> out) {
        GrpcJobs.list(stage.jobs(), r.getExperimentId(), out);
    }

    @Override
    public void cancelJob(CancelJobRequest r, StreamObserver<Job> out) {
        GrpcJobs.cancel(stage.jobs(), r.getJobId(), out);
    }

    @Override
    public void watchJob(WatchJobRequest r, StreamObserver<Progress> out) {
        GrpcJobs.watch(stage.jobs(), r.getJobId(), out);
    }
}
