package dev.loracurve.trainer;

import static dev.loracurve.service.testing.Channels.assertStatus;
import static dev.loracurve.service.testing.Channels.detail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.BadRequest;
import com.google.rpc.ResourceInfo;
import dev.loracurve.proto.v1.CancelJobRequest;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.GetJobRequest;
import dev.loracurve.proto.v1.Job;
import dev.loracurve.proto.v1.JobServiceGrpc;
import dev.loracurve.proto.v1.ListJobsRequest;
import dev.loracurve.proto.v1.Progress;
import dev.loracurve.proto.v1.StartTrainingRequest;
import dev.loracurve.proto.v1.State;
import dev.loracurve.proto.v1.TrainerServiceGrpc;
import dev.loracurve.proto.v1.WatchJobRequest;
import dev.loracurve.service.testing.BrokerResource;
import dev.loracurve.service.testing.Channels;
import dev.loracurve.service.testing.EventLog;
import dev.loracurve.service.testing.TestSpecs;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TrainerService in-process: the real service on a real broker, called through a gRPC channel. */
@QuarkusTest
@QuarkusTestResource(value = BrokerResource.class, restrictToAnnotatedClass = true)
class TrainerEndpointTest {
    ManagedChannel channel;
    TrainerServiceGrpc.TrainerServiceBlockingStub trainer;
    JobServiceGrpc.JobServiceBlockingStub jobs;

