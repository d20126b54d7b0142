package dev.loracurve.service.quarkus;

import dev.loracurve.service.KafkaCredentials;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness: DOWN once the Kafka client's key or trust store changed on disk since the service
 * started (a renewed certificate that Kafka's clients would not load), so that the orchestrator
 * restarts the service with it.
 */
@Liveness
@Startup // remembers the stores as the Kafka clients load them
@ApplicationScoped
public class KafkaCredentialsLiveness implements HealthCheck {
    private final KafkaCredentials atStart = KafkaCredentials.ofService();

    @Override
    public HealthCheckResponse call() {
        Path renewed = atStart.renewed();
        return HealthCheckResponse.named("kafka-credentials")
                .status(renewed == null)
                .withData("renewed", renewed == null ? "" : renewed.toString())
                .build();
    }
}
