package dev.loracurve.cli.stack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.service.StageDescriptor;
import dev.loracurve.service.auth.LocalSigner;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The local stack: a single-node KRaft broker and the four services as processes on loopback,
 * each the same runnable jar a cluster runs ({@code <svc>/target/quarkus-app/quarkus-run.jar}),
 * with logs in files and pids and ports in {@code stack.json} so that status and down find them.
 */
public final class Stack implements AutoCloseable {
    /** The services in start order, as their descriptors name them. */
    public static final List<String> SERVICES = Arrays.stream(StageDescriptor.values())
            .map(StageDescriptor::serviceName)
            .toList();

    public static final String KAFKA = "kafka";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path home;
    private final Path dir;
    private final Map<String, Integer> ports;
    private final Map<String, Long> pids = new LinkedHashMap<>();
    /** Start time of each pid, so that a pid reused by an unrelated process is never taken for ours. */
    private final Map<String, Long> started = new LinkedHashMap<>();

    private final Map<String, Process> children = new LinkedHashMap<>();
    /** The services' store: the stack's own folder unless {@link #useStore} named another. */
    private String storeLocation;
    /** Where specs' models and data may be ({@code LORACURVE_DATA_ROOTS}): the current folder's tree unless set. */
    private String dataRoots =
            Path.of(System.getProperty("user.dir")).toAbsolutePath().toString();
    /** Environment every service gets besides the stack's own (a remote store's endpoint and credentials). */
    private final Map<String, String> serviceEnv = new LinkedHashMap<>();

    private boolean kafkaTls;

    private Stack(Path home, Path dir, Map<String, Integer> ports) {
        this.home = home;
        this.dir = dir;
        this.ports = ports;
    }

    /** A new stack under {@code dir} on the given ports (kafka, kafka-controller, then each service). */
    public static Stack create(Path home, Path dir, Map<String, Integer> ports) {
        return new Stack(home, dir, new LinkedHashMap<>(ports));
    }

    /** The default loopback ports of the local stack. */
    public static Map<String, Integer> defaultPorts() {
        return new LinkedHashMap<>(Map.of(
                KAFKA,
                9192,
                "kafka-controller",
                9193,
                "gateway",
                9100,
                "trainer-svc",
                9101,
                "curve-svc",
                9102,
                "eval-svc",
                9103));
    }

    /** Free ports (tests run beside a developer's stack). */
    public static Map<String, Integer> freePorts() {
        Map<String, Integer> p = new LinkedHashMap<>();
        for (String name : defaultPorts().keySet()) {
            p.put(name, freePort());
        }
        return p;
    }

