package dev.loracurve.gateway;

import static dev.loracurve.service.testing.Channels.assertStatus;
import static dev.loracurve.service.testing.Channels.detail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.BadRequest;
import com.google.rpc.QuotaFailure;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import dev.loracurve.proto.v1.CancelExperimentRequest;
import dev.loracurve.proto.v1.CreateExperimentRequest;
import dev.loracurve.proto.v1.Experiment;
import dev.loracurve.proto.v1.ExperimentServiceGrpc;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.GetExperimentRequest;
import dev.loracurve.proto.v1.GetReportRequest;
import dev.loracurve.proto.v1.ListExperimentsRequest;
import dev.loracurve.proto.v1.ListExperimentsResponse;
import dev.loracurve.proto.v1.Progress;
import dev.loracurve.proto.v1.Stage;
import dev.loracurve.proto.v1.StageProgress;
import dev.loracurve.proto.v1.State;
import dev.loracurve.proto.v1.WatchExperimentRequest;
import dev.loracurve.proto.v1.WatchExperimentResponse;
import dev.loracurve.service.EventBus;
import dev.loracurve.service.Topics;
import dev.loracurve.service.auth.LocalSigner;
import dev.loracurve.service.testing.BrokerResource;
import dev.loracurve.service.testing.Channels;
import dev.loracurve.service.testing.EventLog;
import dev.loracurve.service.testing.TestSpecs;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
        return create(gateway, spec(), "");
    }

    private static Experiment create(
            ExperimentServiceGrpc.ExperimentServiceBlockingStub stub, ExperimentSpec spec, String requestId) {
        return stub.createExperiment(CreateExperimentRequest.newBuilder()
                        .setSpec(spec)
                        .setRequestId(requestId)
                        .build())
                .getExperiment();
    }

    private Experiment get(String id) {
        return gateway.getExperiment(
                        GetExperimentRequest.newBuilder().setExperimentId(id).build())
                .getExperiment();
    }

    @Test
    void anInvalidSpecIsRefusedWithEveryFieldAndNothingIsCreated() {
        int before = gateway.listExperiments(ListExperimentsRequest.getDefaultInstance())
                .getExperimentsCount();
        StatusRuntimeException invalid = assertStatus(
                Status.Code.INVALID_ARGUMENT,
                "spec.k must be >= 1, got 0",
                () -> gateway.createExperiment(CreateExperimentRequest.newBuilder()
                        .setSpec(spec().toBuilder()
                                .setK(0)
                                .setTask(spec().getTask().toBuilder().setName("mmlu")))
                        .build()));
        assertEquals(
                List.of("spec.k", "spec.task.name"),
                detail(invalid, BadRequest.class).getFieldViolationsList().stream()
                        .map(BadRequest.FieldViolation::getField)
                        .sorted()
                        .toList(),
                "one violation per invalid field, each naming it");
        assertEquals(
                before,
                gateway.listExperiments(ListExperimentsRequest.getDefaultInstance())
                        .getExperimentsCount());
    }

    @Test
    void aCreatedExperimentIsQueuedListedAndSubmittedOnce() {
        Experiment e = create();
        assertEquals(State.QUEUED, e.getState());
        assertEquals(e, get(e.getId()));
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
        StatusRuntimeException unknown = assertStatus(
                Status.Code.NOT_FOUND,
                "no experiment 'exp-none'",
                () -> gateway.getExperiment(GetExperimentRequest.newBuilder()
                        .setExperimentId("exp-none")
                        .build()));
        ResourceInfo what = detail(unknown, ResourceInfo.class);
        assertEquals("experiment", what.getResourceType());
        assertEquals("exp-none", what.getResourceName());
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
        Iterator<WatchExperimentResponse> watch = gateway.watchExperiment(
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
        WatchExperimentResponse running = watch.next();
        assertEquals(State.RUNNING, running.getExperiment().getState());
        assertEquals(3, running.getProgress().getStep());
        Experiment cancelled = gateway.cancelExperiment(CancelExperimentRequest.newBuilder()
                        .setExperimentId(e.getId())
                        .build())
                .getExperiment();
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
        assertEquals(State.QUEUED, get(mine.getId()).getState());
        List<String> audit = Files.readAllLines(BrokerResource.auditLog());
        assertTrue(
                audit.stream()
                        .anyMatch(l -> l.contains("\"team\":\"team-a\"")
                                && l.contains("CreateExperiment")
                                && l.contains(mine.getId())
                                && l.contains("\"outcome\":\"OK\"")),
                () -> "the audit log says who created what: " + audit);
        assertTrue(
                audit.stream()
                        .anyMatch(l -> l.contains("\"team\":\"team-b\"")
                                && l.contains("CancelExperiment")
                                && l.contains(mine.getId())
                                && l.contains("NOT_FOUND")),
                () -> "and who tried to cancel what: " + audit);
    }

    @Test
    void quotasAndLimitsAreEnforced() throws Exception {
        ManagedChannel small = Channels.open(BrokerResource.target(), BrokerResource.token("small"));
        try {
            var s = ExperimentServiceGrpc.newBlockingStub(small);
            StatusRuntimeException tooBig = assertStatus(
                    Status.Code.RESOURCE_EXHAUSTED,
                    "quota of team small: max-k = 2",
                    () -> s.createExperiment(CreateExperimentRequest.newBuilder()
                            .setSpec(spec().toBuilder().setK(3))
                            .build()));
            assertEquals(
                    "team:small",
                    detail(tooBig, QuotaFailure.class).getViolations(0).getSubject());
            assertTrue(
                    StatusProto.fromThrowable(tooBig).getDetailsList().stream().noneMatch(d -> d.is(RetryInfo.class)),
                    "a spec over a fixed limit never passes: no RetryInfo");
            create(s, spec(), "");
            StatusRuntimeException busy = assertStatus(
                    Status.Code.RESOURCE_EXHAUSTED,
                    "max-running = 1",
                    () -> s.createExperiment(
                            CreateExperimentRequest.newBuilder().setSpec(spec()).build()));
            assertEquals(
                    "team:small",
                    detail(busy, QuotaFailure.class).getViolations(0).getSubject());
            assertEquals(5, detail(busy, RetryInfo.class).getRetryDelay().getSeconds(), "retry when one ends");
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

    @Test
    void aRetriedCreateWithTheSameRequestIdCreatesOneExperiment() throws Exception {
        ManagedChannel ch = Channels.open(BrokerResource.target(), BrokerResource.token("team-retry"));
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            var stub = ExperimentServiceGrpc.newBlockingStub(ch);
            // four clients retry the same request at once: one experiment, one submission
            List<Future<Experiment>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(clients.submit(() -> create(stub, spec(), "req-1")));
            }
            Set<String> ids = new HashSet<>();
            for (Future<Experiment> c : calls) {
                ids.add(c.get().getId());
            }
            assertEquals(1, ids.size(), ids.toString());
            String id = ids.iterator().next();
            Experiment again = create(stub, spec(), "req-1");
            assertEquals(id, again.getId());
            assertEquals("req-1", again.getRequestId());
            assertEquals(
                    Map.of("loracurve.v1.ExperimentSubmitted " + id + "/submitted", 1),
                    EventLog.count(BrokerResource.bootstrapServers(), id, Duration.ofSeconds(2)));
            assertStatus(
                    Status.Code.ALREADY_EXISTS,
                    "request_id 'req-1' was used with another spec (" + id + ")",
                    () -> create(stub, spec().toBuilder().setSeed(99).build(), "req-1"));
            assertFalse(id.equals(create(gateway, spec(), "req-1").getId()), "request ids are per team");
            assertFalse(id.equals(create(stub, spec(), "req-2").getId()), "a new request id, a new experiment");
            StatusRuntimeException tooLong = assertStatus(
                    Status.Code.INVALID_ARGUMENT,
                    "request_id must be at most 128 characters, got 129",
                    () -> create(stub, spec(), "r".repeat(129)));
            assertEquals(
                    "request_id",
                    detail(tooLong, BadRequest.class).getFieldViolations(0).getField());
        } finally {
            clients.shutdownNow();
            Channels.close(ch);
        }
    }

    @Test
    void listsComeAPageAtATimeAndFilterByState() throws Exception {
        ManagedChannel ch = Channels.open(BrokerResource.target(), BrokerResource.token("team-pages"));
        try {
            var stub = ExperimentServiceGrpc.newBlockingStub(ch);
            List<String> created = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String id = create(stub, spec(), "").getId();
                created.add(id);
                if (i < 2) { // stays under the team's 4 running
                    stub.cancelExperiment(CancelExperimentRequest.newBuilder()
                            .setExperimentId(id)
                            .build());
                }
            }
            List<String> listed = new ArrayList<>();
            List<Integer> sizes = new ArrayList<>();
            String token = "";
            do {
                ListExperimentsResponse page = stub.listExperiments(ListExperimentsRequest.newBuilder()
                        .setPageSize(2)
                        .setPageToken(token)
                        .build());
                sizes.add(page.getExperimentsCount());
                page.getExperimentsList().forEach(e -> listed.add(e.getId()));
                token = page.getNextPageToken();
            } while (!token.isEmpty());
            assertEquals(List.of(2, 2, 1), sizes);
            assertEquals(created, listed, "oldest first, each once");
            ListExperimentsResponse cancelled = stub.listExperiments(ListExperimentsRequest.newBuilder()
                    .setState(State.CANCELLED)
                    .build());
            assertEquals(
                    created.subList(0, 2),
                    cancelled.getExperimentsList().stream()
                            .map(Experiment::getId)
                            .toList());
            assertEquals("", cancelled.getNextPageToken());
            String firstPage = stub.listExperiments(
                            ListExperimentsRequest.newBuilder().setPageSize(1).build())
                    .getNextPageToken();
            StatusRuntimeException mixed = assertStatus(
                    Status.Code.INVALID_ARGUMENT,
                    "page_token was made for other filters",
                    () -> stub.listExperiments(ListExperimentsRequest.newBuilder()
                            .setPageToken(firstPage)
                            .setState(State.QUEUED)
                            .build()));
            assertEquals(
                    "page_token",
                    detail(mixed, BadRequest.class).getFieldViolations(0).getField());
        } finally {
            Channels.close(ch);
        }
    }
}
