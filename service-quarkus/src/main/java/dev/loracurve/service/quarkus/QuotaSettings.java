package dev.loracurve.service.quarkus;

import dev.loracurve.service.Quotas;
import io.smallrye.config.ConfigMapping;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The teams' quotas (loracurve.quota.*). Unset defaults keep {@link Quotas.Quota#DEFAULT}; a team's
 * entry overrides the defaults field by field, e.g. {@code loracurve.quota.teams.vision.max-running=10}
 * ({@code LORACURVE_QUOTA_TEAMS_VISION_MAX_RUNNING}).
 */
@ConfigMapping(prefix = "loracurve.quota")
public interface QuotaSettings {
    Quota defaults();

    Map<String, Quota> teams();

    interface Quota {
        Optional<Integer> maxRunning();

        Optional<Integer> maxK();

        Optional<Integer> maxSteps();

        Optional<Long> maxTokens();

        default Quotas.Quota or(Quotas.Quota fallback) {
            return new Quotas.Quota(
                    maxRunning().orElse(fallback.maxRunning()),
                    maxK().orElse(fallback.maxK()),
                    maxSteps().orElse(fallback.maxSteps()),
                    maxTokens().orElse(fallback.maxTokens()));
        }
    }

    default Quotas quotas() {
        Quotas.Quota defaults = defaults().or(Quotas.Quota.DEFAULT);
        Map<String, Quotas.Quota> teams = new HashMap<>();
        teams().forEach((team, q) -> teams.put(team, q.or(defaults)));
        return new Quotas(defaults, teams);
    }
}