    private static final Random PORT_PICKS = new Random();
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    /**
     * A port that is free now and that no outgoing connection will take before its service binds
     * it, seconds later: one below the kernel's ephemeral range, where the source ports of
     * connections (the services' Kafka clients) come from: a port from bind(0) lies inside that
     * range, where such a connection can take it before the service binds it. Never the same port
     * twice in one process.
     */
    private static synchronized int freePort() {
        int low = 10_000;
        int high = ephemeralRangeStart();
        for (int attempt = 0; attempt < 200 && high > low; attempt++) {
            int port = low + PORT_PICKS.nextInt(high - low);
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

    /** The stack recorded in {@code dir/stack.json}, or null when there is none. */
    public static Stack read(Path home, Path dir) {
        Path f = dir.resolve("stack.json");
        if (!Files.exists(f)) {
            return null;
        }
        try {
            var node = JSON.readTree(f.toFile());
            Map<String, Integer> ports = new LinkedHashMap<>();
            node.get("ports")
                    .fields()
                    .forEachRemaining(e -> ports.put(e.getKey(), e.getValue().asInt()));
            Stack s = new Stack(home, dir, ports);
            node.get("pids")
                    .fields()
                    .forEachRemaining(e -> s.pids.put(e.getKey(), e.getValue().asLong()));
            node.path("started")
                    .fields()
                    .forEachRemaining(
                            e -> s.started.put(e.getKey(), e.getValue().asLong()));
            s.kafkaTls = node.path("kafka_tls").asBoolean(false);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Makes the services use another store (e.g. {@code s3://bucket/prefix}) with the environment
     * it needs (endpoint, credentials); for services started after this call.
     */
    public Stack useStore(String location, Map<String, String> env) {
        this.storeLocation = location;
        serviceEnv.putAll(env);
        return this;
    }

    /** Puts the broker's client listener on mutual TLS (the stack's certificates); before the broker starts. */
    public Stack kafkaTls(boolean on) {
        this.kafkaTls = on;
        return this;
    }

    /** The Kafka client settings of this stack's clients (mutual TLS when {@link #kafkaTls}). */
    public Properties kafkaClientProperties() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers());
        if (kafkaTls) {
            LocalPki pki = pki();
            p.put("security.protocol", "SSL");
            p.put("ssl.keystore.type", "PEM");
            p.put("ssl.keystore.location", pki.clientKeyStore().toString());
            p.put("ssl.truststore.type", "PEM");
            p.put("ssl.truststore.location", pki.ca().toString());
        }
        return p;
    }

    /** The data roots of the services started after this call (folders and s3:// prefixes, ':'-separated). */
    public Stack dataRoots(String roots) {
        this.dataRoots = roots;
        return this;
    }

    /** Extra environment for the services started after this call (fault injection in tests). */
    public Stack withServiceEnv(String name, String value) {
        if (value == null) {
            serviceEnv.remove(name);
        } else {
            serviceEnv.put(name, value);
        }
        return this;
    }

    public String storeLocation() {
        return storeLocation == null ? store().toString() : storeLocation;
    }

    /** The stack's CA, certificates and signing key (made on first use). */
    public LocalPki pki() {
        LocalSigner.in(pkiDir());
        return LocalPki.in(pkiDir());
    }

    private Path pkiDir() {
        return dir.resolve("pki");
    }

    /** A token of {@code team} signed with the stack's key (development only), valid for {@code ttl}. */
    public String token(String team, Duration ttl) {
        return LocalSigner.in(pkiDir()).token(System.getProperty("user.name", "local"), team, ttl);
    }

    /** How a client of {@code team} reaches an instance: TLS with the stack's CA, a token of an hour. */
    public Connection connection(String instance, String team) {
        return new Connection("127.0.0.1:" + port(instance), token(team, Duration.ofHours(1)), pki().ca(), false);
    }

    /** The stack's own store folder (the services' store unless {@link #useStore} named another). */
    public Path store() {
        return dir.resolve("store");
    }

    /** Each service's spans, one JSON-lines file per instance (see {@code loracurve trace}). */
    public Path traces() {
        return dir.resolve("traces");
    }

    public Path logs() {
        return dir.resolve("logs");
    }

    public int port(String name) {
        return ports.get(name);
    }

    /** The port of an instance's health and metrics ({@code /q/health}, {@code /q/metrics}), picked on first use. */
    public int managementPort(String instance) {
        return ports.computeIfAbsent("management:" + instance, k -> freePort());
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port(KAFKA);
    }

    public String gatewayTarget() {
        return "127.0.0.1:" + port("gateway");
    }

    /** The broker's data folder. */
    public Path brokerDir() {
        return dir.resolve("kafka");
    }

    /** Starts the broker as its own process (the local-broker module's jar) and waits until it answers. */
    public void startBroker() {
        Path jar = home.resolve("local-broker/target/loracurve-local-broker.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (./mvnw -DskipTests install)");
        }
        List<String> cmd = new ArrayList<>(List.of(
                java(),
                marker(),
                "-Xmx512m",
                "-jar",
                jar.toString(),
                brokerDir().toString(),
                String.valueOf(port(KAFKA)),
                String.valueOf(port("kafka-controller"))));
        if (kafkaTls) {
            cmd.addAll(List.of(pki().serverKeyStore().toString(), pki().ca().toString()));
        }
        spawn(KAFKA, cmd, Map.of());
        awaitReady(KAFKA, Duration.ofSeconds(60));
    }

    /** Starts the four services and waits until each is ready (the broker must be up). */
    public void startServices(Duration timeout) {
        startServices(timeout, Map.of());
    }

    /**
     * Starts the four services, {@code instances.get(service)} instances of each (default 1: the
     * second of trainer-svc is trainer-svc-2), and waits until every one is ready.
     */
    public void startServices(Duration timeout, Map<String, Integer> instances) {
        List<String> started = new ArrayList<>();
        for (String svc : SERVICES) {
            for (int i = 1; i <= instances.getOrDefault(svc, 1); i++) {
                String name = i == 1 ? svc : svc + "-" + i;
                startInstance(svc, name);
                started.add(name);
            }
        }
        for (String name : started) {
            awaitReady(name, timeout);
        }
    }

    /** The service an instance belongs to (trainer-svc-2 → trainer-svc). */
    public static String serviceOf(String instance) {
        return SERVICES.stream()
                .filter(s -> instance.equals(s) || instance.startsWith(s + "-"))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "'" + instance + "' is not an instance of " + String.join(", ", SERVICES)));
    }

    /** The instances this stack started, in start order (kafka first). */
    public List<String> instances() {
        return List.copyOf(pids.keySet());
    }

    /** Stops one instance (if it runs) and starts it again with the same name, port and settings. */
    public void restart(String instance, Duration timeout) {
        if (instance.equals(KAFKA)) {
            stop(KAFKA);
            startBroker();
            return;
        }
        stop(instance);
        startInstance(serviceOf(instance), instance);
        awaitReady(instance, timeout);
    }

    /** Starts one service process with its port, the store and the broker. */
    public Process startService(String name) {
        return startInstance(name, name);
    }

    /**
     * Starts another instance of {@code service} named {@code instance} (its log, pid and a free port
     * go by that name): instances of a stage share its consumer group and split the partitions.
     */
    public Process startInstance(String service, String instance) {
        ports.computeIfAbsent(instance, i -> freePort());
        String name = instance;
        Path jar = home.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (./mvnw -DskipTests install)");
        }
        List<String> cmd = List.of(
                java(),
                marker(),
                "-Xmx1g",
                "-XX:+UseSerialGC",
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_interop_threads=1",
                "-jar",
                jar.toString());
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PORT", String.valueOf(port(name)));
        env.put("MANAGEMENT_PORT", String.valueOf(managementPort(name)));
        env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        env.put("LORACURVE_INSTANCE", name);
        env.put("LORACURVE_STORE", storeLocation());
        env.put("LORACURVE_CACHE", dir.resolve("cache").resolve(name).toString()); // each instance's own disk
        env.put("LORACURVE_DATA_ROOTS", dataRoots);
        if (kafkaTls) {
            Path file = pkiDir().resolve("kafka-client.properties");
            try (Writer out = Files.newBufferedWriter(file)) {
                kafkaClientProperties()
                        .store(out, "the services' Kafka clients: mutual TLS with the stack's certificates");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            env.put("LORACURVE_KAFKA_PROPERTIES", file.toString());
        }
        // TLS only, with the stack's certificate; tokens signed by the stack's key; loopback only
        LocalPki pki = pki();
        env.put("QUARKUS_PROFILE", "tls");
        env.put("LORACURVE_TLS_CERT", pki.serverCert().toString());
        env.put("LORACURVE_TLS_KEY", pki.serverKey().toString());
        env.put("LORACURVE_TLS_CA", pki.ca().toString());
        env.put("LORACURVE_AUTH_KEYS", LocalSigner.publicKey(pkiDir()).toString());
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("LORACURVE_AUDIT_LOG", logs().resolve(name + "-audit.jsonl").toString());
        env.put("LORACURVE_TRACE_FILE", traces().resolve(name + ".jsonl").toString());
        env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false"); // plain logs for a person at a terminal
        env.putAll(serviceEnv);
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers());
        env.put("OPT_OUT_TRACKING", "true");
        env.put("DJL_OFFLINE", "true");
        return spawn(name, cmd, env);
    }

