package dev.loracurve.cli.stack;

import dev.loracurve.service.StageDescriptor;
import dev.loracurve.service.auth.LocalSigner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The local stack: a single-node KRaft broker and the four services as processes on loopback,
 * each the same runnable jar a cluster runs ({@code <svc>/target/quarkus-app/quarkus-run.jar}),
 * with logs in files and pids and ports in {@code stack.json} so that status and down find them.
 * Its parts: {@link Ports}, {@link StackFile}, {@link Processes}, {@link ServiceEnvironment},
 * {@link Readiness}, {@link LocalPki}.
 */
public final class Stack implements AutoCloseable {
    /** The services in start order, as their descriptors name them. */
    public static final List<String> SERVICES = Arrays.stream(StageDescriptor.values())
            .map(StageDescriptor::serviceName)
            .toList();

    public static final String KAFKA = "kafka";

    private final Path home;
    private final Path dir;
    private final Map<String, Integer> ports;
    private final Processes processes;
    private final ServiceEnvironment environment;
    private boolean kafkaTls;

    private Stack(Path home, Path dir, Map<String, Integer> ports, StackFile recorded) {
        this.home = home;
        this.dir = dir;
        this.ports = new LinkedHashMap<>(ports);
        this.processes = new Processes(
                logs(),
                dir,
                recorded == null ? Map.of() : recorded.pids(),
                recorded == null ? Map.of() : recorded.started());
        this.environment = recorded == null
                ? new ServiceEnvironment(null, null)
                : new ServiceEnvironment(recorded.store(), recorded.dataRoots());
        this.kafkaTls = recorded != null && recorded.kafkaTls();
    }

    /** A new stack under {@code dir} on the given ports (kafka, kafka-controller, then each service; {@link Ports}). */
    public static Stack create(Path home, Path dir, Map<String, Integer> ports) {
        return new Stack(home, dir, ports, null);
    }

    /** The stack recorded in {@code dir/stack.json}, or null when there is none. */
    public static Stack read(Path home, Path dir) {
        StackFile f = StackFile.read(dir);
        return f == null ? null : new Stack(home, dir, f.ports(), f);
    }

    /** What every service started from now on gets: the store, the data roots, extra variables. */
    public ServiceEnvironment environment() {
        return environment;
    }

    /** The stack's processes by instance name. */
    public Processes processes() {
        return processes;
    }

    /** Puts the broker's client listener on mutual TLS (the stack's certificates); before the broker starts. */
    public Stack kafkaTls(boolean on) {
        this.kafkaTls = on;
        return this;
    }

    boolean kafkaTls() {
        return kafkaTls;
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

    public String storeLocation() {
        return environment.store() == null ? store().toString() : environment.store();
    }

    /** The stack's CA, certificates and signing key (made on first use). */
    public LocalPki pki() {
        LocalSigner.in(pkiDir());
        return LocalPki.in(pkiDir());
    }

    Path pkiDir() {
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

    /** The stack's own store folder (the services' store unless the environment names another). */
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

    /** An instance's own cache folder (its local disk on a cluster). */
    Path cache(String instance) {
        return dir.resolve("cache").resolve(instance);
    }

    public int port(String name) {
        return ports.get(name);
    }

    /** The port of an instance's health and metrics ({@code /q/health}, {@code /q/metrics}), picked on first use. */
    public int managementPort(String instance) {
        return ports.computeIfAbsent("management:" + instance, k -> Ports.freePort());
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
        List<String> cmd = new ArrayList<>(List.of(
                java(),
                processes.marker(),
                "-Xmx512m",
                "-jar",
                built(home.resolve("local-broker/target/loracurve-local-broker.jar")),
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
        List<String> names = new ArrayList<>();
        for (String svc : SERVICES) {
            for (int i = 1; i <= instances.getOrDefault(svc, 1); i++) {
                String name = i == 1 ? svc : svc + "-" + i;
                startInstance(svc, name);
                names.add(name);
            }
        }
        for (String name : names) {
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
        return List.copyOf(processes.pids().keySet());
    }

    /** Stops one instance (if it runs) and starts it again with the same name, port and settings. */
    public void restart(String instance, Duration timeout) {
        stop(instance);
        if (instance.equals(KAFKA)) {
            startBroker();
            return;
        }
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
        ports.computeIfAbsent(instance, i -> Ports.freePort());
        List<String> cmd = List.of(
                java(),
                processes.marker(),
                "-Xmx1g",
                "-XX:+UseSerialGC",
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_interop_threads=1",
                "-jar",
                built(home.resolve(service).resolve("target/quarkus-app/quarkus-run.jar")));
        return spawn(instance, cmd, environment.of(this, instance));
    }

    private static String built(Path jar) {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (./mvnw -DskipTests install)");
        }
        return jar.toString();
    }

    private Process spawn(String name, List<String> cmd, Map<String, String> env) {
        Process p = processes.spawn(name, cmd, env);
        save();
        return p;
    }

    /** Waits until {@code name} is ready (the broker answers; a service's /q/health/ready is UP). */
    public void awaitReady(String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (ready(name)) {
                return;
            }
            Process p = processes.child(name);
            if (p != null && !p.isAlive()) {
                throw new IllegalStateException(
                        name + " exited with " + p.exitValue() + "; its log:\n" + processes.tail(name));
            }
            sleep(250);
        }
        throw new IllegalStateException(
                name + " not ready after " + timeout.toSeconds() + " s; its log:\n" + processes.tail(name));
    }

    /** Whether {@code name} answers now. */
    public boolean ready(String name) {
        return name.equals(KAFKA)
                ? Readiness.brokerAnswers(kafkaClientProperties())
                : Readiness.serviceReady(managementPort(name), pki().ca());
    }

    public boolean alive(String name) {
        return processes.handle(name) != null;
    }

    /** SIGTERM and wait (SIGKILL after 15 s): a clean shutdown of one process. */
    public void stop(String name) {
        processes.terminate(List.of(name));
    }

    /** Stops every process of the stack: the services together, then the broker they were talking to. */
    public void down() {
        processes.stopAll(KAFKA);
    }

    private void save() {
        new StackFile(ports, processes.pids(), processes.started(), storeLocation(), environment.dataRoots(), kafkaTls)
                .write(dir);
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
