package dev.loracurve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loracurve.broker.LocalBroker;
import dev.loracurve.cli.stack.ExperimentClient;
import dev.loracurve.cli.stack.Ports;
import dev.loracurve.cli.stack.Stack;
import dev.loracurve.core.testing.TinyWorld;
import dev.loracurve.proto.v1.Experiment;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.Report;
import dev.loracurve.proto.v1.State;
import dev.loracurve.service.testing.EventLog;
import dev.loracurve.service.testing.S3Server;
import dev.loracurve.service.testing.TestSpecs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The four services as processes with their store on S3 (a real S3-compatible server, S3Mock, in
 * this JVM; the services reach it through the AWS SDK's standard variables), then the same spec on
 * file://: the same artifact hashes. A trainer killed in the middle of an upload leaves no visible
 * artifact and redoes it. The broker's clients here are on mutual TLS (the stack's certificates).
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3StackTest {
    private static final String PREFIX = "stack";

    @TempDir
    static Path dir;

    static S3Server s3;
    static S3Client bucket;
    static LocalBroker broker;
    static Stack stack;
    static ExperimentClient client;
    static ExperimentSpec spec;
    static Experiment reference;

    @BeforeAll
    static void up() throws Exception {
        TinyWorld.write(dir);
        spec = TestSpecs.threeOptimaAndACurve(dir);
        s3 = S3Server.start(dir.resolve("s3"), "lc");
        bucket = s3.client();
        stack = Stack.create(StackCommands.home(), dir.resolve("stack"), Ports.free())
                .kafkaTls(true); // and the services' Kafka clients on mutual TLS
        stack.environment().useStore("s3://lc/" + PREFIX, s3.environment()).dataRoots(dir.toString());
        broker = LocalBroker.start(
                stack.brokerDir(),
                stack.port(Stack.KAFKA),
                stack.port("kafka-controller"),
                stack.pki().serverKeyStore(),
                stack.pki().ca());
        stack.startServices(Duration.ofSeconds(120));
        client = new ExperimentClient(stack.connection("gateway", "stack-test"));
        reference = client.follow(client.create(spec).getId(), u -> {}, Duration.ofMinutes(5));
    }

    @AfterAll
    static void down() throws Exception {
        if (client != null) {
            client.close();
        }
        if (stack != null) {
            stack.close();
            Path keep = Path.of("target", "s3-stack-test-logs");
            Files.createDirectories(keep);
            try (Stream<Path> logs = Files.list(stack.logs())) {
                for (Path log : (Iterable<Path>) logs::iterator) {
                    Files.copy(log, keep.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        if (broker != null) {
            broker.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    private static List<String> objects(String under) {
        return bucket.listObjectsV2Paginator(b -> b.bucket("lc").prefix(PREFIX + "/" + under)).contents().stream()
                .map(S3Object::key)
                .toList();
    }

    @Test
    @Order(1)
    void anExperimentRunsWithItsArtifactsInTheBucket() {
        assertEquals(State.SUCCEEDED, reference.getState(), reference.getError());
        String id = reference.getId();
        assertTrue(reference
                .getOptima(0)
                .getUri()
                .startsWith("s3://lc/" + PREFIX + "/experiments/" + id + "/optima/run-"));
        for (String artifact : List.of("optima/run-0", "optima/run-1", "optima/run-2", "curve")) {
            assertTrue(
                    objects("experiments/" + id + "/" + artifact + "/")
                            .contains(PREFIX + "/experiments/" + id + "/" + artifact + "/.manifest"),
                    artifact + " has its manifest");
        }
        assertTrue(
                objects("experiments/" + id + "/optima/run-0.checkpoint").isEmpty(), "superseded checkpoints are gone");
        Report report = client.report(id); // the gateway reads it back from the bucket, checked
        Properties plain = new Properties();
        plain.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        plain.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        plain.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        try (Admin admin = Admin.create(plain)) {
            assertThrows(
                    Exception.class, () -> admin.describeCluster().nodes().get(), "the broker takes only mutual TLS");
        }
        assertTrue(report.getJson().contains("\"methods\""));
        assertEquals("s3://lc/" + PREFIX + "/experiments/" + id + "/eval/report.html", report.getHtmlUri());
    }

    @Test
    @Order(2)
    void aTrainerKilledInTheMiddleOfAnUploadLeavesNoArtifactAndRedoesIt() throws Exception {
        stack.stop("trainer-svc");
        stack.environment().put("LORACURVE_FAULT_UPLOAD_PAUSE_MS", "400"); // each object of a folder: a pause after
        stack.startService("trainer-svc");
        stack.awaitReady("trainer-svc", Duration.ofSeconds(120));
        ExperimentSpec fewCheckpoints = spec.toBuilder()
                .setTrainer(spec.getTrainer().toBuilder().setCheckpointEvery(50))
                .build();
        String id = client.create(fewCheckpoints).getId();
        String run1 = "experiments/" + id + "/optima/run-1/";
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        List<String> seen = List.of();
        while (System.nanoTime() < deadline && (seen = objects(run1)).isEmpty()) {
            Thread.sleep(10);
        }
        stack.processes().kill("trainer-svc");
        assertFalse(seen.isEmpty(), "the upload of run-1 began");
        List<String> left = objects(run1);
        assertFalse(left.contains(PREFIX + "/" + run1 + ".manifest"), "killed before the manifest: " + left);
        assertEquals(1, client.get(id).getOptimaCount(), "only run-0 was announced");

        stack.environment().put("LORACURVE_FAULT_UPLOAD_PAUSE_MS", null);
        stack.startService("trainer-svc");
        Experiment done = client.follow(id, u -> {}, Duration.ofMinutes(5));
        assertEquals(State.SUCCEEDED, done.getState(), done.getError());
        StackTest.assertSameArtifacts(reference, done);
        Map<String, Integer> events = EventLog.count(stack.kafkaClientProperties(), id, Duration.ofSeconds(3));
        assertEquals(1, events.get("loracurve.v1.CheckpointAvailable " + id + "/checkpoint/1"), events.toString());
    }

    @Test
    @Order(3)
    void theSameSpecOnFileGivesTheSameArtifactHashes() throws Exception {
        for (String svc : Stack.SERVICES) {
            stack.stop(svc);
        }
        stack.environment().useStore(stack.store().toString(), Map.of());
        stack.startServices(Duration.ofSeconds(120));
        try (ExperimentClient local = new ExperimentClient(stack.connection("gateway", "stack-test"))) {
            Experiment onFile = local.follow(local.create(spec).getId(), u -> {}, Duration.ofMinutes(5));
            assertEquals(State.SUCCEEDED, onFile.getState(), onFile.getError());
            assertTrue(onFile.getOptima(0).getUri().startsWith("file:"));
            StackTest.assertSameArtifacts(reference, onFile);
        }
    }
}
