package dev.loracurve.trainer;

import static dev.loracurve.service.testing.Channels.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loracurve.proto.v1.CancelJobRequest;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.GetJobRequest;
import dev.loracurve.proto.v1.Job;
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

    @BeforeEach
    void open() {
        channel = Channels.open(BrokerResource.target(), BrokerResource.token("team-a"));
        trainer = TrainerServiceGrpc.newBlockingStub(channel);
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
        assertStatus(
                Status.Code.INVALID_ARGUMENT,
                "experiment_id is required",
                () -> trainer.startTraining(
                        StartTrainingRequest.newBuilder().setSpec(spec()).build()));
        ExperimentSpec bad = spec().toBuilder()
                .setLora(spec().getLora().toBuilder().setRank(0))
                .setTrainer(spec().getTrainer().toBuilder().setSteps(-1))
                .build();
        assertStatus(
                Status.Code.INVALID_ARGUMENT,
                "spec.lora.rank must be > 0, got 0; spec.trainer.steps must be > 0, got -1",
                () -> trainer.startTraining(StartTrainingRequest.newBuilder()
                        .setExperimentId("bad")
                        .setSpec(bad)
                        .build()));
        assertStatus(
                Status.Code.INVALID_ARGUMENT,
                "is not a plain name",
                () -> trainer.startTraining(StartTrainingRequest.newBuilder()
                        .setExperimentId("../outside")
                        .setSpec(spec())
                        .build()));
        assertStatus(
                Status.Code.NOT_FOUND,
                "no job 'nope/train'",
                () -> trainer.getJob(
                        GetJobRequest.newBuilder().setJobId("nope/train").build()));
        assertStatus(
                Status.Code.NOT_FOUND,
                "no job 'nope/train'",
                () -> trainer.cancelJob(
                        CancelJobRequest.newBuilder().setJobId("nope/train").build()));
    }

    @Test
    void aStartedJobTrainsItsOptimaAndAnnouncesEachOnce() throws Exception {
        Job started = trainer.startTraining(StartTrainingRequest.newBuilder()
                .setExperimentId("direct-1")
                .setSpec(spec())
                .build());
        assertEquals("direct-1/train", started.getId());
        List<Progress> progress = Channels.untilTerminal(trainer.watchJob(
                WatchJobRequest.newBuilder().setJobId(started.getId()).build()));
        assertEquals(State.SUCCEEDED, progress.get(progress.size() - 1).getState(), progress.toString());
        assertTrue(progress.stream().anyMatch(p -> p.getStep() > 0), "steps were reported");
        Job done = trainer.getJob(
                GetJobRequest.newBuilder().setJobId(started.getId()).build());
        assertEquals(2, done.getOutputsCount());
        assertTrue(done.getOutputs(0).getUri().contains("experiments/direct-1/optima/run-0"), done.toString());
        assertEquals(
                List.of(done),
                trainer.listJobs(ListJobsRequest.newBuilder()
                                .setExperimentId("direct-1")
                                .build())
                        .getJobsList());
        assertStatus(
                Status.Code.FAILED_PRECONDITION,
                "already ended",
                () -> trainer.cancelJob(
                        CancelJobRequest.newBuilder().setJobId(started.getId()).build()));
        ManagedChannel other = Channels.open(BrokerResource.target(), BrokerResource.token("team-b"));
        try {
            var b = TrainerServiceGrpc.newBlockingStub(other);
            assertStatus(
                    Status.Code.NOT_FOUND,
                    "no job 'direct-1/train'",
                    () -> b.getJob(
                            GetJobRequest.newBuilder().setJobId(started.getId()).build()));
            assertEquals(0, b.listJobs(ListJobsRequest.getDefaultInstance()).getJobsCount(), "another team's jobs");
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
