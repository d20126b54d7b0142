package dev.loracurve.cli.stack;

import dev.loracurve.service.auth.LocalSigner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment a service instance of the local stack starts with: its ports, the store and data
 * roots, the broker, the stack's certificates and signing key, its own log, trace and cache files,
 * and whatever was added for every service (a remote store's credentials, a fault to inject).
 */
public final class ServiceEnvironment {
    /** The services' store: the stack's own folder unless {@link #useStore} named another. */
    private String store;
    /** Where specs' models and data may be ({@code LORACURVE_DATA_ROOTS}): the current folder's tree unless set. */
    private String dataRoots =
            Path.of(System.getProperty("user.dir")).toAbsolutePath().toString();

    private final Map<String, String> extra = new LinkedHashMap<>();

    ServiceEnvironment(String store, String dataRoots) {
        this.store = store;
        if (dataRoots != null) {
            this.dataRoots = dataRoots;
        }
    }

    /**
     * Makes the services use another store (e.g. {@code s3://bucket/prefix}) with the environment
     * it needs (endpoint, credentials); for services started after this call.
     */
    public ServiceEnvironment useStore(String location, Map<String, String> env) {
        store = location;
        extra.putAll(env);
        return this;
    }

    /** The data roots of the services started after this call (folders and s3:// prefixes, ':'-separated). */
    public ServiceEnvironment dataRoots(String roots) {
        dataRoots = roots;
        return this;
    }

    /** A variable every service started after this call gets (null removes it). */
    public ServiceEnvironment put(String name, String value) {
        if (value == null) {
            extra.remove(name);
        } else {
            extra.put(name, value);
        }
        return this;
    }

    /** The data roots the services get (folders and s3:// prefixes, ':'-separated). */
    public String dataRoots() {
        return dataRoots;
    }

    /** The services' store, or null for the stack's own folder. */
    String store() {
        return store;
    }

    /** TLS only, with the stack's certificate; tokens signed by the stack's key; loopback only. */
    Map<String, String> of(Stack stack, String instance) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PORT", String.valueOf(stack.port(instance)));
        env.put("MANAGEMENT_PORT", String.valueOf(stack.managementPort(instance)));
        env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        env.put("LORACURVE_INSTANCE", instance);
        env.put("LORACURVE_STORE", stack.storeLocation());
        env.put("LORACURVE_CACHE", stack.cache(instance).toString()); // each instance's own disk
        env.put("LORACURVE_DATA_ROOTS", dataRoots);
        if (stack.kafkaTls()) {
            env.put("LORACURVE_KAFKA_PROPERTIES", kafkaProperties(stack).toString());
        }
        LocalPki pki = stack.pki();
        env.put("QUARKUS_PROFILE", "tls");
        env.put("LORACURVE_TLS_CERT", pki.serverCert().toString());
        env.put("LORACURVE_TLS_KEY", pki.serverKey().toString());
        env.put("LORACURVE_TLS_CA", pki.ca().toString());
        env.put("LORACURVE_AUTH_KEYS", LocalSigner.publicKey(stack.pkiDir()).toString());
        env.put("LORACURVE_AUTH_ISSUER", LocalSigner.ISSUER); // the stack's key signs only as this issuer
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put(
                "LORACURVE_AUDIT_LOG",
                stack.logs().resolve(instance + "-audit.jsonl").toString());
        env.put(
                "LORACURVE_TRACE_FILE",
                stack.traces().resolve(instance + ".jsonl").toString());
        env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false"); // plain logs for a person at a terminal
        env.putAll(extra);
        env.put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
        env.put("OPT_OUT_TRACKING", "true");
        env.put("DJL_OFFLINE", "true");
        return env;
    }

    /** The services' Kafka client settings as a file: mutual TLS with the stack's certificates. */
    private static Path kafkaProperties(Stack stack) {
        Path file = stack.pkiDir().resolve("kafka-client.properties");
        try (Writer out = Files.newBufferedWriter(file)) {
            stack.kafkaClientProperties()
                    .store(out, "the services' Kafka clients: mutual TLS with the stack's certificates");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
