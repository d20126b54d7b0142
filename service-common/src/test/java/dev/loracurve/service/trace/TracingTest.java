package dev.loracurve.service.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loracurve.broker.LocalBroker;
import dev.loracurve.proto.v1.Artifact;
import dev.loracurve.proto.v1.CheckpointAvailable;
import dev.loracurve.proto.v1.ExperimentSubmitted;
import dev.loracurve.service.EventBus;
import dev.loracurve.service.KafkaSettings;
import dev.loracurve.service.StageDescriptor;
import dev.loracurve.service.StageRuntime;
import dev.loracurve.service.Topics;
import dev.loracurve.service.store.FileStore;
import dev.loracurve.service.testing.BrokerResource;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One experiment, one trace, through the real parts: an RPC span publishes an event on a real
 * broker, a stage's consumer takes it in the event's trace, its job runs, uploads and publishes
 * the next event, all linked parent to child; progress events add no spans.
 */
class TracingTest {
    @TempDir
    Path dir;

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();

    @AfterEach
    void off() {
        Tracing.install(OpenTelemetry.noop());
    }

    @Test
    void anExperimentIsOneTraceFromTheRpcThroughTheStageJobToItsEvents() throws Exception {
        Tracing.install(OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor(SimpleSpanProcessor.create(spans))
                        .build())
                .build());
        Path adapter =
                Files.writeString(Files.createDirectories(dir.resolve("work")).resolve("adapter.bin"), "θ");
        try (LocalBroker broker =
                        LocalBroker.start(dir.resolve("kafka"), BrokerResource.freePort(), BrokerResource.freePort());
                StageRuntime trainer = new StageRuntime(
                        StageDescriptor.TRAINER,
                        new FileStore(dir.resolve("store")),
                        KafkaSettings.creatingTopics(broker.bootstrapServers()));
                EventBus gateway = new EventBus(broker.bootstrapServers(), "gateway-test")) {
            trainer.consume(
                    "trainer-test",
                    List.of(Topics.EXPERIMENTS),
                    e -> {
                        String id = e.parse(ExperimentSubmitted.parser()).getExperimentId();
                        trainer.jobs
                                .submit(id, "team-a", ctx -> {
                                    ctx.step(1, 1, 0, 0.5, "step 1/1"); // a progress event: no span
                                    Artifact a = trainer.upload("experiments/" + id + "/optima/run-0", adapter);
                                    trainer.bus.publish(
                                            Topics.CHECKPOINTS,
                                            id,
                                            id + "/checkpoint/0",
                                            CheckpointAvailable.newBuilder()
                                                    .setExperimentId(id)
                                                    .setAdapter(a)
                                                    .build());
                                })
                                .join();
                    },
                    true,
                    ExperimentSubmitted.class);
            Tracing.span("CreateExperiment", SpanKind.SERVER, () -> {
                gateway.publish(
                        Topics.EXPERIMENTS,
                        "exp-trace",
                        "exp-trace/submitted",
                        ExperimentSubmitted.newBuilder()
                                .setExperimentId("exp-trace")
                                .build());
                return null;
            });
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline
                    && spans.getFinishedSpanItems().stream()
                            .noneMatch(s -> s.getName().equals("process ExperimentSubmitted"))) {
                Thread.sleep(100);
            }
        }
        List<SpanData> all = spans.getFinishedSpanItems();
        Map<String, SpanData> byName = all.stream().collect(Collectors.toMap(SpanData::getName, Function.identity()));
        assertEquals(
                List.of(
                        "CreateExperiment",
                        "publish ExperimentSubmitted",
                        "process ExperimentSubmitted",
                        "train job",
                        "publish CheckpointAvailable"),
                chain(byName.get("publish CheckpointAvailable"), all),
                "each span's parent, from the last event up to the RPC");
        assertEquals("train job", parentName(byName.get("upload run-0"), all), "the upload is the job's");
        assertEquals(6, all.size(), "no span for the progress event: " + byName.keySet());
        assertTrue(all.stream().allMatch(s -> s.getTraceId().equals(all.get(0).getTraceId())), "one trace");
        assertEquals(
                SpanKind.CONSUMER, byName.get("process ExperimentSubmitted").getKind());
        assertEquals(
                SpanKind.PRODUCER, byName.get("publish CheckpointAvailable").getKind());
        assertEquals(
                "exp-trace",
                byName.get("train job").getAttributes().get(Tracing.EXPERIMENT),
                "spans name their experiment");
    }

    /** The names from the root down to {@code leaf}. */
    private static List<String> chain(SpanData leaf, List<SpanData> all) {
        List<String> names = new ArrayList<>();
        for (SpanData s = leaf; s != null; s = parent(s, all)) {
            names.add(0, s.getName());
        }
        return names;
    }

    private static String parentName(SpanData s, List<SpanData> all) {
        SpanData p = parent(s, all);
        return p == null ? null : p.getName();
    }

    private static SpanData parent(SpanData s, List<SpanData> all) {
        return all.stream()
                .filter(p -> p.getSpanId().equals(s.getParentSpanId()))
                .findFirst()
                .orElse(null);
    }
}
