package dev.loracurve.service.quarkus;

import dev.loracurve.service.Event;
import dev.loracurve.service.JobRunner;
import dev.loracurve.service.Specs;
import dev.loracurve.service.StageDescriptor;
import dev.loracurve.service.StageRuntime;
import dev.loracurve.service.store.Store;
import dev.loracurve.service.trace.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * A stage service's bean: at start-up its runtime (store, events, jobs, gauges) consumes the
 * stage's input events; at shutdown it closes; readiness is the event loop's health. A subclass
 * names its descriptor and handles the events (annotate it {@code @Singleton @Readiness @Default}).
 */
public abstract class StageBean implements HealthCheck {
    @Inject
    ServiceSettings settings;

    @Inject
    MeterRegistry registry;

    @Inject
    LimitSettings limits;

    @ConfigProperty(name = "loracurve.shutdown.checkpoint-wait", defaultValue = "90s")
    Duration checkpointWait;

    private static final Logger LOG = Logger.getLogger(StageBean.class.getName());

    protected StageRuntime rt;

    /** The spec mapping, with the data roots of this installation. */
    protected Specs specs;

    /** The stage: its name, its jobs' stage, the topics it reads and writes, the payload that starts its work. */
    protected abstract StageDescriptor descriptor();

    /** The service's name: its consumer group, its events' ce_source. */
    protected final String name() {
        return descriptor().serviceName();
    }

    /** Handles one input event, blocking until its work is done. */
    protected abstract void onEvent(Event e) throws Exception;

    void start(@Observes StartupEvent ev) {
        Tracing.start(name());
        Store store = settings.openStore();
        specs = new Specs(settings.dataLocations(store), limits.specLimits());
        EventLoopLiveness.watch(() -> rt);
        rt = StageRuntime.startStage(descriptor(), store, settings.kafka(), registry, this::onEvent);
    }

    /**
     * On SIGTERM (a node drained, a spot instance reclaimed) a running job goes on until its next
     * checkpoint is in the store, at most {@code loracurve.shutdown.checkpoint-wait}; the pod's
     * termination grace period must be longer.
     */
    void stop(@Observes ShutdownEvent ev) throws InterruptedException {
        if (rt.jobs.running() > 0) {
            LOG.info("stopping: waiting up to " + checkpointWait.toSeconds()
                    + " s for the running job's next checkpoint");
            LOG.info(
                    rt.jobs.awaitCheckpoint(checkpointWait.toMillis())
                            ? "checkpoint written (or job ended): stopping"
                            : "no checkpoint in time: stopping; the job resumes from its last one");
        }
        rt.close();
    }

    /** This stage's jobs: what the endpoint's get, list, cancel and watch read. */
    public JobRunner jobs() {
        return rt.jobs;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named(name() + "-events")
                .status(rt != null && rt.ready())
                .build();
    }
}