    private Process spawn(String name, List<String> cmd, Map<String, String> env) {
        try {
            Files.createDirectories(logs());
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            logs().resolve(name + ".log").toFile()));
            pb.environment().putAll(env);
            Process p = pb.start();
            children.put(name, p);
            pids.put(name, p.pid());
            started.put(name, startMillis(p.toHandle()));
            save();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** Waits until {@code name} is ready (the broker answers; a service's /q/health/ready is UP). */
    public void awaitReady(String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (ready(name)) {
                return;
            }
            Process p = children.get(name);
            if (p != null && !p.isAlive()) {
                throw new IllegalStateException(name + " exited with " + p.exitValue() + "; its log:\n" + tail(name));
            }
            sleep(250);
        }
        throw new IllegalStateException(
                name + " not ready after " + timeout.toSeconds() + " s; its log:\n" + tail(name));
    }

    /** Whether {@code name} answers now. */
    public boolean ready(String name) {
        if (name.equals(KAFKA)) {
            var props = kafkaClientProperties();
            props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
            props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000);
            try (Admin a = Admin.create(props)) {
                a.describeCluster().nodes().get();
                return true;
            } catch (Exception e) {
                return false;
            }
        }
        try {
            HttpResponse<String> r = HttpClient.newBuilder()
                    .sslContext(trusting(pki().ca()))
                    .build()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create("https://127.0.0.1:" + managementPort(name) + "/q/health/ready"))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public boolean alive(String name) {
        return handle(name) != null;
    }

