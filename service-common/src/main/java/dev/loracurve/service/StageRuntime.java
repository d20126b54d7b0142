package dev.loracurve.service;

import com.google.protobuf.Message;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.store.ArtifactStore;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.store.Sha256;
import dev.loracurve.proto.v1.Artifact;
import dev.loracurve.proto.v1.Stage;
import dev.loracurve.proto.v1.StageProgress;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * What a service runs on, framework-free: the store, the event bus, the job runner and the event
 * consumer. A Quarkus service creates one at start-up and closes it at shutdown.
 */
public final class StageRuntime implements AutoCloseable {
    public final String name;
    public final ArtifactStore store;
    public final EventBus bus;
    public final JobRunner jobs;
    private final String bootstrapServers;
    private EventConsumer consumer;

    /** @param stage null for the gateway, which runs no jobs */
    public StageRuntime(String name, Stage stage, Path storeRoot, String bootstrapServers) {
        this.name = name;
        this.bootstrapServers = bootstrapServers;
        this.store = new ArtifactStore(storeRoot);
        Topics.ensure(bootstrapServers);
        this.bus = new EventBus(bootstrapServers, name);
        this.jobs = stage == null
                ? null
                : new JobRunner(
                        stage,
                        p -> bus.publish(
                                Topics.EXPERIMENTS,
                                p.getExperimentId(),
                                null,
                                StageProgress.newBuilder().setProgress(p).build()),
                        this::cancelled);
    }

    /**
     * A stage service's start: libtorch loaded (ready means able to compute), the runtime, its
     * gauges, and the consumption of its input events of {@code type} from {@code topic}.
     */
    public static StageRuntime startStage(
            String name,
            Stage stage,
            Path storeRoot,
            String bootstrapServers,
            MeterRegistry registry,
            String topic,
            Class<? extends Message> type,
            EventConsumer.Handler handler) {
        Engines.newManager().close();
        StageRuntime rt = new StageRuntime(name, stage, storeRoot, bootstrapServers);
        rt.registerGauges(registry);
        rt.consume(name, List.of(topic), handler, type);
        return rt;
    }

    /**
     * Starts consuming {@code topics} in the consumer group {@code group}, handling the events of the
     * given payload types (all when none is given); deduplicated by event id for the stages.
     */
    @SafeVarargs
    public final void consume(
            String group, List<String> topics, EventConsumer.Handler handler, Class<? extends Message>... types) {
        Predicate<Event> wanted = e -> types.length == 0 || Arrays.stream(types).anyMatch(e::is);
        EventConsumer.Handler reported = jobs == null
                ? handler
                : e -> {
                    try {
                        handler.handle(e);
                    } catch (Exception failure) {
                        // failed before its job could report (a bad payload, an artifact that fails its check):
                        // the experiment is told, instead of waiting for a result that will not come
                        if (e.key() != null && !e.key().isEmpty()) {
                            jobs.reportFailure(
                                    e.key(), failure.getMessage() == null ? failure.toString() : failure.getMessage());
                        }
                        throw failure;
                    }
                };
        consumer = new EventConsumer(bootstrapServers, group, topics, wanted, store.root(), reported, jobs != null)
                .start();
    }

    /** The gauges every stage exports: jobs running and queued, steps per second of the running job. */
    public void registerGauges(MeterRegistry registry) {
        Gauge.builder("loracurve.jobs.running", jobs, JobRunner::running)
                .description("jobs running on this instance (0 or 1)")
                .register(registry);
        Gauge.builder("loracurve.jobs.queued", jobs, JobRunner::queued)
                .description("jobs waiting for this instance")
                .register(registry);
        Gauge.builder("loracurve.steps.per.second", jobs, JobRunner::stepsPerSecond)
                .description("optimizer steps per second of the running job")
                .register(registry);
    }

    public boolean ready() {
        return (consumer == null || consumer.healthy()) && bus.reachable();
    }

    /** The marker the gateway writes when a client cancels an experiment; every stage checks it. */
    public Path cancelMarker(String experimentId) {
        return store.experiment(experimentId).resolve("CANCELLED");
    }

    public boolean cancelled(String experimentId) {
        return Files.exists(cancelMarker(experimentId));
    }

    /** The paths of artifacts an event announced, each checked against its sha256. */
    public List<Path> verified(List<Artifact> artifacts) {
        return artifacts.stream()
                .map(a -> store.verified(a.getUri(), a.getSha256()))
                .toList();
    }

    public Artifact artifact(Path path) {
        return Artifact.newBuilder()
                .setUri(store.uri(path))
                .setSha256(Sha256.ofTree(path))
                .build();
    }

    /**
     * Publishes a result event unless this experiment already published it: a restarted stage that
     * redoes finished work (skipped by the core's resumable jobs) announces nothing twice.
     */
    public void publishOnce(String topic, String experimentId, String eventId, Message payload) {
        Path marker = store.experiment(experimentId)
                .resolve(".published")
                .resolve(eventId.substring(experimentId.length() + 1).replace('/', '-'));
        if (Files.exists(marker)) {
            return;
        }
        bus.publish(topic, experimentId, eventId, payload);
        try {
            Files.createDirectories(marker.getParent());
            AtomicFiles.writeString(marker, eventId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (consumer != null) {
            consumer.close();
        }
        if (jobs != null) {
            jobs.close();
        }
        bus.close();
    }
}
