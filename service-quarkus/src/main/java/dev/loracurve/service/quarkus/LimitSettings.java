package dev.loracurve.service.quarkus;

import dev.loracurve.service.SpecLimits;
import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/**
 * The installation's upper limits on what a spec sizes (loracurve.limits.*, e.g.
 * {@code LORACURVE_LIMITS_BATCH_SIZE}); unset ones keep {@link SpecLimits#DEFAULT}.
 */
@ConfigMapping(prefix = "loracurve.limits")
public interface LimitSettings {
    Optional<Integer> k();

    Optional<Integer> steps();

    Optional<Integer> rank();

    Optional<Integer> batchSize();

    Optional<Integer> maxLength();

    Optional<Integer> samples();

    Optional<Integer> grid();

    Optional<Integer> points();

    default SpecLimits specLimits() {
        SpecLimits d = SpecLimits.DEFAULT;
        return new SpecLimits(
                k().orElse(d.k()),
                steps().orElse(d.steps()),
                rank().orElse(d.rank()),
                batchSize().orElse(d.batchSize()),
                maxLength().orElse(d.maxLength()),
                samples().orElse(d.samples()),
                grid().orElse(d.grid()),
                points().orElse(d.points()));
    }
}
