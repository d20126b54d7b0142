package dev.loracurve.service;

import dev.loracurve.core.store.Sha256;
import dev.loracurve.proto.v1.StageProgress;
import dev.loracurve.service.store.Store;
import dev.loracurve.service.trace.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A stage's input: one event at a time, handled on a worker thread while the poll loop keeps the
 * group membership alive with its partitions paused (a job may run for hours; polling must not
 * stop). The offset is committed only after the handler returned, so a service killed mid-job
 * gets the event again when it restarts and resumes from its checkpoint. Handled event ids are
 * recorded in the store, so redeliveries (a crash after handling, a duplicate publish, a
 * rebalance) are dropped: handlers run at most once per event id once they have finished.
 * Instances of a stage in one consumer group split the partitions, hence the experiments.
 */
public final class EventConsumer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventConsumer.class.getName());

    /** Handles one event, blocking until its work is done; throwing still marks it handled (the handler reports failures). */
    @FunctionalInterface
    public interface Handler {
        void handle(Event event) throws Exception;
    }

    /** How long a store or broker failure pauses the loop before it tries again. */
    private static final long RETRY_MS = 1_000;

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<String> topics;
    private final Predicate<Event> wanted;
    private final Handler handler;
    private final Store handled;
    private final String handledPrefix;
    private final ExecutorService worker;
    private final Thread loop;
    private volatile boolean running = true;
    private volatile boolean polling;
    private volatile boolean busy;

    /**
     * @param group     the consumer group: the stage's name; instances of one stage share it
     * @param wanted    the events to handle; others are skipped (committed, not recorded)
     * @param handledIn where handled event ids are recorded ({@code .events/<group>/}), or null for
     *                  a handler that is idempotent by itself (the gateway's state updates)
     */
    public EventConsumer(
            String bootstrapServers,
            String group,
            List<String> topics,
            Predicate<Event> wanted,
            Store handledIn,
            Handler handler) {
        Properties p = Topics.clientProperties(bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        String instance = System.getenv("LORACURVE_INSTANCE");
        if (instance != null && !instance.isBlank()) {
            // static membership: a restarted instance takes its partitions back at once instead of
            // after the dead member's session timeout; the name must be unique among live instances
            p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instance.replaceAll("[^A-Za-z0-9._-]", "-"));
        }
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000); // a killed instance's partitions move on quickly
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.topics = topics;
        this.wanted = wanted;
        this.handler = handler;
        this.handled = handledIn;
        this.handledPrefix = ".events/" + group + "/";
        this.worker = Executors.newSingleThreadExecutor(r -> new Thread(r, group + "-handler"));
        this.loop = new Thread(this::run, group + "-events");
        loop.setDaemon(true);
    }

    /** Exports the Kafka consumer's own metrics (records lag, fetch rate, …) to {@code registry}. */
    public void bindMetrics(MeterRegistry registry) {
        new KafkaClientMetrics(consumer).bindTo(registry);
    }

    public EventConsumer start() {
        loop.start();
        return this;
    }

    /** True while the poll loop is alive and has polled (readiness). */
    public boolean healthy() {
        return running && polling && loop.isAlive();
    }

    /** False once the poll loop has stopped for good (liveness: the orchestrator restarts the service). */
    public boolean alive() {
        return running && loop.isAlive();
    }

    private void run() {
        ConsumerRecord<String, byte[]> current = null;
        Future<?> work = null;
        try {
            consumer.subscribe(topics, new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (busy) {
                        consumer.pause(partitions); // still busy: take nothing new
                    }
                }
            });
            while (running) {
                if (work != null) {
                    try {
                        work.get(200, TimeUnit.MILLISECONDS); // a quick handler is done at once
                    } catch (TimeoutException | ExecutionException ignored) {
                        // still running, or failed (reported below)
                    }
                }
                // while busy the partitions are paused: this only keeps the membership and runs rebalances
                var records = consumer.poll(work == null ? Duration.ofMillis(200) : Duration.ZERO);
                polling = true;
                if (work == null) {
                    for (ConsumerRecord<String, byte[]> r : records) {
                        Event e = Event.of(r);
                        try {
                            if (!wanted.test(e) || wasHandled(e)) {
                                commit(r);
                                continue;
                            }
                        } catch (RuntimeException transientFailure) {
                            // the store or the broker failed us: read this record again after a pause
                            LOG.log(Level.WARNING, "cannot take " + describe(e) + " now, retrying", transientFailure);
                            consumer.seek(new TopicPartition(r.topic(), r.partition()), r.offset());
                            Thread.sleep(RETRY_MS);
                            break;
                        }
                        current = r;
                        busy = true;
                        consumer.pause(consumer.assignment());
                        work = worker.submit(() -> handle(e));
                        break;
                    }
                } else if (work.isDone()) {
                    try {
                        work.get();
                    } catch (ExecutionException ex) {
                        Throwable why = ex.getCause();
                        LOG.log(
                                Level.WARNING,
                                describe(Event.of(current)) + " failed: "
                                        + (why.getMessage() == null ? why.toString() : why.getMessage()),
                                why);
                    }
                    try {
                        markHandled(Event.of(current));
                        commit(current);
                    } catch (RuntimeException transientFailure) {
                        LOG.log(
                                Level.WARNING,
                                "cannot record " + describe(Event.of(current)) + " as handled, retrying",
                                transientFailure);
                        Thread.sleep(RETRY_MS);
                        continue; // the work stays done: recorded at the next turn
                    }
                    consumer.resume(consumer.paused());
                    work = null;
                    busy = false;
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "event loop stopped", e);
        } finally {
            running = false;
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** Runs the handler in the event's trace: a consumer span under the span that published it. */
    private Void handle(Event e) throws Exception {
        if (e.is(StageProgress.class)) {
            handler.handle(e);
            return null;
        }
        String type = e.type().substring(e.type().lastIndexOf('.') + 1);
        String experiment = e.key() == null ? "" : e.key();
        return Tracing.traced("process " + type, SpanKind.CONSUMER, Tracing.parent(e.traceparent()), () -> {
            Span.current().setAttribute(Tracing.EXPERIMENT, experiment);
            try (LogContext ignored = LogContext.of(experiment, null, "")) {
                handler.handle(e);
            }
            return null;
        });
    }

    private static String describe(Event e) {
        return "event " + (e.id().isEmpty() ? "(no id)" : e.id()) + " ("
                + (e.type().isEmpty() ? "no type" : e.type()) + ", " + e.topic() + "@" + e.partition() + ":"
                + e.offset() + ")";
    }

    private void commit(ConsumerRecord<String, byte[]> r) {
        try {
            consumer.commitSync(
                    Map.of(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1)));
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // the partition moved to another instance; it will see the event as handled
            LOG.info("commit of " + r.topic() + "@" + r.offset() + " skipped: " + e.getMessage());
        }
    }

    private String marker(Event e) {
        String id = e.id().isEmpty() ? e.topic() + "/" + e.partition() + "/" + e.offset() : e.id();
        return handledPrefix + Sha256.ofBytes(id.getBytes(StandardCharsets.UTF_8));
    }

    private boolean wasHandled(Event e) {
        return handled != null && handled.exists(marker(e));
    }

    /** Records the event as handled (handled twice, when a rebalance let two instances take it: once is recorded). */
    private void markHandled(Event e) {
        if (handled != null) {
            handled.createIfAbsent(marker(e), new byte[0]);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            loop.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker.shutdownNow();
    }
}
