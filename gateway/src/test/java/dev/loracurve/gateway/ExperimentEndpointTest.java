package dev.loracurve.gateway;

import static dev.loracurve.service.testing.Channels.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loracurve.proto.v1.CancelExperimentRequest;
import dev.loracurve.proto.v1.CreateExperimentRequest;
import dev.loracurve.proto.v1.Experiment;
import dev.loracurve.proto.v1.ExperimentServiceGrpc;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.ExperimentUpdate;
import dev.loracurve.proto.v1.GetExperimentRequest;
import dev.loracurve.proto.v1.GetReportRequest;
import dev.loracurve.proto.v1.ListExperimentsRequest;
import dev.loracurve.proto.v1.Progress;
import dev.loracurve.proto.v1.Stage;
import dev.loracurve.proto.v1.StageProgress;
import dev.loracurve.proto.v1.State;
import dev.loracurve.proto.v1.WatchExperimentRequest;
import dev.loracurve.service.EventBus;
import dev.loracurve.service.Topics;
import dev.loracurve.service.auth.LocalSigner;
import dev.loracurve.service.testing.BrokerResource;
import dev.loracurve.service.testing.Channels;
import dev.loracurve.service.testing.EventLog;
import dev.loracurve.service.testing.TestSpecs;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ExperimentService in-process: the real gateway on a real broker, with no stage behind it; the
 * test publishes what a stage would.
 */
@QuarkusTest
@QuarkusTestResource(value = BrokerResource.class, restrictToAnnotatedClass = true)
class ExperimentEndpointTest {
    ManagedChannel channel;
    ExperimentServiceGrpc.ExperimentServiceBlockingStub gateway;

