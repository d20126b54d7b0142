package dev.loracurve.service;

import dev.loracurve.core.store.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The key and trust stores a service's Kafka clients loaded at start, remembered by content. Kafka's
 * clients read them once; when the operator renews them on disk (Strimzi rotates the KafkaUser's
 * certificate and the cluster CA into the mounted Secrets) the service is no longer live and the
 * orchestrator restarts it, gracefully: a running job stops at its next checkpoint and resumes.
 */
public final class KafkaCredentials {
    /** The client properties that name files whose content the clients load once. */
    private static final String[] FILE_SETTINGS = {"ssl.keystore.location", "ssl.truststore.location"};

    private final Map<Path, String> loaded;

    private KafkaCredentials(Map<Path, String> loaded) {
        this.loaded = loaded;
    }

    /** The files {@code clientProperties} names, as they are now (none without TLS settings). */
    public static KafkaCredentials of(Properties clientProperties) {
        Map<Path, String> files = new LinkedHashMap<>();
        for (String setting : FILE_SETTINGS) {
            String location = clientProperties.getProperty(setting);
            if (location != null && !location.isBlank()) {
                Path file = Path.of(location);
                files.put(file, digest(file));
            }
        }
        return new KafkaCredentials(files);
    }

    /** The service's own, from {@code LORACURVE_KAFKA_PROPERTIES} ({@link Topics#clientProperties}). */
    public static KafkaCredentials ofService() {
        return of(Topics.clientProperties(""));
    }

    /** The first file whose content differs from what was loaded, or null when none does. */
    public Path renewed() {
        for (Map.Entry<Path, String> e : loaded.entrySet()) {
            if (!digest(e.getKey()).equals(e.getValue())) {
                return e.getKey();
            }
        }
        return null;
    }

    /** A file's sha256, or "" while it cannot be read (a Secret's files are swapped by a symlink). */
    private static String digest(Path file) {
        try {
            return Sha256.ofBytes(Files.readAllBytes(file));
        } catch (IOException e) {
            return "";
        }
    }
}
