package dev.loracurve.service;

import com.google.protobuf.Message;
import dev.loracurve.proto.v1.CheckpointAvailable;
import dev.loracurve.proto.v1.CurveReady;
import dev.loracurve.proto.v1.ExperimentSubmitted;
import dev.loracurve.proto.v1.Stage;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The four services and how they use Kafka, in one place: each one's name (its consumer group and
 * its events' ce_source), the stage whose jobs it runs, the topics it reads in which group, the
 * payload that starts its work, and the topics it publishes to. The services subscribe and publish
 * by it (a publish elsewhere is refused), the local stack starts them by it, and the manifests'
 * test holds the Kafka users' ACLs and the autoscalers' triggers to it.
 */
public enum StageDescriptor {
    TRAINER(
            "trainer-svc",
            Stage.TRAIN,
            List.of(Topics.EXPERIMENTS),
            ExperimentSubmitted.class,
            List.of(Topics.PROGRESS, Topics.CHECKPOINTS)),
    CURVE(
            "curve-svc",
            Stage.CURVE,
            List.of(Topics.CHECKPOINTS),
            CheckpointAvailable.class,
            List.of(Topics.PROGRESS, Topics.CURVES)),
    EVAL("eval-svc", Stage.EVAL, List.of(Topics.CURVES), CurveReady.class, List.of(Topics.PROGRESS, Topics.EVALS)),
    /** Runs no jobs; each instance follows every topic in a group of its own ({@code gateway-<instance>}). */
    GATEWAY("gateway", null, Topics.ALL, null, List.of(Topics.EXPERIMENTS));

    private final String serviceName;
    private final Stage stage;
    private final List<String> reads;
    private final Class<? extends Message> inputType;
    private final List<String> publishes;

    StageDescriptor(
            String serviceName,
            Stage stage,
            List<String> reads,
            Class<? extends Message> inputType,
            List<String> publishes) {
        this.serviceName = serviceName;
        this.stage = stage;
        this.reads = reads;
        this.inputType = inputType;
        this.publishes = publishes;
    }

    /** The service's name: its module, its Kubernetes workload, its events' ce_source. */
    public String serviceName() {
        return serviceName;
    }

    /** The stage whose jobs it runs; empty for the gateway. */
    public Optional<Stage> stage() {
        return Optional.ofNullable(stage);
    }

    /** The topics it consumes. */
    public List<String> reads() {
        return reads;
    }

    /** The payload type that starts its work (other events on its topics are skipped); null for the gateway. */
    public Class<? extends Message> inputType() {
        return inputType;
    }

    /** The topics it may publish to. */
    public List<String> publishes() {
        return publishes;
    }

    /** Every topic it reads or publishes to. */
    public List<String> topics() {
        return Stream.concat(reads.stream(), publishes.stream()).distinct().toList();
    }

    /**
     * Its consumer group: the service's name, shared by a stage's instances so that they split the
     * partitions; the gateway's instances each have their own ({@code gateway-<instance>}).
     */
    public String consumerGroup(String instance) {
        return this == GATEWAY ? groupPrefix() + instance : serviceName;
    }

    /** What every consumer group of this service starts with (the Kafka ACLs' prefix for the gateway). */
    public String groupPrefix() {
        return this == GATEWAY ? serviceName + "-" : serviceName;
    }

    /** The three stages, in pipeline order. */
    public static List<StageDescriptor> stages() {
        return Arrays.stream(values()).filter(d -> d.stage != null).toList();
    }

    /** The descriptor of a service name ({@code trainer-svc}), or IllegalArgumentException. */
    public static StageDescriptor of(String serviceName) {
        return Arrays.stream(values())
                .filter(d -> d.serviceName.equals(serviceName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service is named '" + serviceName + "'"));
    }
}
