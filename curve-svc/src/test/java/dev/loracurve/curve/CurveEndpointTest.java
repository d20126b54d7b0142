package dev.loracurve.curve;

import static dev.loracurve.service.testing.Channels.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loracurve.proto.v1.Artifact;
import dev.loracurve.proto.v1.CheckpointAvailable;
import dev.loracurve.proto.v1.CurveServiceGrpc;
import dev.loracurve.proto.v1.EvalSpec;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.GetJobRequest;
import dev.loracurve.proto.v1.Job;
import dev.loracurve.proto.v1.JobServiceGrpc;
import dev.loracurve.proto.v1.Progress;
import dev.loracurve.proto.v1.StartCurveRequest;
import dev.loracurve.proto.v1.State;
import dev.loracurve.proto.v1.WatchJobRequest;
import dev.loracurve.service.EventBus;
import dev.loracurve.service.Topics;
import dev.loracurve.service.testing.BrokerResource;
import dev.loracurve.service.testing.Channels;
import dev.loracurve.service.testing.EventLog;
import dev.loracurve.service.testing.Optima;
import dev.loracurve.service.testing.TestSpecs;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CurveService in-process: the real service on a real broker, its optima written into its store. */
@QuarkusTest
@QuarkusTestResource(value = BrokerResource.class, restrictToAnnotatedClass = true)
class CurveEndpointTest {
    ManagedChannel channel;
    CurveServiceGrpc.CurveServiceBlockingStub curve;
    JobServiceGrpc.JobServiceBlockingStub jobs;

    @BeforeEach
    void open() {
        channel = Channels.open(BrokerResource.target(), BrokerResource.token("team-a"));
        curve = CurveServiceGrpc.newBlockingStub(channel);
        jobs = JobServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void close() throws InterruptedException {
        Channels.close(channel);
    }

    /** Three optima, a short anchored quadratic curve. */
    private static ExperimentSpec spec() {
        ExperimentSpec s = TestSpecs.threeOptimaAndACurve(BrokerResource.world());
        return s.toBuilder().setCurve(s.getCurve().toBuilder().setSteps(20)).build();
    }

    private Job runToEnd(String experimentId, List<Artifact> optima, ExperimentSpec spec) {
        Job started = curve.startCurve(StartCurveRequest.newBuilder()
                        .setExperimentId(experimentId)
                        .setSpec(spec)
                        .addAllOptima(optima)
                        .build())
                .getJob();
        List<Progress> progress = Channels.untilTerminal(jobs.watchJob(
                WatchJobRequest.newBuilder().setJobId(started.getId()).build()));
        assertTrue(progress.size() >= 1);
        return jobs.getJob(GetJobRequest.newBuilder().setJobId(started.getId()).build())
                .getJob();
    }

    @Test
    void aCurveIsFittedThroughTheOptimaAndAnnouncedOnce() {
        List<Artifact> optima = Optima.write(BrokerResource.store(), "fit-1", spec());
        Job done = runToEnd("fit-1", optima, spec());
        assertEquals(State.SUCCEEDED, done.getState(), done.getError());
        assertEquals(1, done.getOutputsCount());
        assertTrue(Files.exists(BrokerResource.store().resolve("experiments/fit-1/curve/curve.json")));
        Map<String, Integer> events = EventLog.count(BrokerResource.bootstrapServers(), "fit-1", Duration.ofSeconds(2));
        assertEquals(1, events.get("loracurve.v1.CurveReady fit-1/curve"), events.toString());
    }

    @Test
    void anExperimentWithoutCurveMethodsPassesStraightThrough() {
        ExperimentSpec noCurve = spec().toBuilder()
                .setEval(EvalSpec.newBuilder().addMethods("ensemble").setSamples(1))
                .build();
        List<Artifact> optima = Optima.write(BrokerResource.store(), "through-1", noCurve);
        Job done = runToEnd("through-1", optima, noCurve);
        assertEquals(State.SUCCEEDED, done.getState(), done.getError());
        assertEquals(0, done.getOutputsCount());
        assertFalse(Files.exists(BrokerResource.store().resolve("experiments/through-1/curve")));
    }

    @Test
    void optimaThatDoNotMatchTheirAnnouncementFailTheJobByName() throws Exception {
        List<Artifact> optima = Optima.write(BrokerResource.store(), "corrupt-1", spec());
        Path weights = Path.of(URI.create(optima.get(1).getUri())).resolve("adapter_model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        bytes[bytes.length - 1] ^= 1;
        Files.write(weights, bytes);
        Job done = runToEnd("corrupt-1", optima, spec());
        assertEquals(State.FAILED, done.getState());
        assertTrue(
                done.getError().contains("run-1") && done.getError().contains("differs from the announced"),
                done.getError());
    }

    @Test
    void badRequestsAreRefusedWithTheirField() {
        List<Artifact> optima = Optima.write(BrokerResource.store(), "bad-1", spec());
        assertStatus(
                Status.Code.INVALID_ARGUMENT,
                "optima: the spec has k = 3, got 2",
                () -> curve.startCurve(StartCurveRequest.newBuilder()
                        .setExperimentId("bad-1")
                        .setSpec(spec())
                        .addAllOptima(optima.subList(0, 2))
                        .build()));
        assertStatus(
                Status.Code.INVALID_ARGUMENT,
                "spec.curve.degree must be > 0, got 0",
                () -> curve.startCurve(StartCurveRequest.newBuilder()
                        .setExperimentId("bad-1")
                        .setSpec(spec().toBuilder()
                                .setCurve(spec().getCurve().toBuilder().setDegree(0)))
                        .addAllOptima(optima)
                        .build()));
        Artifact outside =
                optima.get(0).toBuilder().setUri("file:///etc/passwd").build();
        Job job = runToEnd("bad-2", List.of(outside, optima.get(1), optima.get(2)), spec());
        assertEquals(State.FAILED, job.getState());
        assertTrue(job.getError().contains("leaves the store root"), job.getError());
    }

    @Test
    void anInjectedEventNamingAnArtifactOutsideTheStoreWritesNothingAndIsReported() throws Exception {
        String id = "injected-1";
        try (EventBus attacker = new EventBus(BrokerResource.bootstrapServers(), "somebody")) {
            attacker.publish(
                    Topics.CHECKPOINTS,
                    id,
                    id + "/checkpoint/0",
                    CheckpointAvailable.newBuilder()
                            .setExperimentId(id)
                            .setSpec(spec())
                            .setIndex(0)
                            .setK(3)
                            .setAdapter(
                                    Artifact.newBuilder().setUri("file:///etc").setSha256("0".repeat(64)))
                            .build());
        }
        List<Progress> reports = List.of();
        for (int i = 0; i < 40 && reports.isEmpty(); i++) {
            reports = EventLog.progress(BrokerResource.bootstrapServers(), id, Duration.ofMillis(500));
        }
        assertEquals(State.FAILED, reports.get(0).getState());
        assertTrue(
                reports.get(0).getMessage().contains("leaves the store root"),
                reports.get(0).getMessage());
        assertFalse(Files.exists(BrokerResource.store().resolve("experiments").resolve(id)), "nothing written for it");
    }
}