    @BeforeEach
    void open() {
        channel = Channels.open(BrokerResource.target(), BrokerResource.token("team-a"));
        gateway = ExperimentServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void close() throws InterruptedException {
        Channels.close(channel);
    }

    private static ExperimentSpec spec() {
        return TestSpecs.quick(BrokerResource.world());
    }

    private Experiment create() {
        return gateway.createExperiment(
                CreateExperimentRequest.newBuilder().setSpec(spec()).build());
    }

    @Test
    void anInvalidSpecIsRefusedWithEveryFieldAndNothingIsCreated() {
        int before = gateway.listExperiments(ListExperimentsRequest.getDefaultInstance())
                .getExperimentsCount();
        assertStatus(
                Status.Code.INVALID_ARGUMENT,
                "spec.k must be >= 1, got 0",
                () -> gateway.createExperiment(CreateExperimentRequest.newBuilder()
                        .setSpec(spec().toBuilder()
                                .setK(0)
                                .setTask(spec().getTask().toBuilder().setName("mmlu")))
                        .build()));
        assertEquals(
                before,
                gateway.listExperiments(ListExperimentsRequest.getDefaultInstance())
                        .getExperimentsCount());
    }

    @Test
    void aCreatedExperimentIsQueuedListedAndSubmittedOnce() {
        Experiment e = create();
        assertEquals(State.QUEUED, e.getState());
        assertEquals(
                e,
                gateway.getExperiment(GetExperimentRequest.newBuilder()
                        .setExperimentId(e.getId())
                        .build()));
        assertTrue(gateway.listExperiments(ListExperimentsRequest.getDefaultInstance()).getExperimentsList().stream()
                .anyMatch(x -> x.getId().equals(e.getId())));
        assertStatus(
                Status.Code.FAILED_PRECONDITION,
                "has no report yet",
                () -> gateway.getReport(
                        GetReportRequest.newBuilder().setExperimentId(e.getId()).build()));
        Map<String, Integer> events =
                EventLog.count(BrokerResource.bootstrapServers(), e.getId(), Duration.ofSeconds(2));
        assertEquals(Map.of("loracurve.v1.ExperimentSubmitted " + e.getId() + "/submitted", 1), events);
    }

    @Test
    void unknownExperimentsAreNotFound() {
        assertStatus(
                Status.Code.NOT_FOUND,
                "no experiment 'exp-none'",
                () -> gateway.getExperiment(GetExperimentRequest.newBuilder()
                        .setExperimentId("exp-none")
                        .build()));
        assertStatus(
                Status.Code.NOT_FOUND,
                "no experiment 'exp-none'",
                () -> gateway.cancelExperiment(CancelExperimentRequest.newBuilder()
                        .setExperimentId("exp-none")
                        .build()));
    }

    @Test
    void aWatchFollowsTheStagesEventsAndACancelEndsIt() throws Exception {
        Experiment e = create();
        Iterator<ExperimentUpdate> watch = gateway.watchExperiment(
                WatchExperimentRequest.newBuilder().setExperimentId(e.getId()).build());
        assertEquals(State.QUEUED, watch.next().getExperiment().getState());
        try (EventBus stage = new EventBus(BrokerResource.bootstrapServers(), "test-trainer")) {
            stage.publish(
                    Topics.PROGRESS,
                    e.getId(),
                    null,
                    StageProgress.newBuilder()
                            .setProgress(Progress.newBuilder()
                                    .setExperimentId(e.getId())
                                    .setStage(Stage.TRAIN)
                                    .setState(State.RUNNING)
                                    .setStep(3)
                                    .setTotalSteps(20))
                            .build());
        }
        ExperimentUpdate running = watch.next();
        assertEquals(State.RUNNING, running.getExperiment().getState());
        assertEquals(3, running.getProgress().getStep());
        Experiment cancelled = gateway.cancelExperiment(
                CancelExperimentRequest.newBuilder().setExperimentId(e.getId()).build());
        assertEquals(State.CANCELLED, cancelled.getState());
        assertTrue(Files.exists(
                BrokerResource.store().resolve("experiments").resolve(e.getId()).resolve("CANCELLED")));
        assertEquals(State.CANCELLED, watch.next().getExperiment().getState());
        assertFalse(watch.hasNext(), "the watch ends with the experiment");
        assertStatus(
                Status.Code.FAILED_PRECONDITION,
                "already ended: CANCELLED",
                () -> gateway.cancelExperiment(CancelExperimentRequest.newBuilder()
                        .setExperimentId(e.getId())
                        .build()));
        Map<String, Integer> events =
                EventLog.count(BrokerResource.bootstrapServers(), e.getId(), Duration.ofSeconds(2));
        assertEquals(1, events.get("loracurve.v1.ExperimentCancelled " + e.getId() + "/cancelled"), events.toString());
    }

    @Test
    void callsWithoutAValidTokenAreUnauthenticated() throws Exception {
        GetExperimentRequest get =
                GetExperimentRequest.newBuilder().setExperimentId("exp-x").build();
        String valid = BrokerResource.token("team-a");
        String tampered = valid.substring(0, valid.length() - 4) + (valid.endsWith("AAAA") ? "BBBB" : "AAAA");
        String forged = LocalSigner.in(BrokerResource.dir().resolve("other-keys"))
                .token("eve", "team-a", Duration.ofMinutes(5));
        String expired = BrokerResource.signer().token("test-user", "team-a", Duration.ofMinutes(-10));
        Map<String, String> cases = Map.of(
                "",
                "a bearer token is required",
                tampered,
                "invalid token",
                forged,
                "invalid token",
                expired,
                "invalid token: expired");
        for (var c : cases.entrySet()) {
            ManagedChannel ch = c.getKey().isEmpty()
                    ? Channels.open(BrokerResource.target())
                    : Channels.open(BrokerResource.target(), c.getKey());
            try {
                assertStatus(
                        Status.Code.UNAUTHENTICATED,
                        c.getValue(),
                        () -> ExperimentServiceGrpc.newBlockingStub(ch).getExperiment(get));
            } finally {
                Channels.close(ch);
            }
        }
        ManagedChannel anonymous = Channels.open(BrokerResource.target());
        try {
            assertEquals(
                    HealthCheckResponse.ServingStatus.SERVING,
                    HealthGrpc.newBlockingStub(anonymous)
                            .check(HealthCheckRequest.getDefaultInstance())
                            .getStatus(),
                    "health checks need no token (the orchestrator's probes)");
        } finally {
            Channels.close(anonymous);
        }
    }

    @Test
    void aTeamSeesOnlyItsOwnExperiments() throws Exception {
        Experiment mine = create();
        assertEquals("team-a", mine.getTeam());
        ManagedChannel other = Channels.open(BrokerResource.target(), BrokerResource.token("team-b"));
        try {
            var b = ExperimentServiceGrpc.newBlockingStub(other);
            String notFound = "no experiment '" + mine.getId() + "'";
            assertStatus(
                    Status.Code.NOT_FOUND,
                    notFound,
                    () -> b.getExperiment(GetExperimentRequest.newBuilder()
                            .setExperimentId(mine.getId())
                            .build()));
            assertStatus(
                    Status.Code.NOT_FOUND,
                    notFound,
                    () -> b.cancelExperiment(CancelExperimentRequest.newBuilder()
                            .setExperimentId(mine.getId())
                            .build()));
            assertStatus(
                    Status.Code.NOT_FOUND,
                    notFound,
                    () -> b.getReport(GetReportRequest.newBuilder()
                            .setExperimentId(mine.getId())
                            .build()));
            assertStatus(
                    Status.Code.NOT_FOUND,
                    notFound,
                    () -> b.watchExperiment(WatchExperimentRequest.newBuilder()
                                    .setExperimentId(mine.getId())
                                    .build())
                            .next());
            assertTrue(
                    b.listExperiments(ListExperimentsRequest.getDefaultInstance()).getExperimentsList().stream()
                            .noneMatch(e -> e.getTeam().equals("team-a")),
                    "team-b lists none of team-a's");
        } finally {
            Channels.close(other);
        }
        assertEquals(
                State.QUEUED,
                gateway.getExperiment(GetExperimentRequest.newBuilder()
                                .setExperimentId(mine.getId())
                                .build())
                        .getState());
        List<String> audit = Files.readAllLines(BrokerResource.auditLog());
        assertTrue(
                audit.stream()
                        .anyMatch(l -> l.contains("\"team\":\"team-a\"")
                                && l.contains("CreateExperiment")
                                && l.contains(mine.getId())
                                && l.contains("\"outcome\":\"OK\"")),
                "the audit log says who created what");
        assertTrue(
                audit.stream()
                        .anyMatch(l -> l.contains("\"team\":\"team-b\"")
                                && l.contains("CancelExperiment")
                                && l.contains(mine.getId())
                                && l.contains("NOT_FOUND")),
                "and who tried to cancel what");
    }

    @Test
    void quotasAndLimitsAreEnforced() throws Exception {
        ManagedChannel small = Channels.open(BrokerResource.target(), BrokerResource.token("small"));
        try {
            var s = ExperimentServiceGrpc.newBlockingStub(small);
            assertStatus(
                    Status.Code.RESOURCE_EXHAUSTED,
                    "quota of team small: max-k = 2",
                    () -> s.createExperiment(CreateExperimentRequest.newBuilder()
                            .setSpec(spec().toBuilder().setK(3))
                            .build()));
            s.createExperiment(
                    CreateExperimentRequest.newBuilder().setSpec(spec()).build());
            assertStatus(
                    Status.Code.RESOURCE_EXHAUSTED,
                    "max-running = 1",
                    () -> s.createExperiment(
                            CreateExperimentRequest.newBuilder().setSpec(spec()).build()));
        } finally {
            Channels.close(small);
        }
        assertStatus(
                Status.Code.INVALID_ARGUMENT,
                "spec.trainer.batch_size must be <= 1024",
                () -> gateway.createExperiment(CreateExperimentRequest.newBuilder()
                        .setSpec(spec().toBuilder()
                                .setTrainer(spec().getTrainer().toBuilder().setBatchSize(100_000_000)))
                        .build()));
        for (String outside : List.of("/etc/passwd", "/proc/self/environ")) {
            assertStatus(
                    Status.Code.INVALID_ARGUMENT,
                    "spec.task.data_uri: '" + outside + "' is outside the data roots",
                    () -> gateway.createExperiment(CreateExperimentRequest.newBuilder()
                            .setSpec(spec().toBuilder()
                                    .setTask(spec().getTask().toBuilder().setDataUri(outside)))
                            .build()));
        }
    }
}
