package dev.loracurve.core.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loracurve.core.testing.Shared;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loaders on the benchmarks' own files in ../shared/data, and on small malformed files. */
class TaskLoadersTest {
    @TempDir
    Path dir;

    private static List<Item> load(String task, String data, String split) {
        return Task.byName(task).load(Shared.require("data/" + data), split);
    }

    @Test
    void rowCountsOfEverySplit() {
        Map<String, Integer> expected = Map.ofEntries(
                Map.entry("arc-easy|arc-easy/hf|train", 2251),
                Map.entry("arc-easy|arc-easy/hf|validation", 570),
                Map.entry("arc-easy|arc-easy/hf|test", 2376),
                Map.entry("arc-easy|arc-easy/ai2|dev", 570),
                Map.entry("arc-easy|arc-easy/ai2|test", 2376),
                Map.entry("openbookqa|openbookqa|train", 4957),
                Map.entry("openbookqa|openbookqa|dev", 500),
                Map.entry("openbookqa|openbookqa|test", 500),
                Map.entry("boolq|boolq|val", 3270),
                Map.entry("sst2|sst2|train", 67349),
                Map.entry("sst2|sst2|dev", 872),
                Map.entry("rte|rte|train", 2490),
                Map.entry("rte|rte|val", 277),
                Map.entry("trec|trec|train", 5452),
                Map.entry("trec|trec|test", 500),
                Map.entry("agnews|agnews|test", 7600),
                Map.entry("winogrande|winogrande/mosaicml_winogrande_dev.jsonl|dev", 1267),
                Map.entry("winogrande|winogrande/llm_adapters_winogrande_dev.json|dev", 1267));
        expected.forEach((key, n) -> {
            String[] k = key.split("\\|");
            assertEquals(n, load(k[0], k[1], k[2]).size(), key);
        });
    }

    @Test
    void arcLayoutsAgreeAndHandleDigitLabelsAndThreeOrFiveChoices() {
        List<Item> hf = load("arc-easy", "arc-easy/hf", "validation");
        List<Item> ai2 = load("arc-easy", "arc-easy/ai2", "dev");
        assertEquals(hf, ai2, "both layouts give the same items");
        Item digits = hf.get(8); // NYSEDREGENTS_2014_8_10: labels "1".."4", answerKey "1"
        assertEquals("NYSEDREGENTS_2014_8_10", digits.id());
        assertEquals(0, digits.label());
        assertEquals(List.of(" A", " B", " C", " D"), digits.cues());
        Item three = hf.get(367); // WASL_2005_5_11
        assertEquals(3, three.choices().size());
        assertEquals(1, three.label());
        assertEquals(
                "Skin protects the body from harmful substances.",
                three.choices().get(1));
        Item five = hf.get(17); // TIMSS_1995_8_J5
        assertEquals(List.of("Visible", "Ultraviolet", "Infrared", "X-rays", "Radio waves"), five.choices());
        assertTrue(five.prompt().endsWith("E. Radio waves\nAnswer:"), five.prompt());
    }

    @Test
    void itemsCheckedByHand() {
        Item obqa = load("openbookqa", "openbookqa", "dev").get(0);
        assertEquals("8-376", obqa.id());
        assertEquals(List.of("Deep sea animals", "fish", "Long Sea Fish", "Far Sea Animals"), obqa.choices());
        assertEquals(0, obqa.label());
        Item trec = load("trec", "trec", "test").get(0); // NUM:dist How far is it from Denver to Aspen ?
        assertEquals("Question: How far is it from Denver to Aspen ?\nType:", trec.prompt());
        assertEquals(5, trec.label());
        Item sst = load("sst2", "sst2", "dev").get(1); // "unflinchingly bleak and desperate", 0
        assertEquals(0, sst.label());
        assertTrue(sst.prompt().contains("unflinchingly bleak and desperate"));
        Item rte = load("rte", "rte", "val").get(0);
        assertEquals(1, rte.label()); // not_entailment
        Item boolq = load("boolq", "boolq", "val").get(0); // label "false" as a string
        assertEquals(List.of(" True", " False"), boolq.cues());
        assertEquals(1, boolq.label());
        assertTrue(boolq.prompt().startsWith("Ethanol fuel -- All biomass"));
        Item ag = load("agnews", "agnews", "test").get(0); // class 3 = business
        assertEquals(2, ag.label());
        Item wg = load("winogrande", "winogrande/llm_adapters_winogrande_dev.json", "dev")
                .get(0);
        assertEquals(List.of("Sarah", "Maria"), wg.choices());
        assertEquals(1, wg.label());
        assertEquals(
                wg.prompt(),
                load("winogrande", "winogrande/mosaicml_winogrande_dev.jsonl", "dev")
                        .get(0)
                        .prompt());
    }

