package dev.loracurve.curve;

import dev.loracurve.service.quarkus.JobEndpoint;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/** JobService over the curve stage's jobs. */
@GrpcService
@Blocking
public class CurveJobs extends JobEndpoint {}
