package dev.loracurve.service.quarkus;

import dev.loracurve.service.DataLocations;
import dev.loracurve.service.KafkaSettings;
import dev.loracurve.service.store.RemoteTrees;
import dev.loracurve.service.store.Store;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The settings every service reads, from application.properties and the environment it names. */
@Singleton
public class ServiceSettings {
    @ConfigProperty(name = "loracurve.store")
    String store;

    @ConfigProperty(name = "loracurve.cache")
    Path cache;

    @ConfigProperty(name = "loracurve.cache.max-bytes")
    long cacheMaxBytes;

    @ConfigProperty(name = "loracurve.data-cache.max-bytes")
    long dataCacheMaxBytes;

    @ConfigProperty(name = "loracurve.partitions")
    int partitions;

    @ConfigProperty(name = "loracurve.instance")
    Optional<String> instance;

    @ConfigProperty(name = "loracurve.data-roots")
    Optional<String> dataRoots;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "loracurve.topics.create")
    boolean createTopics;

    @ConfigProperty(name = "loracurve.topics.wait")
    Duration topicWait;

    /**
     * Where specs' model and data URIs may point: the roots of {@code LORACURVE_DATA_ROOTS} and the
     * store; remote ones read through a cache of their own ({@code LORACURVE_DATA_CACHE_MAX_BYTES}).
     */
    public DataLocations dataLocations(Store store) {
        List<String> roots = new ArrayList<>(DataLocations.parseRoots(dataRoots.orElse("")));
        roots.add(store.root());
        return new DataLocations(roots, () -> RemoteTrees.open(cache.resolve("trees"), dataCacheMaxBytes));
    }

    /**
     * The shared store ({@code LORACURVE_STORE}: a folder, file:// or s3://bucket/prefix), with its
     * local cache ({@code LORACURVE_CACHE}, at most {@code LORACURVE_CACHE_MAX_BYTES}).
     */
    public Store openStore() {
        return Store.open(store, cache, cacheMaxBytes);
    }

    /**
     * The broker, and who owns the topics: the services create them unless
     * {@code LORACURVE_CREATE_TOPICS=false} (a cluster's Topic Operator owns them; the service waits for them).
     */
    public KafkaSettings kafka() {
        return new KafkaSettings(bootstrapServers, partitions, createTopics, topicWait);
    }

    /** This instance's name ({@code LORACURVE_INSTANCE}, a pod's name), else the host's. */
    public String instance() {
        return instance.filter(s -> !s.isBlank()).orElseGet(ServiceSettings::hostName);
    }

    /** The Kafka bootstrap servers ({@code KAFKA_BOOTSTRAP_SERVERS}). */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "local";
        }
    }
}
