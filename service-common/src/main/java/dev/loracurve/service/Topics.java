package dev.loracurve.service;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
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
    /** Partitions per topic unless configured ({@code LORACURVE_PARTITIONS}): at most this many instances of a stage share work. */
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

    /** Creates the topics that do not exist yet (every service does this at start; it is idempotent). */
    public static void ensure(String bootstrapServers, int partitions) {
        Properties p = clientProperties(bootstrapServers);
        try (Admin admin = Admin.create(p)) {
            for (String t : ALL) {
                try {
                    admin.createTopics(List.of(
                                    new NewTopic(t, partitions, (short) 1).configs(Map.of("retention.ms", "-1"))))
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
        }
    }
}