    /** Resident memory of an instance's process in bytes (Linux /proc), or -1 when it is not running. */
    public long residentBytes(String name) {
        ProcessHandle h = handle(name);
        if (h == null) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(h.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or the process just ended
        }
        return -1;
    }

    /** The live process recorded for {@code name}, or null. */
    private ProcessHandle handle(String name) {
        Long pid = pids.get(name);
        if (pid == null) {
            return null;
        }
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(h -> startMillis(h) == started.getOrDefault(name, -1L))
                .orElse(null);
    }

    private static long startMillis(ProcessHandle h) {
        return h.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
    }

    /** SIGKILL: no shutdown hooks, as a crashed node. */
    public void kill(String name) {
        Process p = children.get(name);
        if (p != null) {
            p.destroyForcibly();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** SIGTERM and wait (SIGKILL after 15 s): a clean shutdown of one process. */
    public void stop(String name) {
        terminate(List.of(name));
    }

    /**
     * Stops every process of the stack, the services together, then the broker they were talking
     * to: those it recorded and any other that carries its marker (an instance restarted by hand
     * with the same command line).
     */
    public void down() {
        List<String> services = new ArrayList<>(pids.keySet());
        services.remove(KAFKA);
        terminate(services);
        List<ProcessHandle> strays = strays();
        strays.stream().filter(h -> !isBroker(h)).forEach(Stack::terminate);
        terminate(List.of(KAFKA));
        strays.stream().filter(Stack::isBroker).forEach(Stack::terminate);
    }

    /** The argument that marks this stack's processes. */
    private String marker() {
        return "-Dloracurve.stack=" + dir.toAbsolutePath().normalize();
    }

    private List<ProcessHandle> strays() {
        String mark = marker();
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(h ->
                        h.info().arguments().map(a -> List.of(a).contains(mark)).orElse(false))
                .toList();
    }

    private static boolean isBroker(ProcessHandle h) {
        return h.info()
                .arguments()
                .map(a -> List.of(a).stream().anyMatch(x -> x.endsWith("loracurve-local-broker.jar")))
                .orElse(false);
    }

    private static void terminate(ProcessHandle h) {
        h.destroy();
        try {
            h.onExit().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            h.destroyForcibly();
        }
    }

    /** SIGTERM to each, then waits for each, with SIGKILL for any still running after 15 s (services shut down in 5). */
    private void terminate(List<String> names) {
        List<ProcessHandle> live =
                names.stream().map(this::handle).filter(Objects::nonNull).toList();
        live.forEach(ProcessHandle::destroy);
        live.forEach(Stack::terminate);
    }

    public String tail(String name) {
        Path log = logs().resolve(name + ".log");
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ")";
        }
    }

    private void save() {
        ObjectNode root = JSON.createObjectNode();
        root.set("ports", JSON.valueToTree(ports));
        root.set("pids", JSON.valueToTree(pids));
        root.set("started", JSON.valueToTree(started));
        root.put("store", storeLocation());
        root.put("kafka_tls", kafkaTls);
        AtomicFiles.writeString(dir.resolve("stack.json"), root.toPrettyString());
    }

    /** An SSL context that trusts the certificates of one PEM CA. */
    public static SSLContext trusting(Path caPem) {
        try (InputStream in = Files.newInputStream(caPem)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot trust " + caPem, e);
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops what this JVM started. */
    @Override
    public void close() {
        down();
    }
}
