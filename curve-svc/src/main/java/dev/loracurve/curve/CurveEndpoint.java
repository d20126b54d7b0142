package dev.loracurve.curve;

import dev.loracurve.proto.v1.CurveServiceGrpc;
import dev.loracurve.proto.v1.StartCurveRequest;
import dev.loracurve.proto.v1.StartCurveResponse;
import dev.loracurve.service.quarkus.JobEndpoint;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;

/** CurveService: validates, hands the work to the stage, maps errors to status codes. Its jobs: CurveJobs. */
@GrpcService
@Blocking
public class CurveEndpoint extends CurveServiceGrpc.CurveServiceImplBase {
    @Inject
    CurveStage stage;

    @Override
    public void startCurve(StartCurveRequest r, StreamObserver<StartCurveResponse> out) {
        JobEndpoint.start(
                out,
                r.getExperimentId(),
                team -> stage.fit(r.getExperimentId(), r.getSpec(), r.getOptimaList(), team),
                stage.jobs(),
                job -> StartCurveResponse.newBuilder().setJob(job).build());
    }
}
