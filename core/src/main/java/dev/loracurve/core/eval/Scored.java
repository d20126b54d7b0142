package dev.loracurve.core.eval;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.tasks.OodSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One method's scores: probs[m][i][c] per sample m, item i and class c, on the test items and on
 * each OOD set; and what was fitted to get them (a temperature, a prior precision), as report fields.
 */
record Scored(double[][][] test, Map<OodSet, double[][][]> ood, ObjectNode fitted) {
    Scored(double[][][] test, Map<OodSet, double[][][]> ood) {
        this(test, ood, JsonNodeFactory.instance.objectNode());
    }

    /** The same scores mapped by {@code f} (e.g. a temperature applied), with {@code fitted} recorded. */
    Scored map(UnaryOperator<double[][][]> f, ObjectNode fitted) {
        Map<OodSet, double[][][]> mapped = new LinkedHashMap<>();
        ood.forEach((set, p) -> mapped.put(set, f.apply(p)));
        return new Scored(f.apply(test), mapped, fitted);
    }
}