    @Test
    void winograndeLabelsAgreeWithTheOfficialLabelFile() throws Exception {
        List<String> official = Files.readAllLines(Shared.require("data/winogrande/dev-labels.lst"));
        List<Item> items = load("winogrande", "winogrande/mosaicml_winogrande_dev.jsonl", "dev");
        for (int i = 0; i < items.size(); i++) {
            assertEquals(
                    Integer.parseInt(official.get(i).trim()) - 1, items.get(i).label(), "row " + (i + 1));
        }
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private String error(String task, Path file) {
        return assertThrows(DataFormatException.class, () -> Task.byName(task).load(file))
                .getMessage();
    }

    @Test
    void officialWinograndeAndCommonsenseqaAndSuperGlueBoolqLayouts() throws Exception {
        Path wg = write(
                "wg.jsonl",
                "{\"qID\":\"q1\",\"sentence\":\"The cup fell off the table because _ was tilted.\",\"option1\":\"the cup\",\"option2\":\"the table\",\"answer\":\"2\"}\n");
        Item w = Task.byName("winogrande").load(wg).get(0);
        assertEquals("q1", w.id());
        assertEquals(1, w.label());
        Path csqa = write(
                "csqa.jsonl",
                "{\"answerKey\":\"C\",\"id\":\"x1\",\"question\":{\"question_concept\":\"c\",\"choices\":["
                        + "{\"label\":\"A\",\"text\":\"a\"},{\"label\":\"B\",\"text\":\"b\"},{\"label\":\"C\",\"text\":\"c\"},"
                        + "{\"label\":\"D\",\"text\":\"d\"},{\"label\":\"E\",\"text\":\"e\"}],\"stem\":\"Which?\"}}\n");
        Item c = Task.byName("commonsenseqa").load(csqa).get(0);
        assertEquals(5, c.choices().size());
        assertEquals(2, c.label());
        Path bq = write(
                "bq.jsonl",
                "{\"question\":\"is it\",\"title\":\"t\",\"answer\":true,\"passage\":\"p\"}\n"
                        + "{\"question\":\"is it\",\"passage\":\"p\",\"idx\":3,\"label\":false}\n");
        List<Item> b = Task.byName("boolq").load(bq);
        assertEquals(0, b.get(0).label());
        assertEquals(1, b.get(1).label());
        Path obqa = write(
                "obqa.jsonl",
                "{\"id\":\"7-1\",\"question_stem\":\"What?\",\"choices\":{\"text\":[\"x\",\"y\",\"z\",\"w\"],\"label\":[\"A\",\"B\",\"C\",\"D\"]},\"answerKey\":\"D\"}\n");
        assertEquals(3, Task.byName("openbookqa").load(obqa).get(0).label());
    }

    @Test
    void malformedRowsNameFileLineAndField() throws Exception {
        Path arc = write(
                "arc.jsonl",
                "{\"id\":\"a\",\"question\":\"Q?\",\"choices\":{\"text\":[\"x\",\"y\"],\"label\":[\"A\",\"B\"]},\"answerKey\":\"A\"}\n"
                        + "{\"id\":\"b\",\"question\":\"Q?\",\"choices\":{\"text\":[\"x\",\"y\"],\"label\":[\"A\",\"B\"]},\"answerKey\":\"Z\"}\n");
        String m = error("arc-easy", arc);
        assertTrue(m.contains("arc.jsonl:2") && m.contains("'answerKey'") && m.contains("'Z'"), m);
        String json = error("arc-easy", write("bad.jsonl", "{\"id\": 1,\n"));
        assertTrue(json.contains("bad.jsonl:1") && json.contains("malformed JSON"), json);
        String sst = error("sst2", write("sst.tsv", "sentence\tlabel\ngood film\t1\nbad film\tmaybe\n"));
        assertTrue(sst.contains("sst.tsv:3") && sst.contains("'label'"), sst);
        String noLabel = error("sst2", write("test.tsv", "index\tsentence\n0\tfine\n"));
        assertTrue(noLabel.contains("'label'") && noLabel.contains("no labels"), noLabel);
        String trec = error("trec", write("t.txt", "NUM:dist How far ?\nFOO:bar what ?\n"));
        assertTrue(trec.contains("t.txt:2") && trec.contains("'label'") && trec.contains("FOO"), trec);
        String ag = error("agnews", write("ag.csv", "Class Index,Title,Description\n3,\"t\",\"d\"\n9,\"t\",\"d\"\n"));
        assertTrue(ag.contains("ag.csv:3") && ag.contains("'Class Index'"), ag);
        String rte = error("rte", write("r.jsonl", "{\"premise\":\"p\",\"hypothesis\":\"h\",\"label\":\"maybe\"}\n"));
        assertTrue(rte.contains("r.jsonl:1") && rte.contains("'label'"), rte);
        String bq = error("boolq", write("b.jsonl", "{\"question\":\"q\",\"label\":true}\n"));
        assertTrue(bq.contains("b.jsonl:1") && bq.contains("'passage'"), bq);
        String obqa = error(
                "openbookqa",
                write(
                        "o.tsv",
                        "ID\tQuestion Stem\tChoices\tComplete Question\tAnswer Key\n1\tq\tno options here\tq\tA\n"));
        assertTrue(obqa.contains("o.tsv:2") && obqa.contains("'Choices'"), obqa);
        String wg = error(
                "winogrande",
                write("w.jsonl", "{\"sentence\":\"a _ b\",\"option1\":\"x\",\"option2\":\"y\",\"answer\":\"3\"}\n"));
        assertTrue(wg.contains("w.jsonl:1") && wg.contains("'answer'"), wg);
    }

    @Test
    void splitsAreFoundByNameAndUnknownTasksRefused() throws Exception {
        Path folder = dir.resolve("wg");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("a_dev.jsonl"), "");
        Files.writeString(folder.resolve("b_dev.jsonl"), "");
        IllegalArgumentException two =
                assertThrows(IllegalArgumentException.class, () -> DataFiles.resolve(folder, "validation"));
        assertTrue(two.getMessage().contains("several files"), two.getMessage());
        IllegalArgumentException none =
                assertThrows(IllegalArgumentException.class, () -> DataFiles.resolve(folder, "train"));
        assertTrue(none.getMessage().contains("no file for split 'train'"), none.getMessage());
        IllegalArgumentException task = assertThrows(IllegalArgumentException.class, () -> Task.byName("mmlu"));
        assertTrue(task.getMessage().contains("unknown task 'mmlu'"), task.getMessage());
    }
}
