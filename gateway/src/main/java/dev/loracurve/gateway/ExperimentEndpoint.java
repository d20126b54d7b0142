package dev.loracurve.gateway;

import dev.loracurve.proto.v1.CancelExperimentRequest;
import dev.loracurve.proto.v1.CreateExperimentRequest;
import dev.loracurve.proto.v1.Experiment;
import dev.loracurve.proto.v1.ExperimentServiceGrpc;
import dev.loracurve.proto.v1.ExperimentUpdate;
import dev.loracurve.proto.v1.GetExperimentRequest;
import dev.loracurve.proto.v1.GetReportRequest;
import dev.loracurve.proto.v1.ListExperimentsRequest;
import dev.loracurve.proto.v1.ListExperimentsResponse;
import dev.loracurve.proto.v1.Report;
import dev.loracurve.proto.v1.WatchExperimentRequest;
import dev.loracurve.service.GrpcJobs;
import dev.loracurve.service.JobRunner;
import dev.loracurve.service.auth.Caller;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;

/** The public Experiment API: validates, calls the gateway as the caller's team, maps errors to status codes. */
@GrpcService
@Blocking
public class ExperimentEndpoint extends ExperimentServiceGrpc.ExperimentServiceImplBase {
    @Inject
    Gateway gateway;

    @Override
    public void createExperiment(CreateExperimentRequest r, StreamObserver<Experiment> out) {
        GrpcJobs.unary(out, () -> gateway.create(r.getSpec(), team()));
    }

    @Override
    public void getExperiment(GetExperimentRequest r, StreamObserver<Experiment> out) {
        GrpcJobs.unary(out, () -> gateway.get(r.getExperimentId(), team()));
    }

    @Override
    public void listExperiments(ListExperimentsRequest r, StreamObserver<ListExperimentsResponse> out) {
        GrpcJobs.unary(
                out,
                () -> ListExperimentsResponse.newBuilder()
                        .addAllExperiments(gateway.list(team()))
                        .build());
    }

    @Override
    public void cancelExperiment(CancelExperimentRequest r, StreamObserver<Experiment> out) {
        GrpcJobs.unary(out, () -> gateway.cancel(r.getExperimentId(), team()));
    }

    @Override
    public void getReport(GetReportRequest r, StreamObserver<Report> out) {
        GrpcJobs.unary(out, () -> gateway.report(r.getExperimentId(), team()));
    }

    @Override
    public void watchExperiment(WatchExperimentRequest r, StreamObserver<ExperimentUpdate> out) {
        String id = r.getExperimentId();
        String team = team();
        GrpcJobs.stream(
                out,
                u -> JobRunner.terminal(u.getExperiment().getState()),
                w -> gateway.watch(id, team, w),
                w -> gateway.unwatch(id, w));
    }

    /** The caller's team: what it creates is its own, and it sees nothing else. */
    private static String team() {
        return Caller.current().team();
    }
}
