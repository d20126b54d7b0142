package dev.loracurve.trainer;

import dev.loracurve.service.quarkus.JobEndpoint;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/** JobService over the trainer's jobs. */
@GrpcService
@Blocking
public class TrainerJobs extends JobEndpoint {}
