package dev.loracurve.cli.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** The local stack's loopback ports: the defaults of a developer's stack, or free ones for tests. */
public final class Ports {
    private static final Random PICKS = new Random();
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private Ports() {}

    /** The default ports: kafka, kafka-controller, then each service. */
    public static Map<String, Integer> defaults() {
        Map<String, Integer> p = new LinkedHashMap<>();
        p.put(Stack.KAFKA, 9192);
        p.put("kafka-controller", 9193);
        p.put("gateway", 9100);
        p.put("trainer-svc", 9101);
        p.put("curve-svc", 9102);
        p.put("eval-svc", 9103);
        return p;
    }

    /** Free ports under the same names (tests run beside a developer's stack). */
    public static Map<String, Integer> free() {
        Map<String, Integer> p = new LinkedHashMap<>();
        for (String name : defaults().keySet()) {
            p.put(name, freePort());
        }
        return p;
    }

    /**
     * A port that is free now and that no outgoing connection will take before its service binds
     * it, seconds later: one below the kernel's ephemeral range, where the source ports of
     * connections (the services' Kafka clients) come from: a port from bind(0) lies inside that
     * range, where such a connection can take it before the service binds it. Never the same port
     * twice in one process.
     */
    public static synchronized int freePort() {
        int low = 10_000;
        int high = ephemeralRangeStart();
        for (int attempt = 0; attempt < 200 && high > low; attempt++) {
            int port = low + PICKS.nextInt(high - low);
            if (!HANDED_OUT.contains(port)) {
                try (ServerSocket s = new ServerSocket(port)) {
                    HANDED_OUT.add(port);
                    return port;
                } catch (IOException busy) {
                    // try another
                }
            }
        }
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first port of Linux's ephemeral range (32768 by default, and elsewhere). */
    private static int ephemeralRangeStart() {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                    .trim()
                    .split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
