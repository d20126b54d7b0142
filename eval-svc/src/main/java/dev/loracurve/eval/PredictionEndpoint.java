package dev.loracurve.eval;

import dev.loracurve.proto.v1.PredictRequest;
import dev.loracurve.proto.v1.PredictResponse;
import dev.loracurve.proto.v1.PredictStreamRequest;
import dev.loracurve.proto.v1.PredictStreamResponse;
import dev.loracurve.proto.v1.PredictionServiceGrpc;
import dev.loracurve.service.GrpcCalls;
import dev.loracurve.service.auth.Caller;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;

/** PredictionService: checks the request, scores through the stage's Predictions, maps errors to status codes. */
@GrpcService
@Blocking
public class PredictionEndpoint extends PredictionServiceGrpc.PredictionServiceImplBase {
    @Inject
    EvalStage stage;

    @Override
    public void predict(PredictRequest r, StreamObserver<PredictResponse> out) {
        GrpcCalls.unary(out, () -> {
            Predictions.check(r, Predictions.MAX_ITEMS);
            return stage.predictions().predict(Caller.current().team(), r);
        });
    }

    @Override
    public void predictStream(PredictStreamRequest r, StreamObserver<PredictStreamResponse> out) {
        ServerCallStreamObserver<PredictStreamResponse> call = (ServerCallStreamObserver<PredictStreamResponse>) out;
        try {
            Predictions.check(r.getRequest(), Integer.MAX_VALUE);
            String team = Caller.current().team();
            for (PredictRequest chunk : Predictions.chunks(r.getRequest())) {
                if (call.isCancelled()) { // the client left or its deadline passed: score no more
                    return;
                }
                out.onNext(PredictStreamResponse.newBuilder()
                        .setChunk(stage.predictions().predict(team, chunk))
                        .build());
            }
            out.onCompleted();
        } catch (RuntimeException e) {
            if (!call.isCancelled()) {
                out.onError(GrpcCalls.status(e));
            }
        }
    }
}
