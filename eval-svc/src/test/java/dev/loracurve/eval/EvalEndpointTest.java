package dev.loracurve.eval;

import static dev.loracurve.service.testing.Channels.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loracurve.core.store.Sha256;
import dev.loracurve.proto.v1.Artifact;
import dev.loracurve.proto.v1.EvalServiceGrpc;
import dev.loracurve.proto.v1.EvalSpec;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.GetJobRequest;
import dev.loracurve.proto.v1.Job;
import dev.loracurve.proto.v1.JobServiceGrpc;
import dev.loracurve.proto.v1.StartEvalRequest;
import dev.loracurve.proto.v1.State;
import dev.loracurve.proto.v1.WatchJobRequest;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** EvalService in-process: the real service on a real broker, its optima written into its store. */
@QuarkusTest
@QuarkusTestResource(value = BrokerResource.class, restrictToAnnotatedClass = true)
class EvalEndpointTest {
    ManagedChannel channel;
    EvalServiceGrpc.EvalServiceBlockingStub eval;
    JobServiceGrpc.JobServiceBlockingStub jobs;

    @BeforeEach
    void open() {
        channel = Channels.open(BrokerResource.target(), BrokerResource.token("team-a"));
        eval = EvalServiceGrpc.newBlockingStub(channel);
        jobs = JobServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void close() throws InterruptedException {
        Channels.close(channel);
    }

    private static ExperimentSpec spec() {
        return TestSpecs.quick(BrokerResource.world()).toBuilder()
                .setEval(EvalSpec.newBuilder()
                        .addMethods("map")
                        .addMethods("ensemble")
                        .addMethods("linear")
                        .setSamples(2))
                .build();
    }

    @Test
    void theMethodsAreScoredIntoAReportThatIsAnnouncedOnce() throws Exception {
        List<Artifact> optima = Optima.write(BrokerResource.store(), "eval-1", spec());
        Job started = eval.startEval(StartEvalRequest.newBuilder()
                        .setExperimentId("eval-1")
                        .setSpec(spec())
                        .addAllOptima(optima)
                        .build())
                .getJob();
        Channels.untilTerminal(jobs.watchJob(
                WatchJobRequest.newBuilder().setJobId(started.getId()).build()));
        Job done = jobs.getJob(
                        GetJobRequest.newBuilder().setJobId(started.getId()).build())
                .getJob();
        assertEquals(State.SUCCEEDED, done.getState(), done.getError());
        Artifact report = done.getOutputs(0);
        Path json = Path.of(URI.create(report.getUri()));
        assertEquals(report.getSha256(), Sha256.of(json));
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertEquals(List.of("map-0", "map-1", "ensemble", "linear"), fieldNames(r.get("methods")));
        assertEquals(16, r.get("items").asInt());
        assertTrue(Files.size(json.resolveSibling("report.html")) > 1000, "the report page is written beside it");
        Map<String, Integer> events =
                EventLog.count(BrokerResource.bootstrapServers(), "eval-1", Duration.ofSeconds(2));
        assertEquals(1, events.get("loracurve.v1.EvalCompleted eval-1/eval"), events.toString());
    }

    @Test
    void badRequestsAreRefusedWithTheirField() {
        assertStatus(
                Status.Code.INVALID_ARGUMENT,
                "spec.eval.methods: unknown method 'bma'",
                () -> eval.startEval(StartEvalRequest.newBuilder()
                        .setExperimentId("bad")
                        .setSpec(spec().toBuilder()
                                .setEval(spec().getEval().toBuilder().addMethods("bma")))
                        .build()));
        assertStatus(
                Status.Code.NOT_FOUND,
                "no job",
                () -> jobs.getJob(
                        GetJobRequest.newBuilder().setJobId("none/eval").build()));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
