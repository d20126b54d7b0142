package dev.loracurve.service;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;

/** The Kafka topics of the pipeline. Partitions let several instances of a stage share the work. */
public final class Topics {
    /** ExperimentSubmitted, ExperimentCancelled: the trainer's input, so its lag is work to do. */
    public static final String EXPERIMENTS = "loracurve.experiments";
    /** StageProgress: frequent, for the gateway and other watchers (on a topic of its own, so that it wakes no stage). */
    public static final String PROGRESS = "loracurve.progress";
    /** CheckpointAvailable. */
    public static final String CHECKPOINTS = "loracurve.checkpoints";
    /** CurveReady. */
    public static final String CURVES = "loracurve.curves";
    /** EvalCompleted. */
    public static final String EVALS = "loracurve.evals";

    public static final List<String> ALL = List.of(EXPERIMENTS, PROGRESS, CHECKPOINTS, CURVES, EVALS);
    /** Partitions per topic when a service creates them ({@code LORACURVE_PARTITIONS}): at most this many instances of a stage share work. */
    public static final int DEFAULT_PARTITIONS = 12;

    private Topics() {}

    /**
     * The settings of every Kafka client of a service: the bootstrap servers, and the client
     * properties of the file {@code LORACURVE_KAFKA_PROPERTIES} names (security.protocol=SSL, key and
     * trust stores for mutual TLS, SASL, …: Kafka's own names), when it is set.
     */
    public static Properties clientProperties(String bootstrapServers) {
        Properties p = new Properties();
        String file = System.getenv("LORACURVE_KAFKA_PROPERTIES");
        if (file != null && !file.isBlank()) {
            try (Reader in = Files.newBufferedReader(Path.of(file))) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the Kafka client properties " + file, e);
            }
        }
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }

    /**
     * Makes sure the pipeline's topics exist before a service uses them. Where the services own the
     * topics ({@code create}: the local stack, a trial broker) the missing ones are created with the
     * broker's default replication factor, and refused when that factor is below the broker's
     * {@code min.insync.replicas} (every {@code acks=all} publish would then fail). Where an operator
     * owns them (Strimzi's Topic Operator: {@code LORACURVE_CREATE_TOPICS=false}) the service waits up
     * to {@code wait} for them and otherwise refuses to start, naming the missing topics.
     */
    public static void ensure(String bootstrapServers, int partitions, boolean create, Duration wait) {
        ensure(bootstrapServers, ALL, partitions, create, wait);
    }

    /**
     * The same for the topics a service uses: under Kafka ACLs a service sees (may describe) only
     * those, so it looks for no other.
     */
    public static void ensure(
            String bootstrapServers, Collection<String> topics, int partitions, boolean create, Duration wait) {
        try (Admin admin = Admin.create(clientProperties(bootstrapServers))) {
            Set<String> missing = missing(admin, topics);
            long deadline = System.nanoTime() + wait.toNanos();
            while (!create && !missing.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(Math.min(2_000, Math.max(1, wait.toMillis())));
                missing = missing(admin, topics);
            }
            if (missing.isEmpty()) {
                return;
            }
            if (!create) {
                throw new IllegalStateException("the topics " + missing + " do not exist on " + bootstrapServers
                        + " after " + wait.toSeconds() + " s, and this service does not create topics"
                        + " (LORACURVE_CREATE_TOPICS=false): the cluster's Topic Operator creates them"
                        + " (deploy/base/kafka.yaml)");
            }
            Map<String, String> broker = brokerConfig(admin, "default.replication.factor", "min.insync.replicas");
            int factor = Integer.parseInt(broker.get("default.replication.factor"));
            int minInSync = Integer.parseInt(broker.get("min.insync.replicas"));
            if (factor < minInSync) {
                throw new IllegalStateException("refusing to create the topics " + missing
                        + " with replication factor " + factor + " (the broker's default.replication.factor),"
                        + " below its min.insync.replicas " + minInSync + ": every publish would fail."
                        + " Create them with the cluster's Topic Operator (deploy/base/kafka.yaml)");
            }
            for (String t : missing) {
                try {
                    admin.createTopics(List.of(new NewTopic(t, Optional.of(partitions), Optional.empty())
                                    .configs(Map.of("retention.ms", "-1"))))
                            .all()
                            .get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "cannot create topic " + t + ": " + e.getCause().getMessage(), e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot list the topics on " + bootstrapServers + ": "
                            + e.getCause().getMessage(),
                    e);
        }
    }

    private static Set<String> missing(Admin admin, Collection<String> topics)
            throws InterruptedException, ExecutionException {
        Set<String> missing = new TreeSet<>(topics);
        missing.removeAll(admin.listTopics().names().get());
        return missing;
    }

    /** The named settings of one broker of the cluster (they are cluster-wide defaults in practice). */
    private static Map<String, String> brokerConfig(Admin admin, String... names)
            throws InterruptedException, ExecutionException {
        Node node = admin.describeCluster().nodes().get().iterator().next();
        ConfigResource r = new ConfigResource(ConfigResource.Type.BROKER, node.idString());
        Config config = admin.describeConfigs(List.of(r)).all().get().get(r);
        Map<String, String> out = new HashMap<>();
        for (String n : names) {
            out.put(n, config.get(n).value());
        }
        return out;
    }
}
