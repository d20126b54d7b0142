package dev.loracurve.service;

import java.time.Duration;

/**
 * How a service reaches Kafka and who owns the topics.
 *
 * @param bootstrapServers the broker ({@code KAFKA_BOOTSTRAP_SERVERS}); client security comes from
 *                         {@code LORACURVE_KAFKA_PROPERTIES} ({@link Topics#clientProperties})
 * @param partitions       partitions of each topic the service creates ({@code LORACURVE_PARTITIONS})
 * @param createTopics     whether the service creates missing topics ({@code LORACURVE_CREATE_TOPICS});
 *                         false where an operator owns them
 * @param topicWait        how long a service that does not create topics waits for them at start
 */
public record KafkaSettings(String bootstrapServers, int partitions, boolean createTopics, Duration topicWait) {
    /** The local stack's and the tests' setting: the services create the topics. */
    public static KafkaSettings creatingTopics(String bootstrapServers) {
        return new KafkaSettings(bootstrapServers, Topics.DEFAULT_PARTITIONS, true, Duration.ZERO);
    }
}
