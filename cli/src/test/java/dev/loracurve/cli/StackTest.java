package dev.loracurve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loracurve.broker.LocalBroker;
import dev.loracurve.cli.stack.Connection;
import dev.loracurve.cli.stack.ExperimentClient;
import dev.loracurve.cli.stack.LocalPki;
import dev.loracurve.cli.stack.Ports;
import dev.loracurve.cli.stack.Readiness;
import dev.loracurve.cli.stack.Stack;
import dev.loracurve.cli.stack.TraceTree;
import dev.loracurve.core.store.Sha256;
import dev.loracurve.core.tasks.Item;
import dev.loracurve.core.tasks.Task;
import dev.loracurve.core.tasks.TaskData;
import dev.loracurve.core.testing.TinyWorld;
import dev.loracurve.proto.v1.Artifact;
import dev.loracurve.proto.v1.CancelExperimentRequest;
import dev.loracurve.proto.v1.EvalServiceGrpc;
import dev.loracurve.proto.v1.EvalSpec;
import dev.loracurve.proto.v1.Experiment;
import dev.loracurve.proto.v1.ExperimentServiceGrpc;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.ExperimentSubmitted;
import dev.loracurve.proto.v1.GetExperimentRequest;
import dev.loracurve.proto.v1.GetJobRequest;
import dev.loracurve.proto.v1.GetReportRequest;
import dev.loracurve.proto.v1.ItemPrediction;
import dev.loracurve.proto.v1.Job;
import dev.loracurve.proto.v1.JobServiceGrpc;
import dev.loracurve.proto.v1.ListExperimentsRequest;
import dev.loracurve.proto.v1.ListJobsRequest;
import dev.loracurve.proto.v1.MethodMetrics;
import dev.loracurve.proto.v1.OodSpec;
import dev.loracurve.proto.v1.PredictItem;
import dev.loracurve.proto.v1.PredictRequest;
import dev.loracurve.proto.v1.PredictResponse;
import dev.loracurve.proto.v1.PredictionServiceGrpc;
import dev.loracurve.proto.v1.Progress;
import dev.loracurve.proto.v1.Stage;
import dev.loracurve.proto.v1.StartEvalRequest;
import dev.loracurve.proto.v1.StartTrainingRequest;
import dev.loracurve.proto.v1.State;
import dev.loracurve.proto.v1.TrainerServiceGrpc;
import dev.loracurve.proto.v1.WatchExperimentRequest;
import dev.loracurve.proto.v1.WatchExperimentResponse;
import dev.loracurve.service.EventBus;
import dev.loracurve.service.JobRunner;
import dev.loracurve.service.Topics;
import dev.loracurve.service.testing.EventLog;
import dev.loracurve.service.testing.TestSpecs;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services as a cluster runs them: a real KRaft broker (in this JVM), the four Quarkus
 * services as their own processes, experiments submitted through the generated gRPC client.
 * Crash tests SIGKILL a service mid-job and start it again.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class StackTest {
    @TempDir
    static Path dir;

    static Stack stack;
    static LocalBroker broker;
    static ExperimentClient client;
    static ExperimentSpec spec;
    static Experiment reference;
    static List<WatchExperimentResponse> referenceUpdates = new ArrayList<>();

    @BeforeAll
    static void up() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Path model = TinyWorld.write(dir);
        stack = Stack.create(StackCommands.home(), dir.resolve("stack"), Ports.free());
        stack.environment().dataRoots(dir.toString());
        broker = LocalBroker.start(stack.brokerDir(), stack.port(Stack.KAFKA), stack.port("kafka-controller"));
        stack.environment().put("LORACURVE_QUOTA_TEAMS_TINY_MAX_K", "2"); // a team with a small quota
        stack.startServices(Duration.ofSeconds(120));
        client = new ExperimentClient(stack.connection("gateway", "stack-test"));
        spec = TestSpecs.threeOptimaAndACurve(dir);
        Experiment created = client.create(spec);
        reference = client.follow(created.getId(), referenceUpdates::add, Duration.ofMinutes(5));
    }

    @AfterAll
    static void down() throws Exception {
        if (client != null) {
            client.close();
        }
        if (stack != null) {
            stack.close();
            if (broker != null) {
                broker.close();
            }
            // the services' logs outlive the temporary folder, for whoever reads a failure
            Path keep = Path.of("target", "stack-test-logs");
            Files.createDirectories(keep);
            try (Stream<Path> logs = Files.list(stack.logs())) {
                for (Path log : (Iterable<Path>) logs::iterator) {
                    Files.copy(log, keep.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    @Test
    void anExperimentRunsThroughEveryStageViaTheEvents() throws Exception {
        assertEquals(State.SUCCEEDED, reference.getState(), reference.getError());
        List<Stage> running = referenceUpdates.stream()
                .filter(WatchExperimentResponse::hasProgress)
                .map(WatchExperimentResponse::getProgress)
                .filter(p -> p.getState() == State.RUNNING)
                .map(Progress::getStage)
                .distinct()
                .toList();
        assertEquals(
                List.of(Stage.TRAIN, Stage.CURVE, Stage.EVAL), running, "the watch stream shows each stage in turn");
        assertEquals(3, reference.getOptimaCount());
        assertTrue(reference.hasCurve());
        assertEquals(
                List.of("map-0", "map-1", "map-2", "ensemble", "linear", "curve-curve"),
                reference.getMetricsList().stream()
                        .map(MethodMetrics::getMethod)
                        .toList());
        var report = client.report(reference.getId());
        JsonNode json = new ObjectMapper().readTree(report.getJson());
        assertEquals(16, json.get("items").asInt());
        assertEquals(
                report.getReportJson().getSha256(),
                Sha256.of(Path.of(URI.create(report.getReportJson().getUri()))));
        assertTrue(Files.size(Path.of(URI.create(report.getHtmlUri()))) > 1000);

        Map<String, Integer> events = events(reference.getId());
        for (int i = 0; i < 3; i++) {
            assertEquals(1, events.get("loracurve.v1.CheckpointAvailable " + reference.getId() + "/checkpoint/" + i));
        }
        assertEquals(1, events.get("loracurve.v1.CurveReady " + reference.getId() + "/curve"));
        assertEquals(1, events.get("loracurve.v1.EvalCompleted " + reference.getId() + "/eval"));
        assertEquals(1, events.get("loracurve.v1.ExperimentSubmitted " + reference.getId() + "/submitted"));

        for (String svc : List.of("trainer-svc", "curve-svc", "eval-svc")) {
            String m = metrics(svc);
            for (String gauge :
                    List.of("loracurve_jobs_running", "loracurve_jobs_queued", "loracurve_steps_per_second")) {
                assertTrue(m.contains(gauge), svc + " exports " + gauge);
            }
        }
        assertTrue(reflectedServices("gateway").contains("loracurve.v1.ExperimentService"), "server reflection");
        assertTrue(reflectedServices("trainer-svc").contains("loracurve.v1.TrainerService"), "server reflection");
        // every service answers gRPC health checks
        for (String svc : Stack.SERVICES) {
            ManagedChannel ch = stack.connection(svc, "stack-test").channel();
            try {
                assertEquals(
                        HealthCheckResponse.ServingStatus.SERVING,
                        HealthGrpc.newBlockingStub(ch)
                                .check(HealthCheckRequest.getDefaultInstance())
                                .getStatus(),
                        svc);
            } finally {
                ch.shutdownNow();
            }
        }
    }

    @Test
    void theDashboardAndTheAlertsAreBuiltOnMetricsTheServicesExport() throws Exception {
        String dashboard = Files.readString(StackCommands.home().resolve("deploy/base/dashboards/loracurve.json"))
                + Files.readString(StackCommands.home().resolve("deploy/components/monitoring/alerts.yaml"));
        Set<String> queried = new TreeSet<>();
        Matcher m = Pattern.compile("\\b(?:loracurve|kafka|jvm)_[a-z0-9_]+").matcher(dashboard);
        while (m.find()) {
            queried.add(m.group());
        }
        assertTrue(queried.size() >= 8, queried.toString());
        StringBuilder exported = new StringBuilder();
        for (String svc : Stack.SERVICES) {
            exported.append(metrics(svc));
        }
        for (String metric : queried) {
            assertTrue(
                    exported.toString().contains(metric + "{")
                            || exported.toString().contains(metric + " "),
                    "the dashboard or an alert queries " + metric + ", which no service exports");
        }
    }

    @Test
    void theExperimentIsOneTraceAcrossTheServices() {
        List<String> tree = TraceTree.render(TraceTree.read(stack.traces()), reference.getId());
        // the path down to the report, each step under the one before, each in its service
        List<String> path = List.of(
                "CreateExperiment  [gateway]",
                "publish ExperimentSubmitted  [gateway]",
                "process ExperimentSubmitted  [trainer-svc]",
                "train job  [trainer-svc]",
                "publish CheckpointAvailable  [trainer-svc]",
                "process CheckpointAvailable  [curve-svc]",
                "curve job  [curve-svc]",
                "publish CurveReady  [curve-svc]",
                "process CurveReady  [eval-svc]",
                "eval job  [eval-svc]",
                "publish EvalCompleted  [eval-svc]");
        int at = -1;
        for (int depth = 0; depth < path.size(); depth++) {
            String prefix = "  ".repeat(depth) + path.get(depth);
            int from = at + 1;
            at = -1;
            for (int i = from; i < tree.size() && at < 0; i++) {
                if (tree.get(i).startsWith(prefix)) {
                    at = i;
                }
            }
            assertTrue(at >= 0, prefix.strip() + " at depth " + depth + " in:\n" + String.join("\n", tree));
        }
        for (String span : List.of("train run-0", "upload run-2", "fit curve", "upload curve", "score ensemble")) {
            assertTrue(
                    tree.stream().anyMatch(l -> l.strip().startsWith(span)), span + " in:\n" + String.join("\n", tree));
        }
    }

    @Test
    void aCurveServiceKilledMidFitResumesAndProducesTheSameCurveOnce() throws Exception {
        Experiment e = client.create(spec);
        Path ckpt = stack.store().resolve("experiments").resolve(e.getId()).resolve("curve.checkpoint");
        killWhenWritten(e.getId(), ckpt, "curve-svc");
        assertTrue(Files.exists(ckpt), "killed mid-fit, with a checkpoint to resume from");
        assertFalse(Files.exists(ckpt.resolveSibling("curve")), "the curve was not finished when the service died");
        stack.startService("curve-svc");
        Experiment done = client.follow(e.getId(), u -> {}, Duration.ofMinutes(5));
        assertEquals(State.SUCCEEDED, done.getState(), done.getError());
        assertSameArtifacts(done);
        assertEquals(1, events(done.getId()).get("loracurve.v1.CurveReady " + done.getId() + "/curve"));
    }

    @Test
    void aTrainerKilledMidRunResumesAndProducesTheSameOptimaOnce() throws Exception {
        Experiment e = client.create(spec);
        Path ckpt = stack.store()
                .resolve("experiments")
                .resolve(e.getId())
                .resolve("optima")
                .resolve("run-1.checkpoint");
        killWhenWritten(e.getId(), ckpt, "trainer-svc");
        assertTrue(Files.exists(ckpt));
        stack.startService("trainer-svc");
        Experiment done = client.follow(e.getId(), u -> {}, Duration.ofMinutes(5));
        assertEquals(State.SUCCEEDED, done.getState(), done.getError());
        assertSameArtifacts(done);
        Map<String, Integer> events = events(done.getId());
        for (int i = 0; i < 3; i++) {
            assertEquals(
                    1,
                    events.get("loracurve.v1.CheckpointAvailable " + done.getId() + "/checkpoint/" + i),
                    "optimum " + i);
        }
    }

    @Test
    void invalidSpecsAreRefusedNamingTheField() {
        Map<String, UnaryOperator<ExperimentSpec.Builder>> cases = new TreeMap<>();
        cases.put("spec.k must be >= 2 for an anchored curve", b -> b.setK(1));
        cases.put(
                "spec.lora.rank must be > 0",
                b -> b.setLora(b.getLora().toBuilder().setRank(0)));
        cases.put(
                "spec.lora.target_modules: unknown module 'c_attn'",
                b -> b.setLora(b.getLora().toBuilder().addTargetModules("c_attn")));
        cases.put(
                "spec.curve.degree must be > 0",
                b -> b.setCurve(b.getCurve().toBuilder().setDegree(0)));
        cases.put(
                "spec.eval.samples must be > 0",
                b -> b.setEval(b.getEval().toBuilder().setSamples(0)));
        cases.put(
                "spec.task.name: unknown task 'mmlu'",
                b -> b.setTask(b.getTask().toBuilder().setName("mmlu")));
        cases.put(
                "spec.base_model_uri: no model folder",
                b -> b.setBaseModelUri(dir.resolve("nowhere").toUri().toString()));
        cases.put(
                "spec.trainer.learning_rate must be > 0",
                b -> b.setTrainer(b.getTrainer().toBuilder().setLearningRate(0)));
        cases.put(
                "spec.eval.methods: unknown method 'blob'",
                b -> b.setEval(b.getEval().toBuilder().addMethods("blob")));
        cases.put(
                "spec.eval.methods: swag samples the moments the trainer records, and spec.trainer.swag is unset",
                b -> b.setEval(b.getEval().toBuilder().addMethods("swag")));
        cases.put(
                "spec.eval.more_ood[0].protocol: unknown OOD protocol 'nearby'",
                b -> b.setEval(b.getEval().toBuilder()
                        .addMoreOod(OodSpec.newBuilder()
                                .setTask(b.getTask().getName())
                                .setDataUri(b.getTask().getDataUri())
                                .setProtocol("nearby"))));
        cases.forEach((message, change) -> {
            StatusRuntimeException ex = assertThrows(
                    StatusRuntimeException.class,
                    () -> client.create(change.apply(spec.toBuilder()).build()),
                    message);
            assertEquals(Status.Code.INVALID_ARGUMENT, ex.getStatus().getCode(), message);
            assertTrue(
                    ex.getStatus().getDescription().contains(message),
                    ex.getStatus().getDescription());
        });
        var stub = client.stub();
        assertEquals(
                Status.Code.NOT_FOUND,
                assertThrows(
                                StatusRuntimeException.class,
                                () -> stub.getExperiment(GetExperimentRequest.newBuilder()
                                        .setExperimentId("exp-unknown")
                                        .build()))
                        .getStatus()
                        .getCode());
        assertEquals(
                Status.Code.NOT_FOUND,
                assertThrows(
                                StatusRuntimeException.class,
                                () -> stub.getReport(GetReportRequest.newBuilder()
                                        .setExperimentId("exp-unknown")
                                        .build()))
                        .getStatus()
                        .getCode());
        assertEquals(
                Status.Code.NOT_FOUND,
                assertThrows(
                                StatusRuntimeException.class,
                                () -> stub.watchExperiment(WatchExperimentRequest.newBuilder()
                                                .setExperimentId("exp-unknown")
                                                .build())
                                        .hasNext())
                        .getStatus()
                        .getCode());
        StatusRuntimeException finished = assertThrows(
                StatusRuntimeException.class,
                () -> stub.cancelExperiment(CancelExperimentRequest.newBuilder()
                        .setExperimentId(reference.getId())
                        .build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, finished.getStatus().getCode());
        // the stage services validate the same way
        ManagedChannel ch = stack.connection("trainer-svc", "stack-test").channel();
        try {
            var trainer = TrainerServiceGrpc.newBlockingStub(ch);
            StatusRuntimeException bad = assertThrows(
                    StatusRuntimeException.class,
                    () -> trainer.startTraining(StartTrainingRequest.newBuilder()
                            .setExperimentId("direct")
                            .setSpec(spec.toBuilder().setK(0))
                            .build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
            assertTrue(bad.getStatus().getDescription().contains("spec.k must be >= 1"));
            assertEquals(
                    Status.Code.NOT_FOUND,
                    assertThrows(
                                    StatusRuntimeException.class,
                                    () -> JobServiceGrpc.newBlockingStub(ch)
                                            .getJob(GetJobRequest.newBuilder()
                                                    .setJobId("nope/train")
                                                    .build()))
                            .getStatus()
                            .getCode());
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void cancellingARunningExperimentStopsItsTraining() throws Exception {
        Experiment e = client.create(spec);
        ManagedChannel ch = stack.connection("trainer-svc", "stack-test").channel();
        try {
            var trainer = JobServiceGrpc.newBlockingStub(ch);
            GetJobRequest job =
                    GetJobRequest.newBuilder().setJobId(e.getId() + "/train").build();
            Job running = null;
            for (int i = 0; i < 600 && (running == null || running.getProgress().getStep() < 5); i++) {
                Thread.sleep(50);
                try {
                    running = trainer.getJob(job).getJob();
                } catch (StatusRuntimeException notYet) {
                    assertEquals(Status.Code.NOT_FOUND, notYet.getStatus().getCode());
                }
            }
            assertEquals(State.RUNNING, running.getState(), "training was under way");
            Experiment cancelled = client.cancel(e.getId());
            assertEquals(State.CANCELLED, cancelled.getState());
            Job end = running;
            for (int i = 0; i < 100 && !JobRunner.terminal(end.getState()); i++) {
                Thread.sleep(100);
                end = trainer.getJob(job).getJob();
            }
            assertEquals(State.CANCELLED, end.getState());
        } finally {
            ch.shutdownNow();
        }
        assertFalse(Files.exists(stack.store()
                .resolve("experiments")
                .resolve(e.getId())
                .resolve("optima")
                .resolve("run-2")));
        assertEquals(State.CANCELLED, client.get(e.getId()).getState());
    }

    @Test
    void aStageThatFailsFailsTheExperimentWithItsReason() throws Exception {
        // a malformed data file is refused at submission, naming the split, the file and the line
        Path bad = dir.resolve("bad");
        Files.createDirectories(bad);
        Files.writeString(bad.resolve("train.txt"), "NUM:count how many ?\nthis line has no label\n");
        Files.writeString(bad.resolve("test.txt"), "NUM:count how many ?\n");
        StatusRuntimeException refused = assertThrows(
                StatusRuntimeException.class,
                () -> client.create(spec.toBuilder()
                        .setTask(spec.getTask().toBuilder().setDataUri(bad.toString()))
                        .build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        assertTrue(
                refused.getStatus().getDescription().startsWith("spec.task.train_split")
                        && refused.getStatus().getDescription().contains("train.txt:2"),
                refused.getStatus().toString());
        // truncated weights (which submission does not read) fail the training stage, and the experiment with it
        Path broken = dir.resolve("broken-model");
        Files.createDirectories(broken);
        try (Stream<Path> files = Files.list(dir.resolve("model"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, broken.resolve(f.getFileName()));
            }
        }
        Path weights = broken.resolve("model.safetensors");
        Files.write(weights, Arrays.copyOf(Files.readAllBytes(weights), (int) (Files.size(weights) / 2)));
        Experiment e = client.create(
                spec.toBuilder().setBaseModelUri(broken.toUri().toString()).build());
        Experiment end = client.follow(e.getId(), u -> {}, Duration.ofMinutes(2));
        assertEquals(State.FAILED, end.getState());
        assertTrue(
                end.getError().startsWith("TRAIN: ") && end.getError().contains("model.safetensors"), end.getError());
    }

    @Test
    void anArtifactThatFailsItsChecksumIsRefusedByName() throws Exception {
        ManagedChannel ch = stack.connection("eval-svc", "stack-test").channel();
        try {
            var eval = EvalServiceGrpc.newBlockingStub(ch);
            var optima = new ArrayList<>(reference.getOptimaList());
            optima.set(1, optima.get(1).toBuilder().setSha256("0".repeat(64)).build());
            eval.startEval(StartEvalRequest.newBuilder()
                    .setExperimentId("direct-corrupt")
                    .setSpec(spec)
                    .addAllOptima(optima)
                    .setCurve(reference.getCurve())
                    .build());
            Job job = null;
            for (int i = 0; i < 300 && (job == null || !JobRunner.terminal(job.getState())); i++) {
                Thread.sleep(100);
                job = JobServiceGrpc.newBlockingStub(ch)
                        .getJob(GetJobRequest.newBuilder()
                                .setJobId("direct-corrupt/eval")
                                .build())
                        .getJob();
            }
            assertEquals(State.FAILED, job.getState());
            assertTrue(
                    job.getError().contains("run-1") && job.getError().contains("differs from the announced"),
                    job.getError());
            StatusRuntimeException outside = assertThrows(
                    StatusRuntimeException.class,
                    () -> eval.startEval(StartEvalRequest.newBuilder()
                            .setExperimentId("../escape")
                            .setSpec(spec)
                            .build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, outside.getStatus().getCode());
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void predictionsOfAFinishedExperimentAreTheNumbersItsEvalWrote() throws Exception {
        List<Item> test = TaskData.builder(Task.byName("trec"), dir.resolve("data"))
                .validation("none", 0)
                .maxLength(64)
                .build()
                .test();
        PredictRequest.Builder request =
                PredictRequest.newBuilder().setExperimentId(reference.getId()).setIncludeSamples(true);
        for (Item item : test) {
            request.addItems(PredictItem.newBuilder()
                    .setId(item.id())
                    .setPrompt(item.prompt())
                    .addAllChoices(item.cues()));
        }
        Path predictions = Path.of(URI.create(
                        client.report(reference.getId()).getReportJson().getUri()))
                .resolveSibling("predictions.jsonl");
        List<String> lines = Files.readAllLines(predictions);
        ManagedChannel eval = stack.connection("eval-svc", "stack-test").channel();
        try {
            PredictionServiceGrpc.PredictionServiceBlockingStub stub = PredictionServiceGrpc.newBlockingStub(eval);
            for (String method : List.of("curve", "ensemble")) {
                PredictResponse got = stub.predict(request.setMethod(method).build());
                assertEquals(3, got.getSamples());
                for (int i = 0; i < test.size(); i++) {
                    JsonNode samples = new ObjectMapper()
                            .readTree(lines.get(i))
                            .path("probs")
                            .path(got.getMethod());
                    ItemPrediction p = got.getPredictions(i);
                    assertEquals(test.get(i).id(), p.getId());
                    for (int m = 0; m < samples.size(); m++) {
                        for (int c = 0; c < samples.get(m).size(); c++) {
                            assertEquals(
                                    samples.get(m).get(c).asDouble(),
                                    p.getSamples(m).getProbabilities(c),
                                    1e-6,
                                    got.getMethod() + " item " + i);
                        }
                    }
                    assertTrue(p.getMutualInformation() >= 0 && p.getEntropy() >= p.getExpectedEntropy() - 1e-12);
                }
            }
            // another team's experiment is not found; a method it has not is refused by name
            ManagedChannel other = stack.connection("eval-svc", "someone-else").channel();
            try {
                StatusRuntimeException hidden = assertThrows(
                        StatusRuntimeException.class,
                        () -> PredictionServiceGrpc.newBlockingStub(other)
                                .predict(request.setMethod("curve").build()));
                assertEquals(Status.Code.NOT_FOUND, hidden.getStatus().getCode());
            } finally {
                other.shutdownNow();
            }
            StatusRuntimeException unknown = assertThrows(
                    StatusRuntimeException.class,
                    () -> stub.predict(request.setMethod("laplace").build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, unknown.getStatus().getCode());
            assertTrue(
                    unknown.getStatus().getDescription().startsWith("method"),
                    unknown.getStatus().toString());
        } finally {
            eval.shutdownNow();
        }
        // the command: one JSON object per item
        Path items = dir.resolve("items.jsonl");
        Files.writeString(
                items,
                "{\"prompt\": "
                        + new ObjectMapper().writeValueAsString(test.get(0).prompt()) + ", \"choices\": "
                        + new ObjectMapper().writeValueAsString(test.get(0).cues()) + "}\n");
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            assertEquals(
                    0,
                    Main.run(
                            "predict",
                            reference.getId(),
                            "--dir",
                            dir.resolve("stack").toString(),
                            "--token",
                            stack.token("stack-test", Duration.ofMinutes(5)),
                            "--method",
                            "curve",
                            "--items",
                            items.toString(),
                            "--json"));
        } finally {
            System.setOut(stdout);
        }
        JsonNode line = new ObjectMapper()
                .readTree(printed.toString(StandardCharsets.UTF_8).trim());
        for (String field : List.of("probabilities", "choice", "entropy", "expected_entropy", "mutual_information")) {
            assertTrue(line.has(field), field + " in " + line);
        }
    }

    /**
     * examples/python-client against the running stack: stubs generated from proto/, TLS, a token,
     * Predict, and the BadRequest details of a refused call. Skipped, saying why, where python3
     * cannot make a virtual environment or pip cannot install grpcio from this machine's index.
     */
    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aPythonClientPredictsAndReadsTheErrorDetails() throws Exception {
        Path example = StackCommands.home().resolve("examples/python-client");
        Path venv = Path.of("target", "python-client-venv").toAbsolutePath();
        Path python = venv.resolve("bin/python");
        if (!Files.exists(python)) {
            Assumptions.assumeTrue(
                    exec(List.of("python3", "-m", "venv", venv.toString()), 120) == 0,
                    "skipped: python3 cannot make a virtual environment here");
        }
        Assumptions.assumeTrue(
                exec(List.of(python.toString(), "-c", "import grpc, grpc_tools, google.rpc"), 60) == 0
                        || exec(
                                        List.of(
                                                python.toString(),
                                                "-m",
                                                "pip",
                                                "install",
                                                "-q",
                                                "-r",
                                                example.resolve("requirements.txt")
                                                        .toString()),
                                        300)
                                == 0,
                "skipped: pip cannot install grpcio, grpcio-tools and googleapis-common-protos here");
        List<Item> test = TaskData.builder(Task.byName("trec"), dir.resolve("data"))
                .validation("none", 0)
                .maxLength(64)
                .build()
                .test();
        Path items = dir.resolve("python-items.jsonl");
        ObjectMapper json = new ObjectMapper();
        Files.writeString(
                items,
                json.writeValueAsString(Map.of(
                                "prompt",
                                test.get(0).prompt(),
                                "choices",
                                test.get(0).cues())) + "\n");
        Path out = dir.resolve("python-client.out");
        ProcessBuilder pb = new ProcessBuilder(
                        python.toString(),
                        example.resolve("client.py").toString(),
                        "--gateway",
                        stack.gatewayTarget(),
                        "--eval",
                        "127.0.0.1:" + stack.port("eval-svc"),
                        "--ca",
                        stack.pki().ca().toString(),
                        "--token",
                        stack.token("stack-test", Duration.ofMinutes(10)),
                        "--experiment",
                        reference.getId(),
                        "--items",
                        items.toString(),
                        "--stubs",
                        dir.resolve("python-stubs").toString())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the Python client did not finish");
        String said = Files.readString(out);
        assertEquals(0, p.exitValue(), said);
        assertTrue(said.contains("experiments of this team:"), said);
        assertTrue(said.contains("curve-curve, M = 3") && said.contains("mutual information"), said);
        assertTrue(
                said.contains("refused: INVALID_ARGUMENT, field items:") && said.contains("must hold 1 to 256 items"),
                said);
    }

    private static int exec(List<String> command, int seconds) throws Exception {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    @Test
    void theStackFileKeepsTheDataRootsARestartedInstanceGets() {
        assertEquals(
                dir.toString(),
                Stack.read(StackCommands.home(), dir.resolve("stack"))
                        .environment()
                        .dataRoots());
    }

    @Test
    void theGatewayServesTlsOnlyToAuthenticatedTeamsThatSeeTheirOwnExperimentsOnly() throws Exception {
        // TLS: a Java TLS client that trusts the stack's CA completes a handshake; plaintext gRPC fails
        try (SSLSocket socket = (SSLSocket) Readiness.trusting(stack.pki().ca())
                .getSocketFactory()
                .createSocket("127.0.0.1", stack.port("gateway"))) {
            socket.startHandshake();
            assertTrue(
                    socket.getSession().getProtocol().startsWith("TLS"),
                    socket.getSession().getProtocol());
        }
        ManagedChannel plain = ManagedChannelBuilder.forTarget(stack.gatewayTarget())
                .usePlaintext()
                .build();
        try {
            StatusRuntimeException e = assertThrows(
                    StatusRuntimeException.class,
                    () -> ExperimentServiceGrpc.newBlockingStub(plain)
                            .withDeadlineAfter(10, TimeUnit.SECONDS)
                            .listExperiments(ListExperimentsRequest.getDefaultInstance()));
            // no gRPC answer at all: the TLS-only port closes on a plaintext client
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
        } finally {
            plain.shutdownNow();
        }
        // a client that trusts another CA hears what failed and what to pass, not netty's pipeline
        Path otherCa = LocalPki.in(dir.resolve("other-pki")).ca();
        PrintStream err = System.err;
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(said, true, StandardCharsets.UTF_8));
            assertEquals(
                    2,
                    Main.run(
                            "experiments",
                            "--gateway",
                            stack.gatewayTarget(),
                            "--ca",
                            otherCa.toString(),
                            "--token",
                            stack.token("stack-test", Duration.ofMinutes(5))));
        } finally {
            System.setErr(err);
        }
        String message = said.toString(StandardCharsets.UTF_8);
        assertTrue(
                message.contains("its certificate is not signed by the CA this client trusts")
                        && message.contains("--ca FILE")
                        && !message.contains("Pipeline"),
                message);
        // tokens: none, tampered, expired
        Connection gw = stack.connection("gateway", "stack-test");
        String tampered = gw.token().substring(0, gw.token().length() - 3) + "abc";
        for (String token : new String[] {"", tampered, stack.token("stack-test", Duration.ofMinutes(-5))}) {
            try (ExperimentClient c = new ExperimentClient(new Connection(gw.target(), token, gw.ca(), false))) {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> c.get(reference.getId()));
                assertEquals(
                        Status.Code.UNAUTHENTICATED,
                        e.getStatus().getCode(),
                        e.getStatus().toString());
            }
        }
        // another team sees nothing of this one's, and cannot cancel it
        try (ExperimentClient other = new ExperimentClient(stack.connection("gateway", "other-team"))) {
            for (var call : List.<Executable>of(
                    () -> other.get(reference.getId()),
                    () -> other.report(reference.getId()),
                    () -> other.cancel(reference.getId()))) {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
                assertEquals(
                        Status.Code.NOT_FOUND,
                        e.getStatus().getCode(),
                        e.getStatus().toString());
            }
            assertEquals(0, other.list(State.STATE_UNSPECIFIED).size());
        }
        // specs confined to the data roots, limits and quotas
        for (var bad : Map.<String, ExperimentSpec>of(
                        "spec.task.data_uri: '/etc/passwd' is outside the data roots",
                        spec.toBuilder()
                                .setTask(spec.getTask().toBuilder().setDataUri("/etc/passwd"))
                                .build(),
                        "spec.trainer.batch_size must be <= 1024",
                        spec.toBuilder()
                                .setTrainer(spec.getTrainer().toBuilder().setBatchSize(100_000_000))
                                .build())
                .entrySet()) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.create(bad.getValue()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertTrue(
                    e.getStatus().getDescription().contains(bad.getKey()),
                    e.getStatus().getDescription());
        }
        try (ExperimentClient tiny = new ExperimentClient(stack.connection("gateway", "tiny"))) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> tiny.create(spec));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
            assertTrue(
                    e.getStatus().getDescription().contains("max-k = 2"),
                    e.getStatus().getDescription());
        }
    }

    @Test
    void theRequestThatStoppedTheTrainerFailsAloneAndTheNextExperimentRuns() throws Exception {
        String id = "huge-batch";
        submitDirectly(
                id,
                spec.toBuilder()
                        .setTrainer(spec.getTrainer().toBuilder().setBatchSize(100_000_000))
                        .build());
        List<Progress> reports = List.of();
        for (int i = 0; i < 60 && reports.stream().noneMatch(p -> p.getState() == State.FAILED); i++) {
            reports = EventLog.progress(stack.bootstrapServers(), id, Duration.ofMillis(500));
        }
        Progress failed = reports.stream()
                .filter(p -> p.getState() == State.FAILED)
                .findFirst()
                .orElseThrow();
        assertTrue(failed.getMessage().contains("spec.trainer.batch_size must be <= 1024"), failed.getMessage());
        Experiment next = client.follow(client.create(TestSpecs.quick(dir)).getId(), u -> {}, Duration.ofMinutes(5));
        assertEquals(State.SUCCEEDED, next.getState(), next.getError());
    }

    @Test
    void anyGatewayInstanceAnswersForAnyExperiment() throws Exception {
        stack.startInstance("gateway", "gateway-2");
        stack.awaitReady("gateway-2", Duration.ofSeconds(120));
        try (ExperimentClient second = new ExperimentClient(stack.connection("gateway-2", "stack-test"))) {
            ExperimentSpec quick = TestSpecs.quick(dir);
            Experiment created = second.create(quick);
            List<WatchExperimentResponse> seenByFirst = new ArrayList<>();
            Experiment done = client.follow(created.getId(), seenByFirst::add, Duration.ofMinutes(5));
            assertEquals(State.SUCCEEDED, done.getState(), done.getError());
            assertTrue(
                    seenByFirst.stream().anyMatch(u -> u.getProgress().getStage() == Stage.EVAL),
                    "the first instance streamed the stages of an experiment created on the second");
            assertEquals(client.get(created.getId()), second.get(created.getId()));
            assertEquals(
                    client.report(created.getId()).getJson(),
                    second.report(created.getId()).getJson());
            // a cancel through one instance ends the watch on the other
            Experiment other = client.create(spec);
            List<WatchExperimentResponse> seenBySecond = new ArrayList<>();
            CompletableFuture<Experiment> watch = CompletableFuture.supplyAsync(
                    () -> second.follow(other.getId(), seenBySecond::add, Duration.ofMinutes(2)));
            while (seenBySecond.isEmpty()) {
                Thread.sleep(50);
            }
            client.cancel(other.getId());
            assertEquals(State.CANCELLED, watch.get(2, TimeUnit.MINUTES).getState());
        } finally {
            stack.stop("gateway-2");
        }
    }

    @Test
    void aRestartedGatewayKnowsItsExperimentsFromTheStore() throws Exception {
        stack.processes().kill("gateway");
        stack.startService("gateway");
        stack.awaitReady("gateway", Duration.ofSeconds(120));
        Experiment again = client.get(reference.getId());
        assertEquals(reference.getState(), again.getState());
        assertEquals(reference.getMetricsList(), again.getMetricsList());
        assertTrue(client.list(State.STATE_UNSPECIFIED).stream()
                .anyMatch(x -> x.getId().equals(reference.getId())));
        assertTrue(metrics("gateway").contains("loracurve_experiments_active"), "Prometheus metrics");
    }

    @Test
    void twoTrainerInstancesTrainTwoExperimentsAtOnceAndOneTakesOverTheOthersWork() throws Exception {
        stack.startInstance("trainer-svc", "trainer-svc-2");
        stack.awaitReady("trainer-svc-2", Duration.ofSeconds(120));
        try {
            Map<String, Set<Integer>> members = trainerMembers();
            // one experiment on a partition of each member: the key decides the partition
            Map<String, String> onMember = new HashMap<>();
            for (var m : members.entrySet()) {
                onMember.put(m.getKey(), idOn(m.getValue(), "split"));
            }
            ExperimentSpec small = spec.toBuilder()
                    .setTrainer(spec.getTrainer().toBuilder().setSteps(40))
                    .setEval(EvalSpec.newBuilder().addMethods("map").setSamples(1))
                    .build();
            onMember.values().forEach(id -> submitDirectly(id, small));
            Map<String, String> ranOn = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            boolean together = false;
            while (ranOn.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(100);
                int running = 0;
                for (String instance : List.of("trainer-svc", "trainer-svc-2")) {
                    for (Job j : jobs(instance)) {
                        if (onMember.containsValue(j.getExperimentId()) && j.getState() == State.RUNNING) {
                            running++;
                        }
                        if (onMember.containsValue(j.getExperimentId()) && j.getState() == State.SUCCEEDED) {
                            ranOn.put(j.getExperimentId(), instance);
                        }
                    }
                }
                together |= running == 2;
            }
            assertEquals(2, ranOn.size(), "both experiments trained");
            assertEquals(Set.of("trainer-svc", "trainer-svc-2"), Set.copyOf(ranOn.values()), "one on each: " + ranOn);
            assertTrue(together, "the two trained at the same time");

            // the second instance dies in the middle of an experiment: the first takes it over
            // (after the session timeout) and resumes from the checkpoint in the shared store
            String id = idOn(members.get("trainer-svc-2"), "takeover");
            submitDirectly(id, spec);
            Path ckpt = stack.store()
                    .resolve("experiments")
                    .resolve(id)
                    .resolve("optima")
                    .resolve("run-1.checkpoint");
            while (!Files.exists(ckpt)
                    && System.nanoTime() < deadline + Duration.ofMinutes(2).toNanos()) {
                Thread.sleep(5);
            }
            stack.processes().kill("trainer-svc-2");
            assertTrue(Files.exists(ckpt), "killed mid-run, with a checkpoint to resume from");
            Job taken = null;
            for (int i = 0; i < 1800 && (taken == null || taken.getState() != State.SUCCEEDED); i++) {
                Thread.sleep(100);
                taken = jobs("trainer-svc").stream()
                        .filter(j -> j.getExperimentId().equals(id))
                        .findFirst()
                        .orElse(null);
            }
            assertTrue(taken != null && taken.getState() == State.SUCCEEDED, "taken over and finished: " + taken);
            assertEquals(
                    reference.getOptimaList().stream().map(Artifact::getSha256).toList(),
                    taken.getOutputsList().stream().map(Artifact::getSha256).toList(),
                    "the same optima as an undisturbed run");
        } finally {
            stack.stop("trainer-svc-2");
        }
    }

    /** An experiment id whose partition (the key decides it) is one of {@code partitions}. */
    private static String idOn(Set<Integer> partitions, String prefix) {
        for (int n = 0; ; n++) {
            String id = prefix + "-" + n;
            int partition =
                    Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % Topics.DEFAULT_PARTITIONS;
            if (partitions.contains(partition)) {
                return id;
            }
        }
    }

    /** What the gateway publishes for an experiment, straight to the topic (the id chosen by the test). */
    private static void submitDirectly(String id, ExperimentSpec s) {
        try (EventBus bus = new EventBus(stack.bootstrapServers(), "stack-test")) {
            bus.publish(
                    Topics.EXPERIMENTS,
                    id,
                    id + "/submitted",
                    ExperimentSubmitted.newBuilder()
                            .setExperimentId(id)
                            .setTeam("stack-test")
                            .setSpec(s)
                            .build());
        }
    }

    /** The partitions of loracurve.experiments each member of the trainer group holds, once two members hold some. */
    private static Map<String, Set<Integer>> trainerMembers() throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            for (int attempt = 0; attempt < 150; attempt++) {
                var group = admin.describeConsumerGroups(List.of("trainer-svc"))
                        .all()
                        .get()
                        .get("trainer-svc");
                Map<String, Set<Integer>> members = new HashMap<>();
                for (var m : group.members()) {
                    Set<Integer> mine = new TreeSet<>();
                    m.assignment().topicPartitions().stream()
                            .filter(tp -> tp.topic().equals(Topics.EXPERIMENTS))
                            .forEach(tp -> mine.add(tp.partition()));
                    if (!mine.isEmpty()) {
                        members.put(m.groupInstanceId().orElse(m.consumerId()), mine);
                    }
                }
                if (members.size() == 2) {
                    return members;
                }
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the trainer group never split its partitions between two members");
    }

    /** The services a server lists through gRPC server reflection (v1). */
    private static List<String> reflectedServices(String instance) throws Exception {
        ManagedChannel ch = stack.connection(instance, "stack-test").channel();
        try {
            var answer = new CompletableFuture<List<String>>();
            var requests = ServerReflectionGrpc.newStub(ch)
                    .serverReflectionInfo(new StreamObserver<ServerReflectionResponse>() {
                        @Override
                        public void onNext(ServerReflectionResponse r) {
                            answer.complete(r.getListServicesResponse().getServiceList().stream()
                                    .map(ServiceResponse::getName)
                                    .toList());
                        }

                        @Override
                        public void onError(Throwable t) {
                            answer.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {}
                    });
            requests.onNext(
                    ServerReflectionRequest.newBuilder().setListServices("*").build());
            List<String> services = answer.get(30, TimeUnit.SECONDS);
            requests.onCompleted();
            return services;
        } finally {
            ch.shutdownNow();
        }
    }

    private static String metrics(String instance) throws Exception {
        return HttpClient.newBuilder()
                .sslContext(Readiness.trusting(stack.pki().ca()))
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        "https://127.0.0.1:" + stack.managementPort(instance) + "/q/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static List<Job> jobs(String instance) {
        ManagedChannel ch = stack.connection(instance, "stack-test").channel();
        try {
            return JobServiceGrpc.newBlockingStub(ch)
                    .listJobs(ListJobsRequest.getDefaultInstance())
                    .getJobsList();
        } finally {
            ch.shutdownNow();
        }
    }

    /** SIGKILLs the service as soon as {@code checkpoint} appears: mid-job, with something to resume from. */
    private static void killWhenWritten(String id, Path checkpoint, String service) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!Files.exists(checkpoint) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        stack.processes().kill(service);
        assertTrue(Files.exists(checkpoint), checkpoint + " never appeared");
        Experiment e = client.get(id);
        assertFalse(ended(e), "the experiment ended (" + e.getState() + ") before " + service + " could be killed");
    }

    private static boolean ended(Experiment e) {
        return e.getState() == State.SUCCEEDED || e.getState() == State.FAILED || e.getState() == State.CANCELLED;
    }

    /** Every artifact of {@code done} is bit-identical to the undisturbed reference run's: optima, curve, report. */
    static void assertSameArtifacts(Experiment reference, Experiment done) {
        assertEquals(
                reference.getOptimaList().stream().map(Artifact::getSha256).toList(),
                done.getOptimaList().stream().map(Artifact::getSha256).toList(),
                "optima");
        assertEquals(reference.getCurve().getSha256(), done.getCurve().getSha256(), "curve");
        assertEquals(reference.getReport().getSha256(), done.getReport().getSha256(), "report.json");
        assertEquals(reference.getMetricsList(), done.getMetricsList());
    }

    private static void assertSameArtifacts(Experiment done) {
        assertSameArtifacts(reference, done);
    }

    /** "type id" → how many times it is on the topics, for one experiment. */
    private static Map<String, Integer> events(String experimentId) {
        return EventLog.count(stack.bootstrapServers(), experimentId, Duration.ofSeconds(3));
    }
}
