package dev.loracurve.examples;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.loracurve.proto.v1.EvalCompleted;
import dev.loracurve.proto.v1.MethodMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * An example consumer of LoRA-Curve's events, as another team would write it: it follows
 * loracurve.evals and reacts to each finished evaluation once. The rules it shows, which hold for
 * every topic: pick events by the ce_type header (a topic may carry new types later; skip the
 * unknown), parse the payload with the contracts jar, drop redeliveries by ce_id (delivery is at
 * least once), commit after handling.
 *
 * <p>Run: {@code java -cp … dev.loracurve.examples.EvalListener BOOTSTRAP [GROUP]}.
 */
public final class EvalListener implements AutoCloseable {
    static final String TOPIC = "loracurve.evals";
    static final String TYPE = EvalCompleted.getDescriptor().getFullName();

    /** How many event ids to remember: redeliveries come soon after the first delivery. */
    private static final int REMEMBERED_IDS = 10_000;

    private final KafkaConsumer<String, byte[]> consumer;
    private final Consumer<EvalCompleted> onEval;
    private final Set<String> seen = new LinkedHashSet<>();

    public EvalListener(String bootstrapServers, String group, Consumer<EvalCompleted> onEval) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.consumer.subscribe(List.of(TOPIC));
        this.onEval = onEval;
    }

    /** Handles what arrives within {@code timeout}; returns how many evaluations it reacted to. */
    public int poll(Duration timeout) {
        int handled = 0;
        for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
            String id = header(r, "ce_id");
            if (!TYPE.equals(header(r, "ce_type")) || id == null || !seen.add(id)) {
                continue; // another type of event, or a redelivery
            }
            if (seen.size() > REMEMBERED_IDS) {
                seen.remove(seen.iterator().next());
            }
            try {
                onEval.accept(EvalCompleted.parseFrom(r.value()));
                handled++;
            } catch (InvalidProtocolBufferException e) {
                System.err.println("skipping a malformed event " + id + " at offset " + r.offset());
            }
        }
        consumer.commitSync();
        return handled;
    }

    /** One line per evaluation: the experiment and each method's accuracy, NLL and mutual information. */
    public static String summary(EvalCompleted e) {
        return e.getExperimentId() + " evaluated: "
                + e.getMetricsList().stream().map(EvalListener::metrics).collect(Collectors.joining("; "))
                + " (report " + e.getReport().getUri() + ")";
    }

    private static String metrics(MethodMetrics m) {
        return String.format(
                "%s acc %.3f nll %.3f MI %.4f", m.getMethod(), m.getAccuracy(), m.getNll(), m.getMutualInformation());
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        consumer.close();
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: EvalListener BOOTSTRAP_SERVERS [GROUP]");
            System.exit(2);
        }
        String group = args.length > 1 ? args[1] : "eval-listener";
        try (EvalListener listener = new EvalListener(args[0], group, e -> System.out.println(summary(e)))) {
            while (!Thread.currentThread().isInterrupted()) {
                listener.poll(Duration.ofSeconds(1));
            }
        }
    }
}
