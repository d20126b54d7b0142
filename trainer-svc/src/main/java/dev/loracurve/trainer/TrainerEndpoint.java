package dev.loracurve.trainer;

import dev.loracurve.proto.v1.StartTrainingRequest;
import dev.loracurve.proto.v1.StartTrainingResponse;
import dev.loracurve.proto.v1.TrainerServiceGrpc;
import dev.loracurve.service.quarkus.JobEndpoint;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;

/** TrainerService: validates, hands the work to the stage, maps errors to status codes. Its jobs: TrainerJobs. */
@GrpcService
@Blocking
public class TrainerEndpoint extends TrainerServiceGrpc.TrainerServiceImplBase {
    @Inject
    TrainerStage stage;

    @Override
    public void startTraining(StartTrainingRequest r, StreamObserver<StartTrainingResponse> out) {
        JobEndpoint.start(
                out,
                r.getExperimentId(),
                team -> stage.train(r.getExperimentId(), r.getSpec(), team),
                stage.jobs(),
                job -> StartTrainingResponse.newBuilder().setJob(job).build());
    }
}
