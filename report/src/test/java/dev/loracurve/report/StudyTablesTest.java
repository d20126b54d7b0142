package dev.loracurve.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Study tables from synthetic reports: rows by method family, mean ± sample std over seeds and optima. */
class StudyTablesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode report(double base) {
        ObjectNode r = JSON.createObjectNode();
        ObjectNode methods = r.putObject("methods");
        methods.putObject("map-0").put("accuracy", base).put("mutual_information", 0);
        methods.putObject("map-1").put("accuracy", base + 0.02).put("mutual_information", 0);
        ObjectNode curve = methods.putObject("curve-curve").put("accuracy", base + 0.01);
        curve.put("mutual_information", 0.1);
        curve.putObject("ood").putObject("in_template:sst2").put("auroc_mi", base);
        return r;
    }

    @Test
    void cellsAreMeanAndSampleStdOverSeedsAndOptima() {
        List<StudyTables.Cell> cells = List.of(
                new StudyTables.Cell("trec", "", 0, report(0.50), List.of()),
                new StudyTables.Cell("trec", "", 1, report(0.60), List.of()),
                new StudyTables.Cell("trec", "", 2, report(0.70), List.of()),
                new StudyTables.Cell("trec", "js-0", 0, report(0.40), List.of("curve")));
        StudyTables t = new StudyTables(cells);
        String md = t.markdown();
        // map: {0.50, 0.52, 0.60, 0.62, 0.70, 0.72} × 100 → mean 61.0, std √(406 / 5) = 9.011
        assertTrue(md.contains("| map | 61.0 ± 9.0 |"), md);
        assertTrue(md.contains("| curve | 61.0 ± 10.0 |"), md); // {51, 61, 71}
        assertTrue(md.contains("| curve [js-0] | 41.0 ± 0.0 |"), md); // one seed
        assertFalse(md.contains("map [js-0]"), "an ablation adds rows only for its methods");
        assertTrue(md.contains("### OOD AUROC of MI\n\n| method | trec / in_template:sst2 |"), md);
        assertTrue(md.contains("| curve | 0.600 ± 0.100 |"), md);
        String csv = t.csv();
        assertTrue(csv.startsWith("metric,method,column,n,mean,std,values\n"));
        assertTrue(csv.contains("\"Accuracy (%)\",\"map\",\"trec\",6,"), csv);
        assertTrue(t.html().contains("<td>curve [js-0]</td><td>41.0 ± 0.0</td>"), t.html());
    }

    @Test
    void familiesAndMoments() {
        assertEquals("map", StudyTables.family("map-12"));
        assertEquals("laplace", StudyTables.family("laplace-0"));
        assertEquals("curve", StudyTables.family("curve-js-1"));
        assertEquals("ensemble", StudyTables.family("ensemble"));
        assertArrayEquals(new double[] {2, 1}, StudyTables.meanStd(List.of(1.0, 2.0, 3.0)), 1e-12);
        assertArrayEquals(new double[] {5, 0}, StudyTables.meanStd(List.of(5.0)), 0);
    }
}
