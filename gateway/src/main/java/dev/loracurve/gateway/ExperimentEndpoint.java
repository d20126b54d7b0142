package dev.loracurve.gateway;

import dev.loracurve.proto.v1.CancelExperimentRequest;
import dev.loracurve.proto.v1.CancelExperimentResponse;
import dev.loracurve.proto.v1.CreateExperimentRequest;
import dev.loracurve.proto.v1.CreateExperimentResponse;
import dev.loracurve.proto.v1.Experiment;
import dev.loracurve.proto.v1.ExperimentServiceGrpc;
import dev.loracurve.proto.v1.GetExperimentRequest;
import dev.loracurve.proto.v1.GetExperimentResponse;
import dev.loracurve.proto.v1.GetReportRequest;
import dev.loracurve.proto.v1.GetReportResponse;
import dev.loracurve.proto.v1.ListExperimentsRequest;
import dev.loracurve.proto.v1.ListExperimentsResponse;
import dev.loracurve.proto.v1.WatchExperimentRequest;
import dev.loracurve.proto.v1.WatchExperimentResponse;
import dev.loracurve.service.GrpcCalls;
import dev.loracurve.service.JobRunner;
import dev.loracurve.service.Pages;
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
    public void createExperiment(CreateExperimentRequest r, StreamObserver<CreateExperimentResponse> out) {
        GrpcCalls.unary(
                out,
                () -> CreateExperimentResponse.newBuilder()
                        .setExperiment(gateway.create(r.getSpec(), r.getRequestId(), team()))
                        .build());
    }

    @Override
    public void getExperiment(GetExperimentRequest r, StreamObserver<GetExperimentResponse> out) {
        GrpcCalls.unary(
                out,
                () -> GetExperimentResponse.newBuilder()
                        .setExperiment(gateway.get(r.getExperimentId(), team()))
                        .build());
    }

    @Override
    public void listExperiments(ListExperimentsRequest r, StreamObserver<ListExperimentsResponse> out) {
        GrpcCalls.unary(out, () -> {
            Pages.Page<Experiment> page = Pages.page(
                    gateway.list(team(), r.getState()),
                    Experiments::order,
                    r.getPageSize(),
                    r.getPageToken(),
                    "state=" + r.getState());
            return ListExperimentsResponse.newBuilder()
                    .addAllExperiments(page.items())
                    .setNextPageToken(page.nextToken())
                    .build();
        });
    }

    @Override
    public void cancelExperiment(CancelExperimentRequest r, StreamObserver<CancelExperimentResponse> out) {
        GrpcCalls.unary(
                out,
                () -> CancelExperimentResponse.newBuilder()
                        .setExperiment(gateway.cancel(r.getExperimentId(), team()))
                        .build());
    }

    @Override
    public void getReport(GetReportRequest r, StreamObserver<GetReportResponse> out) {
        GrpcCalls.unary(
                out,
                () -> GetReportResponse.newBuilder()
                        .setReport(gateway.report(r.getExperimentId(), team()))
                        .build());
    }

    @Override
    public void watchExperiment(WatchExperimentRequest r, StreamObserver<WatchExperimentResponse> out) {
        String id = r.getExperimentId();
        String team = team();
        GrpcCalls.stream(
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
