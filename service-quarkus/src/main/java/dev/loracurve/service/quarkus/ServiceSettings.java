package dev.loracurve.service.quarkus;

import jakarta.inject.Singleton;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The settings every service reads, from application.properties and the environment it names. */
@Singleton
public class ServiceSettings {
    @ConfigProperty(name = "loracurve.store")
    Path storeRoot;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    /** The store's root folder ({@code LORACURVE_STORE}). */
    public Path storeRoot() {
        return storeRoot;
    }

    /** The Kafka bootstrap servers ({@code KAFKA_BOOTSTRAP_SERVERS}). */
    public String bootstrapServers() {
        return bootstrapServers;
    }
}
