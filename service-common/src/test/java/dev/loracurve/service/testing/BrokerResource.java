package dev.loracurve.service.testing;

import dev.loracurve.broker.LocalBroker;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.testing.TinyWorld;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
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
            return Map.of(
                    "kafka.bootstrap.servers", broker.bootstrapServers(),
                    "loracurve.store", store().toString(),
                    "quarkus.http.test-port", String.valueOf(servicePort),
                    "loracurve.data-roots", dir.resolve("world").toString(),
                    // the in-process broker logs every partition it creates
                    "quarkus.log.category.\"kafka\".level", "WARN",
                    "quarkus.log.category.\"state.change.logger\".level", "WARN");
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
