package dev.loracurve.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node Kafka broker in KRaft mode (broker and controller in one), from the Kafka jars:
 * the local stack's broker and the tests' in-process broker. Its data lives under one folder,
 * formatted on first start and reused after.
 */
public final class LocalBroker implements AutoCloseable {
    private final KafkaRaftServer server;
    private final int port;

    private LocalBroker(KafkaRaftServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts a broker on loopback {@code port} (the controller on {@code controllerPort}), data under {@code dir}. */
    public static LocalBroker start(Path dir, int port, int controllerPort) {
        return start(dir, port, controllerPort, null, null);
    }

    /**
     * The same with its client listener on mutual TLS when {@code keyStore} (PEM: key and
     * certificate chain) and {@code trustStore} (PEM: the CA clients' certificates must chain to) are given.
     */
    public static LocalBroker start(Path dir, int port, int controllerPort, Path keyStore, Path trustStore) {
        try {
            Files.createDirectories(dir);
            Path logs = dir.resolve("data");
            Properties p = new Properties();
            p.put("process.roles", "broker,controller");
            p.put("node.id", "1");
            p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
            String client = keyStore == null ? "PLAINTEXT" : "SSL";
            p.put("listeners", client + "://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.put("advertised.listeners", client + "://127.0.0.1:" + port);
            p.put("controller.listener.names", "CONTROLLER");
            p.put("inter.broker.listener.name", client);
            p.put("listener.security.protocol.map", client + ":" + client + ",CONTROLLER:PLAINTEXT");
            if (keyStore != null) {
                p.put("ssl.client.auth", "required");
                p.put("ssl.keystore.type", "PEM");
                p.put("ssl.keystore.location", keyStore.toString());
                p.put("ssl.truststore.type", "PEM");
                p.put("ssl.truststore.location", trustStore.toString());
            }
            p.put("log.dirs", logs.toString());
            p.put("num.partitions", "4");
            p.put("offsets.topic.replication.factor", "1");
            p.put("offsets.topic.num.partitions", "4");
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            p.put("share.coordinator.state.topic.replication.factor", "1");
            p.put("share.coordinator.state.topic.min.isr", "1");
            p.put("group.initial.rebalance.delay.ms", "0");
            p.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 << 20));
            p.put("log.retention.hours", "-1");
            Path props = dir.resolve("server.properties");
            try (var out = Files.newBufferedWriter(props)) {
                p.store(out, "single-node KRaft broker of the LoRA-Curve local stack");
            }
            if (!Files.exists(logs.resolve("meta.properties"))) {
                ByteArrayOutputStream log = new ByteArrayOutputStream();
                int rc = StorageTool.execute(
                        new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", props.toString()},
                        new PrintStream(log, true, StandardCharsets.UTF_8));
                if (rc != 0) {
                    throw new IllegalStateException(
                            "cannot format " + logs + ": " + log.toString(StandardCharsets.UTF_8));
                }
            }
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
            server.startup();
            return new LocalBroker(server, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The broker as its own process: DIR PORT CONTROLLER_PORT [KEYSTORE_PEM TRUSTSTORE_PEM]; stops on SIGTERM. */
    public static void main(String[] args) throws InterruptedException {
        LocalBroker b = args.length >= 5
                ? start(
                        Path.of(args[0]),
                        Integer.parseInt(args[1]),
                        Integer.parseInt(args[2]),
                        Path.of(args[3]),
                        Path.of(args[4]))
                : start(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        Runtime.getRuntime().addShutdownHook(new Thread(b::close));
        b.server.awaitShutdown();
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
