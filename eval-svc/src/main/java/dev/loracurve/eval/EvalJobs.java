package dev.loracurve.eval;

import dev.loracurve.service.quarkus.JobEndpoint;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/** JobService over the evaluation stage's jobs. */
@GrpcService
@Blocking
public class EvalJobs extends JobEndpoint {}
