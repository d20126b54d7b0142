package dev.loracurve.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loracurve.proto.v1.JobServiceGrpc;
import dev.loracurve.proto.v1.StartTrainingRequest;
import dev.loracurve.proto.v1.TrainerServiceGrpc;
import dev.loracurve.proto.v1.WatchJobRequest;
import dev.loracurve.service.testing.BrokerResource;
import dev.loracurve.service.testing.Channels;
import dev.loracurve.service.testing.TestSpecs;
import io.grpc.ManagedChannel;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The production log format: JSON lines, each line of a job naming its service, experiment, stage and job. */
@QuarkusTest
@QuarkusTestResource(value = BrokerResource.class, restrictToAnnotatedClass = true)
class JsonLogsTest {
    /** Where the test profile writes the production format (application.properties). */
    static final Path LOG = Path.of("target", "json-logs", "trainer-svc.log");

    @Test
    void aJobsLinesAreJsonWithItsExperimentStageAndJob() throws Exception {
        String id = "logs-" + UUID.randomUUID().toString().substring(0, 8); // not a line of an earlier run
        ManagedChannel channel = Channels.open(BrokerResource.target(), BrokerResource.token("team-a"));
        try {
            String job = TrainerServiceGrpc.newBlockingStub(channel)
                    .startTraining(StartTrainingRequest.newBuilder()
                            .setExperimentId(id)
                            .setSpec(TestSpecs.quick(BrokerResource.world()))
                            .build())
                    .getJob()
                    .getId();
            Channels.untilTerminal(JobServiceGrpc.newBlockingStub(channel)
                    .watchJob(WatchJobRequest.newBuilder().setJobId(job).build()));
        } finally {
            Channels.close(channel);
        }
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(LOG)) {
            lines.add(json.readTree(line)); // every line is one JSON object
        }
        JsonNode started = lines.stream()
                .filter(l -> l.path("message").asText().equals("job " + id + "/train started"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no start line in " + LOG));
        assertEquals("trainer-svc", started.path("service").asText(), started.toString());
        assertEquals(id, started.path("mdc").path("experiment_id").asText(), started.toString());
        assertEquals("train", started.path("mdc").path("stage").asText(), started.toString());
        assertEquals(id + "/train", started.path("mdc").path("job_id").asText(), started.toString());
        assertTrue(
                lines.stream()
                        .anyMatch(l -> l.path("message").asText().startsWith("job " + id + "/train succeeded in")),
                "its end is logged too");
    }
}
