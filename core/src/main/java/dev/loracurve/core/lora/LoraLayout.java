package dev.loracurve.core.lora;

import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.Projection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Where each LoRA matrix lives in the flat parameter vector θ. The order is stable and documented:
 * layers 0..L-1; within a layer the targeted projections in {@link Projection} order
 * (q, k, v, o, gate, up, down); for each, A (r × in, row-major) then B (out × r, row-major).
 * P = Σ r·(in + out). Curves, optimisers and adapters all index θ through this one class.
 */
public final class LoraLayout {

    /** One LoRA pair: offsets of A and B in θ, and their shapes. */
    public record Slot(int layer, Projection projection, int rank, int in, int out, long offsetA, long offsetB) {
        public String module() {
            return projection.modulePath(layer);
        }
    }

    private final ModelConfig model;
    private final LoraConfig lora;
    private final List<Slot> slots;
    private final Slot[][] byLayer; // [layer][projection ordinal], null when not targeted
    private final long size;

    public LoraLayout(ModelConfig model, LoraConfig lora) {
        this.model = model;
        this.lora = lora;
        List<Slot> list = new ArrayList<>();
        byLayer = new Slot[model.numLayers()][Projection.values().length];
        int r = lora.r();
        long offset = 0;
        for (int l = 0; l < model.numLayers(); l++) {
            for (Projection p : lora.orderedTargets()) {
                int in = model.inFeatures(p);
                int out = model.outFeatures(p);
                Slot s = new Slot(l, p, r, in, out, offset, offset + (long) r * in);
                offset += (long) r * (in + out);
                list.add(s);
                byLayer[l][p.ordinal()] = s;
            }
        }
        slots = Collections.unmodifiableList(list);
        size = offset;
    }

    public ModelConfig model() {
        return model;
    }

    public LoraConfig lora() {
        return lora;
    }

    public List<Slot> slots() {
        return slots;
    }

    /** The slot of a projection in a layer, or null when it carries no LoRA. */
    public Slot slot(int layer, Projection p) {
        return byLayer[layer][p.ordinal()];
    }

    /**
     * Where θ splits into its matrices (A then B of each slot, in order), without 0 and P: one
     * split op gives every matrix, and autograd's backward of a split is one concatenation, where
     * each of 2·L·7 separate slices would write a zero-filled gradient as long as θ.
     */
    public long[] splitPoints() {
        long[] points = new long[Math.max(0, 2 * slots.size() - 1)];
        for (int i = 0; i < slots.size(); i++) {
            if (i > 0) {
                points[2 * i - 1] = slots.get(i).offsetA();
            }
            points[2 * i] = slots.get(i).offsetB();
        }
        return points;
    }

    /** P, the length of θ. */
    public long size() {
        return size;
    }

    public int intSize() {
        return Math.toIntExact(size);
    }

    /**
     * PEFT's initialisation: A Kaiming-uniform with a = sqrt(5), i.e. U(-1/sqrt(in), 1/sqrt(in)),
     * and B = 0, so a fresh adapter leaves the model unchanged. Deterministic in {@code seed}.
     */
    public float[] initialTheta(long seed) {
        float[] theta = new float[intSize()];
        SplittableRandom rng = new SplittableRandom(seed);
        for (Slot s : slots) {
            double bound = 1.0 / Math.sqrt(s.in());
            int n = lora.r() * s.in();
            for (int i = 0; i < n; i++) {
                theta[(int) s.offsetA() + i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
            }
        }
        return theta;
    }
}
