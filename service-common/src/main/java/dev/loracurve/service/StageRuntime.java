package dev.loracurve.service;

import com.google.protobuf.Message;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.proto.v1.Artifact;
import dev.loracurve.proto.v1.StageProgress;
import dev.loracurve.service.store.Store;
import dev.loracurve.service.trace.Tracing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What a service runs on, framework-free: the store, the event bus, the job runner and the event
 * consumer. A Quarkus service creates one at start-up and closes it at shutdown.
 */
public final class StageRuntime implements AutoCloseable {
    /** How long a "not cancelled" answer of the store is trusted (a remote store is asked at most this often). */
    private static final long CANCEL_CHECK_MS = 1_000;

    public final StageDescriptor service;
    public final Store store;
    public final EventBus bus;
    public final JobRunner jobs;
    private final String bootstrapServers;
    private final Map<String, Long> notCancelledAt = new ConcurrentHashMap<>();
    private EventConsumer consumer;
    private MeterRegistry registry;

    /**
     * A service's runtime: the topics made sure of (created or waited for, by {@code kafka}), a
     * publisher limited to the service's topics, and a job runner for a stage (none for the gateway).
     */
    public StageRuntime(StageDescriptor service, Store store, KafkaSettings kafka) {
        this.service = service;
        this.bootstrapServers = kafka.bootstrapServers();
        this.store = store;
        Topics.ensure(bootstrapServers, service.topics(), kafka.partitions(), kafka.createTopics(), kafka.topicWait());
        this.bus = new EventBus(bootstrapServers, service.serviceName(), service.publishes());
        this.jobs = service.stage()
                .map(stage -> new JobRunner(
                        stage,
                        p -> bus.publish(
                                Topics.PROGRESS,
                                p.getExperimentId(),
                                null,
                                StageProgress.newBuilder().setProgress(p).build()),
                        this::cancelled))
                .orElse(null);
    }

    /**
     * A stage service's start: libtorch loaded (ready means able to compute), the runtime, its
     * gauges, and the consumption of its input events (the descriptor's topics and payload type).
     */
    public static StageRuntime startStage(
            StageDescriptor stage,
            Store store,
            KafkaSettings kafka,
            MeterRegistry registry,
            EventConsumer.Handler handler) {
        Engines.newManager().close();
        StageRuntime rt = new StageRuntime(stage, store, kafka);
        rt.registerGauges(registry);
        rt.consume(stage.consumerGroup(""), stage.reads(), handler, true, stage.inputType());
        return rt;
    }

    /**
     * Starts consuming {@code topics} in the consumer group {@code group}, handling the events of the
     * given payload types (all when none is given); deduplicated by event id when {@code deduplicate}.
     */
    @SafeVarargs
    public final void consume(
            String group,
            List<String> topics,
            EventConsumer.Handler handler,
            boolean deduplicate,
            Class<? extends Message>... types) {
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
        consumer = new EventConsumer(bootstrapServers, group, topics, wanted, deduplicate ? store : null, reported);
        if (registry != null) {
            consumer.bindMetrics(registry);
        }
        consumer.start();
    }