    @BeforeEach
    void open() {
        channel = Channels.open(BrokerResource.target(), BrokerResource.token("team-a"));
        trainer = TrainerServiceGrpc.newBlockingStub(channel);
        jobs = JobServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void close() throws InterruptedException {
        Channels.close(channel);
    }

    private static ExperimentSpec spec() {
        return TestSpecs.quick(BrokerResource.world());
    }

    @Test
    void badRequestsNameTheirField() throws Exception {
        StatusRuntimeException missing = assertStatus(
                Status.Code.INVALID_ARGUMENT,
                "experiment_id is required",
                () -> trainer.startTraining(
                        StartTrainingRequest.newBuilder().setSpec(spec()).build()));
        ExperimentSpec bad = spec().toBuilder()
                .setLora(spec().getLora().toBuilder().setRank(0))
                .setTrainer(spec().getTrainer().toBuilder().setSteps(-1))
                .build();
        assertEquals(
                "experiment_id",
                detail(missing, BadRequest.class).getFieldViolations(0).getField());
        StatusRuntimeException invalid = assertStatus(
                Status.Code.INVALID_ARGUMENT,
                "spec.lora.rank must be > 0, got 0; spec.trainer.steps must be > 0, got -1",
                () -> trainer.startTraining(StartTrainingRequest.newBuilder()
                        .setExperimentId("bad")
                        .setSpec(bad)
                        .build()));
        BadRequest fields = detail(invalid, BadRequest.class);
        assertEquals(
                List.of("spec.lora.rank", "spec.trainer.steps", "spec.trainer.warmup_steps"),
                fields.getFieldViolationsList().stream()
                        .map(BadRequest.FieldViolation::getField)
                        .toList());
        assertEquals(
                "spec.lora.rank must be > 0, got 0",
                fields.getFieldViolations(0).getDescription());
        assertStatus(
                Status.Code.INVALID_ARGUMENT,
                "is not a plain name",
                () -> trainer.startTraining(StartTrainingRequest.newBuilder()
                        .setExperimentId("../outside")
                        .setSpec(spec())
                        .build()));
        StatusRuntimeException unknown = assertStatus(
                Status.Code.NOT_FOUND,
                "no job 'nope/train'",
                () -> jobs.getJob(
                        GetJobRequest.newBuilder().setJobId("nope/train").build()));
        ResourceInfo what = detail(unknown, ResourceInfo.class);
        assertEquals("job nope/train", what.getResourceType() + " " + what.getResourceName());
        assertStatus(
                Status.Code.NOT_FOUND,
                "no job 'nope/train'",
                () -> jobs.cancelJob(
                        CancelJobRequest.newBuilder().setJobId("nope/train").build()));
        StatusRuntimeException page = assertStatus(
                Status.Code.INVALID_ARGUMENT,
                "page_size must be >= 0, got -1",
                () -> jobs.listJobs(ListJobsRequest.newBuilder().setPageSize(-1).build()));
        assertEquals(
                "page_size",
                detail(page, BadRequest.class).getFieldViolations(0).getField());
        assertStatus(
                Status.Code.INVALID_ARGUMENT,
                "page_token is not a token this service made",
                () -> jobs.listJobs(
                        ListJobsRequest.newBuilder().setPageToken("%%").build()));
    }

    @Test
    void aStartedJobTrainsItsOptimaAndAnnouncesEachOnce() throws Exception {
        Job started = trainer.startTraining(StartTrainingRequest.newBuilder()
                        .setExperimentId("direct-1")
                        .setSpec(spec())
                        .build())
                .getJob();
        assertEquals("direct-1/train", started.getId());
        List<Progress> progress = Channels.untilTerminal(jobs.watchJob(
                WatchJobRequest.newBuilder().setJobId(started.getId()).build()));
        assertEquals(State.SUCCEEDED, progress.get(progress.size() - 1).getState(), progress.toString());
        assertTrue(progress.stream().anyMatch(p -> p.getStep() > 0), "steps were reported");
        Job done = jobs.getJob(
                        GetJobRequest.newBuilder().setJobId(started.getId()).build())
                .getJob();
        assertEquals(2, done.getOutputsCount());
        assertTrue(done.getOutputs(0).getUri().contains("experiments/direct-1/optima/run-0"), done.toString());
        assertEquals(
                List.of(done),
                jobs.listJobs(ListJobsRequest.newBuilder()
                                .setExperimentId("direct-1")
                                .build())
                        .getJobsList());
        assertEquals(
                List.of(done),
                jobs.listJobs(ListJobsRequest.newBuilder()
                                .setState(State.SUCCEEDED)
                                .build())
                        .getJobsList());
        assertEquals(
                0,
                jobs.listJobs(ListJobsRequest.newBuilder()
                                .setState(State.RUNNING)
                                .build())
                        .getJobsCount());
        assertStatus(
                Status.Code.FAILED_PRECONDITION,
                "already ended",
                () -> jobs.cancelJob(
                        CancelJobRequest.newBuilder().setJobId(started.getId()).build()));
        ManagedChannel other = Channels.open(BrokerResource.target(), BrokerResource.token("team-b"));
        try {
            var b = TrainerServiceGrpc.newBlockingStub(other);
            var bJobs = JobServiceGrpc.newBlockingStub(other);
            assertStatus(
                    Status.Code.NOT_FOUND,
                    "no job 'direct-1/train'",
                    () -> bJobs.getJob(
                            GetJobRequest.newBuilder().setJobId(started.getId()).build()));
            assertEquals(0, bJobs.listJobs(ListJobsRequest.getDefaultInstance()).getJobsCount(), "another team's jobs");
            assertStatus(
                    Status.Code.ALREADY_EXISTS,
                    "experiment_id 'direct-1' is in use",
                    () -> b.startTraining(StartTrainingRequest.newBuilder()
                            .setExperimentId("direct-1")
                            .setSpec(spec())
                            .build()));
        } finally {
            Channels.close(other);
        }
        Map<String, Integer> events =
                EventLog.count(BrokerResource.bootstrapServers(), "direct-1", Duration.ofSeconds(2));
        assertEquals(1, events.get("loracurve.v1.CheckpointAvailable direct-1/checkpoint/0"), events.toString());
        assertEquals(1, events.get("loracurve.v1.CheckpointAvailable direct-1/checkpoint/1"), events.toString());
    }
}
