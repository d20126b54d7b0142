package dev.loracurve.curve;

import dev.loracurve.proto.v1.CancelJobRequest;
import dev.loracurve.proto.v1.CurveServiceGrpc;
import dev.loracurve.proto.v1.GetJobRequest;
import dev.loracurve.proto.v1.Job;
import dev.loracurve.proto.v1.ListJobsRequest;
import dev.loracurve.proto.v1.ListJobsResponse;
import dev.loracurve.proto.v1.Progress;
import dev.loracurve.proto.v1.StartCurveRequest;
import dev.loracurve.proto.v1.WatchJobRequest;
import dev.loracurve.service.GrpcJobs;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;

/** CurveService: validates, hands the work to the stage, maps errors to status codes. */
@GrpcService
@Blocking
public class CurveEndpoint extends CurveServiceGrpc.CurveServiceImplBase {
    @Inject
    CurveStage stage;

    @Override
    public void startCurve(StartCurveRequest r, StreamObserver<Job> out) {
        GrpcJobs.start(
                out,
                r.getExperimentId(),
                team -> stage.fit(r.getExperimentId(), r.getSpec(), r.getOptimaList(), team),
                stage.jobs());
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
