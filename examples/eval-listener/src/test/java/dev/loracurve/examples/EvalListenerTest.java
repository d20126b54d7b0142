package dev.loracurve.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loracurve.broker.LocalBroker;
import dev.loracurve.proto.v1.Artifact;
import dev.loracurve.proto.v1.EvalCompleted;
import dev.loracurve.proto.v1.MethodMetrics;
import dev.loracurve.proto.v1.StageProgress;
import dev.loracurve.service.EventBus;
import dev.loracurve.service.Topics;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example listener against a real broker, fed by the services' own publisher as the eval stage feeds it. */
class EvalListenerTest {
    @TempDir
    Path dir;

    @Test
    void itReactsToEachEvaluationOnceAndSkipsOtherEvents() throws Exception {
        try (LocalBroker broker = LocalBroker.start(dir, freePort(), freePort())) {
            Topics.ensure(broker.bootstrapServers(), 2, true, Duration.ZERO);
            EvalCompleted done = EvalCompleted.newBuilder()
                    .setExperimentId("exp-0001")
                    .setReport(Artifact.newBuilder()
                            .setUri("s3://lc/experiments/exp-0001/eval/report.json")
                            .setSha256("ab".repeat(32)))
                    .addMetrics(MethodMetrics.newBuilder()
                            .setMethod("curve")
                            .setAccuracy(0.75)
                            .setNll(0.5)
                            .setMutualInformation(0.0125))
                    .build();
            try (EventBus eval = new EventBus(broker.bootstrapServers(), "eval-svc")) {
                eval.publish(Topics.EVALS, "exp-0001", "exp-0001/eval", done);
                eval.publish(Topics.EVALS, "exp-0001", "exp-0001/eval", done); // a redelivery
                eval.publish(Topics.EVALS, "exp-0002", null, StageProgress.getDefaultInstance()); // not ours
            }
            List<String> lines = new ArrayList<>();
            try (EvalListener listener =
                    new EvalListener(broker.bootstrapServers(), "test", e -> lines.add(EvalListener.summary(e)))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (lines.isEmpty() && System.nanoTime() < deadline) {
                    listener.poll(Duration.ofMillis(500));
                }
                listener.poll(Duration.ofSeconds(2)); // anything else that was coming
            }
            assertEquals(
                    List.of("exp-0001 evaluated: curve acc 0.750 nll 0.500 MI 0.0125"
                            + " (report s3://lc/experiments/exp-0001/eval/report.json)"),
                    lines);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
