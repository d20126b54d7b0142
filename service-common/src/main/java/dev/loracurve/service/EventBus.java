package dev.loracurve.service;

import com.google.protobuf.Message;
import dev.loracurve.proto.v1.StageProgress;
import dev.loracurve.service.trace.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes protobuf events with CloudEvents headers (binary content mode), keyed by experiment
 * id so one experiment's events stay in order on one partition. Sends are synchronous: a stage
 * commits its input only after its output is on the broker.
 */
public final class EventBus implements AutoCloseable {
    public static final String CE_ID = "ce_id";
    public static final String CE_TYPE = "ce_type";
    public static final String CE_SOURCE = "ce_source";
    public static final String CE_SPECVERSION = "ce_specversion";
    public static final String CONTENT_TYPE = "content-type";

    private final KafkaProducer<String, byte[]> producer;
    private final String source;
    /** The topics this publisher may write to (a service's, from its descriptor), or null for any. */
    private final Set<String> topics;

    /** A publisher to any topic (tests, tools); @param source the events' ce_source */
    public EventBus(String bootstrapServers, String source) {
        this(bootstrapServers, source, null);
    }

    /**
     * A service's publisher: a publish to any other topic than {@code topics} is refused, so that the
     * service's descriptor (and the Kafka ACLs made from it) says all it writes.
     */
    public EventBus(String bootstrapServers, String source, Collection<String> topics) {
        this.topics = topics == null ? null : Set.copyOf(topics);
        Properties p = Topics.clientProperties(bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.source = source;
    }

    /** ce_type of each payload class, looked up once: every consumed event is matched against it. */
    private static final ClassValue<String> TYPES = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            try {
                return ((Message) type.getMethod("getDefaultInstance").invoke(null))
                        .getDescriptorForType()
                        .getFullName();
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException(type + " is not a generated message", e);
            }
        }
    };

    public static String typeOf(Class<? extends Message> type) {
        return TYPES.get(type);
    }

    /**
     * Sends and waits for the broker's acknowledgement.
     *
     * @param id the event id; deterministic for results so that consumers drop redeliveries, null for a random one
     */
    public void publish(String topic, String experimentId, String id, Message payload) {
        if (topics != null && !topics.contains(topic)) {
            throw new IllegalStateException(source + " publishes only to " + new TreeSet<>(topics) + ", not " + topic
                    + " (its StageDescriptor)");
        }
        if (payload instanceof StageProgress) {
            send(topic, experimentId, id, payload); // frequent and small: in its job's trace, without a span
        } else {
            Tracing.span("publish " + payload.getDescriptorForType().getName(), SpanKind.PRODUCER, () -> {
                Span.current().setAttribute(Tracing.EXPERIMENT, experimentId);
                send(topic, experimentId, id, payload);
                return null;
            });
        }
    }

    private void send(String topic, String experimentId, String id, Message payload) {
        RecordHeaders h = new RecordHeaders();
        h.add(CE_ID, (id == null ? UUID.randomUUID().toString() : id).getBytes(StandardCharsets.UTF_8));
        h.add(CE_TYPE, payload.getDescriptorForType().getFullName().getBytes(StandardCharsets.UTF_8));
        h.add(CE_SOURCE, source.getBytes(StandardCharsets.UTF_8));
        h.add(CE_SPECVERSION, "1.0".getBytes(StandardCharsets.UTF_8));
        h.add(CONTENT_TYPE, "application/protobuf".getBytes(StandardCharsets.UTF_8));
        String trace = Tracing.traceparent();
        if (!trace.isEmpty()) {
            h.add(Tracing.TRACEPARENT, trace.getBytes(StandardCharsets.UTF_8));
        }
        try {
            producer.send(new ProducerRecord<>(topic, null, experimentId, payload.toByteArray(), h))
                    .get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot publish to " + topic + ": " + e.getMessage(), e);
        }
    }

    /** True when the broker answers (readiness). */
    public boolean reachable() {
        try {
            // a topic it may describe under Kafka ACLs
            producer.partitionsFor(
                    topics == null ? Topics.EXPERIMENTS : topics.iterator().next());
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
