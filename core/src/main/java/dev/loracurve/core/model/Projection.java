package dev.loracurve.core.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The seven linear projections of a decoder layer, in the order LoRA parameters are laid out.
 * {@link #hfName()} is the module name in Hugging Face checkpoints and PEFT target_modules.
 */
public enum Projection {
    Q_PROJ("self_attn", "q_proj"),
    K_PROJ("self_attn", "k_proj"),
    V_PROJ("self_attn", "v_proj"),
    O_PROJ("self_attn", "o_proj"),
    GATE_PROJ("mlp", "gate_proj"),
    UP_PROJ("mlp", "up_proj"),
    DOWN_PROJ("mlp", "down_proj");

    private final String block;
    private final String name;

    Projection(String block, String name) {
        this.block = block;
        this.name = name;
    }

    public String hfName() {
        return name;
    }

    /** e.g. {@code model.layers.3.self_attn.q_proj}. */
    public String modulePath(int layer) {
        return "model.layers." + layer + "." + block + "." + name;
    }

    /** The module names, comma-separated. */
    public static String names() {
        return Arrays.stream(values()).map(Projection::hfName).collect(Collectors.joining(", "));
    }

    public static Projection byName(String name) {
        for (Projection p : values()) {
            if (p.name.equals(name)) {
                return p;
            }
        }
        return null;
    }
}
