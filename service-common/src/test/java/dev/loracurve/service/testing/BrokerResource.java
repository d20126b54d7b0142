package dev.loracurve.service.testing;

import dev.loracurve.broker.LocalBroker;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.testing.TinyWorld;
import dev.loracurve.service.auth.LocalSigner;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * What a service's in-process test runs against: a real single-node broker started in the test's
 * JVM, an empty store and a free port for the service under test (gRPC and HTTP on one port).
 */
public final class BrokerResource implements QuarkusTestResourceLifecycleManager {
    private static Path dir;
    private static LocalBroker broker;
    private static int servicePort;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("loracurve-service-test");
            broker = LocalBroker.start(dir.resolve("kafka"), freePort(), freePort());
            servicePort = freePort();
            LocalSigner.in(dir.resolve("keys"));
            Map<String, String> config = new HashMap<>();
            config.put(
                    "loracurve.auth.keys",
                    LocalSigner.publicKey(dir.resolve("keys")).toString());
            config.put("quarkus.log.handler.file.\"audit\".path", auditLog().toString());
            config.put("kafka.bootstrap.servers", broker.bootstrapServers());
            config.put("loracurve.store", store().toString());
            config.put("quarkus.http.test-port", String.valueOf(servicePort));
            config.put("loracurve.data-roots", dir.resolve("world").toString());
            // a team with a small quota, for the quota tests
            config.put("loracurve.quota.teams.small.max-running", "1");
            config.put("loracurve.quota.teams.small.max-k", "2");
            // the in-process broker logs every partition it creates
            config.put("quarkus.log.category.\"kafka\".level", "WARN");
            config.put("quarkus.log.category.\"state.change.logger\".level", "WARN");
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        broker.close();
        try {
            AtomicFiles.deleteTree(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path dir() {
        return dir;
    }

    /** The tiny world (model and TREC data, core's TinyWorld), written on first use. */
    public static synchronized Path world() {
        Path world = dir.resolve("world");
        try {
            if (!Files.exists(world.resolve("model"))) {
                TinyWorld.write(world);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return world;
    }

    /** A token of {@code team} signed with the key the service trusts. */
    public static String token(String team) {
        return LocalSigner.in(dir.resolve("keys")).token("test-user", team, Duration.ofMinutes(10));
    }

    /** The signer of the trusted key (tokens of any kind, for the authentication tests). */
    public static LocalSigner signer() {
        return LocalSigner.in(dir.resolve("keys"));
    }

    /** The service's audit log: one JSON line per call. */
    public static Path auditLog() {
        return dir.resolve("audit.jsonl");
    }

    public static Path store() {
        return dir.resolve("store");
    }

    public static String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** The service's gRPC target. */
    public static String target() {
        return "127.0.0.1:" + servicePort;
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
