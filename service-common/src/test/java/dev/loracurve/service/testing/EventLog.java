package dev.loracurve.service.testing;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.loracurve.proto.v1.Progress;
import dev.loracurve.proto.v1.StageProgress;
import dev.loracurve.service.EventBus;
import dev.loracurve.service.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads back what was published: how many times each event ("ce_type ce_id") of an experiment is on the topics. */
public final class EventLog {
    private EventLog() {}

    /**
     * Counts the events keyed by {@code experimentId} on every topic, reading until the topics have
     * been quiet for {@code quiet}; every record must carry the CloudEvents headers.
     */
    public static Map<String, Integer> count(String bootstrapServers, String experimentId, Duration quiet) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return count(p, experimentId, quiet);
    }

    /** The same with a client of these settings (a broker on mutual TLS). */
    public static Map<String, Integer> count(Properties client, String experimentId, Duration quiet) {
        return countAll(client, quiet).getOrDefault(experimentId, Map.of());
    }

    /** The counts of every experiment's events: experiment id → "type id" → times on the topics. */
    public static Map<String, Map<String, Integer>> countAll(String bootstrapServers, Duration quiet) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return countAll(p, quiet);
    }

    private static Map<String, Map<String, Integer>> countAll(Properties client, Duration quiet) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(Topics.ALL);
            long idle = System.nanoTime();
            while (System.nanoTime() - idle < quiet.toNanos()) {
                var records = c.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    idle = System.nanoTime();
                }
                for (var r : records) {
                    if (r.key() == null) {
                        continue;
                    }
                    if (!"1.0".equals(header(r, EventBus.CE_SPECVERSION))
                            || header(r, EventBus.CE_SOURCE).isEmpty()) {
                        throw new AssertionError(
                                "event without CloudEvents headers on " + r.topic() + "@" + r.offset());
                    }
                    counts.computeIfAbsent(r.key(), k -> new HashMap<>())
                            .merge(header(r, EventBus.CE_TYPE) + " " + header(r, EventBus.CE_ID), 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    /** The progress reports (StageProgress) published for {@code experimentId}, in order. */
    public static List<Progress> progress(String bootstrapServers, String experimentId, Duration quiet) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<Progress> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(Topics.PROGRESS));
            long idle = System.nanoTime();
            while (System.nanoTime() - idle < quiet.toNanos()) {
                var records = c.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    idle = System.nanoTime();
                }
                for (var r : records) {
                    if (experimentId.equals(r.key())) {
                        try {
                            out.add(StageProgress.parseFrom(r.value()).getProgress());
                        } catch (InvalidProtocolBufferException e) {
                            throw new AssertionError("a malformed StageProgress on " + r.topic(), e);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }
}