    /**
     * The metrics every stage exports: jobs running and queued, steps and tokens per second of the
     * running job, job durations by state (a histogram), bytes moved to and from the store, and
     * (once it consumes) its Kafka consumer's metrics, consumer lag among them.
     */
    public void registerGauges(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("loracurve.tokens.per.second", jobs, JobRunner::tokensPerSecond)
                .description("tokens per second of the running job")
                .register(registry);
        jobs.onEnd((job, ran) -> Timer.builder("loracurve.job.duration")
                .description("how long jobs ran, by stage and end state")
                .tag("stage", job.getStage().name().toLowerCase())
                .tag("state", job.getState().name().toLowerCase())
                .publishPercentileHistogram()
                .register(registry)
                .record(ran));
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

    /** False once the event loop stopped for good: liveness DOWN, so that the orchestrator restarts the service. */
    public boolean alive() {
        return consumer == null || consumer.alive();
    }

    public boolean ready() {
        return (consumer == null || consumer.healthy()) && bus.reachable();
    }

    /** The store key of one experiment's folder; InvalidSpecException unless the id is a plain name. */
    public static String experimentKey(String experimentId) {
        if (!experimentId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new InvalidSpecException(
                    "experiment_id", "'" + experimentId + "' is not a plain name ([A-Za-z0-9._-], at most 128)");
        }
        return "experiments/" + experimentId;
    }

    /** The record the gateway writes when a client cancels an experiment; every stage checks it. */
    public static String cancelKey(String experimentId) {
        return experimentKey(experimentId) + "/CANCELLED";
    }

    /**
     * Makes {@code team} the owner of an experiment id, or checks that it is: another team's id is
     * refused (ExperimentTakenException), so a direct Start cannot write into another team's folder.
     */
    public void claim(String experimentId, String team) {
        String key = experimentKey(experimentId) + "/OWNER";
        byte[] mine = team.getBytes(StandardCharsets.UTF_8);
        if (!store.createIfAbsent(key, mine) && !Arrays.equals(store.read(key).orElse(mine), mine)) {
            throw ExperimentTakenException.idInUse(experimentId);
        }
    }

    public void markCancelled(String experimentId) {
        store.write(cancelKey(experimentId), "cancelled by a client\n".getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the experiment was cancelled; a "no" is remembered for a second (jobs ask at every step). */
    public boolean cancelled(String experimentId) {
        Long at = notCancelledAt.get(experimentId);
        long now = System.currentTimeMillis();
        if (at != null && now - at < CANCEL_CHECK_MS) {
            return false;
        }
        boolean cancelled = store.exists(cancelKey(experimentId));
        if (!cancelled) {
            notCancelledAt.put(experimentId, now);
        }
        return cancelled;
    }

    /** Local paths of the artifacts an event announced, each checked against its sha256. */
    public List<Path> fetch(List<Artifact> artifacts) {
        return Tracing.span(
                "download " + artifacts.size() + " artifact(s)",
                () -> artifacts.stream()
                        .map(a -> store.fetch(a.getUri(), a.getSha256()))
                        .toList());
    }

    /** Publishes a finished artifact to the store (an upload, traced). */
    public Artifact upload(String key, Path local) {
        return Tracing.span("upload " + key.substring(key.lastIndexOf('/') + 1), () -> {
            Span.current().setAttribute("loracurve.store_key", key);
            Artifact a = store.publish(key, local);
            countBytes("upload", local);
            return a;
        });
    }

    /** Pushes a checkpoint the job wrote in its work folder to the store (traced). */
    public void pushCheckpoint(String key, Path workDir, String child) {
        Tracing.run("upload checkpoint", () -> store.push(key, workDir, child));
        countBytes("upload", workDir.resolve(child));
    }

    /** Adds a file's or folder's size to the store-bytes counter of {@code direction}. */
    private void countBytes(String direction, Path path) {
        if (registry == null) {
            return;
        }
        long bytes;
        try (Stream<Path> files = Files.walk(path)) {
            bytes = files.filter(Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        } catch (IOException | UncheckedIOException e) {
            return; // a metric is not worth failing a job
        }
        Counter.builder("loracurve.store.bytes")
                .description("bytes moved between this service and the store")
                .tag("direction", direction)
                .register(registry)
                .increment(bytes);
    }

    /**
     * Publishes a result event unless this experiment already published it: a restarted stage that
     * redoes finished work (skipped by the core's resumable jobs) announces nothing twice.
     */
    public void publishOnce(String topic, String experimentId, String eventId, Message payload) {
        String marker = experimentKey(experimentId)
                + "/.published/"
                + eventId.substring(experimentId.length() + 1).replace('/', '-');
        if (store.exists(marker)) {
            return;
        }
        bus.publish(topic, experimentId, eventId, payload);
        store.write(marker, eventId.getBytes(StandardCharsets.UTF_8));
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
        store.close();
    }
}
