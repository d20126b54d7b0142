package dev.loracurve.eval;

import dev.loracurve.proto.v1.EvalServiceGrpc;
import dev.loracurve.proto.v1.StartEvalRequest;
import dev.loracurve.proto.v1.StartEvalResponse;
import dev.loracurve.service.quarkus.JobEndpoint;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;

/** EvalService: validates, hands the work to the stage, maps errors to status codes. Its jobs: EvalJobs. */
@GrpcService
@Blocking
public class EvalEndpoint extends EvalServiceGrpc.EvalServiceImplBase {
    @Inject
    EvalStage stage;

    @Override
    public void startEval(StartEvalRequest r, StreamObserver<StartEvalResponse> out) {
        JobEndpoint.start(
                out,
                r.getExperimentId(),
                team -> stage.evaluate(
                        r.getExperimentId(), r.getSpec(), r.getOptimaList(), r.hasCurve() ? r.getCurve() : null, team),
                stage.jobs(),
                job -> StartEvalResponse.newBuilder().setJob(job).build());
    }
}
