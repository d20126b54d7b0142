package dev.loracurve.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Mean ± sd over seeds, against values worked out by hand, and the claims counted seed by seed. */
class SeedSummaryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode report(double curveAcc, double ensembleAcc, double curveMi, double ensembleMi) {
        ObjectNode r = JSON.createObjectNode();
        ObjectNode methods = r.putObject("methods");
        method(methods, "map-0", ensembleAcc, 0);
        method(methods, "ensemble", ensembleAcc, ensembleMi);
        method(methods, "curve-curve", curveAcc, curveMi);
        r.putObject("path")
                .putArray("segments_barriers")
                .addObject()
                .put("segment", 0)
                .set(
                        "line",
                        JSON.createObjectNode()
                                .set("train", JSON.createObjectNode().put("frankle", 1.0)));
        ((ObjectNode) r.path("path").path("segments_barriers").get(0))
                .set(
                        "curve",
                        JSON.createObjectNode()
                                .set("train", JSON.createObjectNode().put("frankle", 0.5)));
        return r;
    }

    private static void method(ObjectNode methods, String name, double acc, double mi) {
        ObjectNode m =
                methods.putObject(name).put("accuracy", acc).put("ece", 0.1).put("mutual_information", mi);
        m.putObject("ood")
                .putObject("other_task:world")
                .put("accuracy", 0.25)
                .put("mutual_information", mi)
                .put("auroc_mi", 0.5);
    }

    @Test
    void meanAndSampleStandardDeviation() {
        assertEquals(2.0, SeedSummary.mean(new double[] {1, 2, 3}), 1e-12);
        assertEquals(1.0, SeedSummary.sd(new double[] {1, 2, 3}), 1e-12); // sqrt(2 / 2)
        assertEquals(0.0, SeedSummary.sd(new double[] {7}), 0.0);
    }

    @Test
    void theTableAveragesEachFamilyOverSeeds() {
        SeedSummary s = new SeedSummary(List.of(report(0.5, 0.4, 0.2, 0.1), report(0.7, 0.4, 0.1, 0.2)));
        String table = s.table();
        // curve ACC: 50 and 70 → 60.0 ± 14.1 (sd of {50, 70} = 20 / √2)
        assertTrue(table.contains("curve") && table.contains("60.0 ± 14.1"), table);
        assertTrue(table.contains("map (each)"), table);
    }

    @Test
    void aClaimHoldsOnlyWhenItHoldsInEverySeed() {
        SeedSummary s = new SeedSummary(List.of(report(0.5, 0.4, 0.2, 0.1), report(0.7, 0.4, 0.1, 0.2)));
        String claims = s.claims();
        assertTrue(claims.contains("curve more accurate than the ensemble") && claims.contains("2 of 2 seeds"), claims);
        assertTrue(
                claims.lines().anyMatch(l -> l.startsWith("curve MI above the ensemble's") && l.endsWith("mixed")),
                claims);
        assertTrue(claims.lines().anyMatch(l -> l.contains("barrier") && l.endsWith("holds in every seed")), claims);
    }
}
