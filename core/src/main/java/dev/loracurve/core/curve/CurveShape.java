package dev.loracurve.core.curve;

import dev.loracurve.core.config.InvalidConfigException;
import dev.loracurve.core.config.Violations;
import java.util.Locale;

/**
 * The shape of a curve to fit: anchored through the optima or free, S segments of degree n, the
 * anchors' order, and the noise on interior points at initialisation. Built by name, defaults in
 * {@link Builder}.
 *
 * @param segments S, or 0 for the default: K - 1 through (or from) K optima, 1 from scratch
 */
public record CurveShape(Variant variant, int segments, int degree, AnchorOrder order, double initNoise) {

    public enum Variant {
        /** Through the optima: junctions pinned, interior points trained. */
        ANCHORED,
        /** Every control point trained, started from the optima or from independent LoRA inits. */
        FREE;

        /** The name in curve.json. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum AnchorOrder {
        /** As given. */
        GIVEN,
        /** Greedy nearest-neighbour order from the first optimum. */
        NEAREST;

        public static AnchorOrder parse(String name) {
            for (AnchorOrder o : values()) {
                if (o.name().toLowerCase(Locale.ROOT).equals(name)) {
                    return o;
                }
            }
            throw InvalidConfigException.of("order", "must be given or nearest, got '" + name + "'");
        }
    }

    public CurveShape {
        Violations v = new Violations();
        v.positive("degree", degree).nonNegative("segments", segments).nonNegative("initNoise", initNoise);
        v.throwIfAny();
    }

    /** Checks the shape against the anchors it gets (none: a free curve from scratch). */
    public void checkAnchors(int anchors) {
        Violations v = new Violations();
        v.require(
                variant == Variant.FREE || anchors >= 2,
                "anchors",
                "must hold at least 2 optima for an anchored curve, got " + anchors);
        v.require(
                anchors == 0 || segments == 0 || segments == anchors - 1,
                "segments",
                "must be " + (anchors - 1) + " (K - 1) for a curve through " + anchors + " adapters, got " + segments);
        v.throwIfAny();
    }

    /** S for this many anchors. */
    public int segmentsFor(int anchors) {
        return segments > 0 ? segments : anchors > 0 ? anchors - 1 : 1;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults: anchored, S from the anchors, quadratic segments, anchors as given, no init noise. */
    public static final class Builder {
        public static final int DEFAULT_DEGREE = 2;
        private Variant variant = Variant.ANCHORED;
        private int segments = 0;
        private int degree = DEFAULT_DEGREE;
        private AnchorOrder order = AnchorOrder.GIVEN;
        private double initNoise = 0;

        public Builder variant(Variant v) {
            variant = v;
            return this;
        }

        public Builder segments(int v) {
            segments = v;
            return this;
        }

        public Builder degree(int v) {
            degree = v;
            return this;
        }

        public Builder order(AnchorOrder v) {
            order = v;
            return this;
        }

        public Builder initNoise(double v) {
            initNoise = v;
            return this;
        }

        public CurveShape build() {
            return new CurveShape(variant, segments, degree, order, initNoise);
        }
    }
}
