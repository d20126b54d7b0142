package dev.loracurve.service.quarkus;

import dev.loracurve.service.StageRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness: DOWN once the service's event loop stopped for good (a fatal error in its thread), so
 * that the orchestrator restarts it instead of leaving a stage that no longer takes work. A failing
 * job, or a store or broker outage, does not stop the loop: the job fails alone, the loop retries.
 */
@Liveness
@ApplicationScoped
public class EventLoopLiveness implements HealthCheck {
    private static volatile Supplier<StageRuntime> runtime = () -> null;

    /** The runtime whose loop this check reports (the service's bean registers it at start). */
    public static void watch(Supplier<StageRuntime> rt) {
        runtime = rt;
    }

    @Override
    public HealthCheckResponse call() {
        StageRuntime rt = runtime.get();
        return HealthCheckResponse.named("event-loop")
                .status(rt == null || rt.alive())
                .build();
    }
}
