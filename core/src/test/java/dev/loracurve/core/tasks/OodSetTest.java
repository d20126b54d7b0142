package dev.loracurve.core.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two OOD protocols on small files: which prompt and choices each item is scored with. */
class OodSetTest {
    @TempDir
    Path dir;

    TaskData trec;
    TaskData sst2;

    @BeforeEach
    void files() throws IOException {
        Files.writeString(dir.resolve("trec.txt"), "NUM:count How many moons has Mars ?\nHUM:ind Who wrote it ?\n");
        Files.writeString(dir.resolve("sst2.tsv"), "sentence\tlabel\na gripping film\t1\ndull and long\t0\n");
        trec = TaskData.builder(Task.byName("trec"), dir.resolve("trec.txt")).build();
        sst2 = TaskData.builder(Task.byName("sst2"), dir.resolve("sst2.tsv")).build();
    }

    @Test
    void inTemplateItemsAreTheOtherTextsInThisTasksPromptAndClassesWithoutAnswers() {
        List<Item> items = new OodSet(OodSet.Protocol.IN_TEMPLATE, sst2).items(trec);
        assertEquals(2, items.size());
        Item first = items.get(0);
        assertEquals("Question: a gripping film\nType:", first.prompt());
        assertEquals(Task.byName("trec").load(dir.resolve("trec.txt")).get(0).cues(), first.cues());
        assertEquals(Item.NO_LABEL, first.label());
        assertEquals("sst2.tsv:2", first.id());

        List<Item> ownCues = new OodSet(OodSet.Protocol.IN_TEMPLATE, sst2)
                .items(TaskData.builder(Task.byName("trec"), dir.resolve("trec.txt"))
                        .cues(List.of("a", "b", "c", "d", "e", "f"))
                        .build());
        assertEquals(List.of(" a", " b", " c", " d", " e", " f"), ownCues.get(0).cues(), "the experiment's cues");
    }

    @Test
    void aTwoTextTaskTakesTheOtherTextAsItsPassageWithItsOwnQuestionsInTurn() throws IOException {
        Files.writeString(
                dir.resolve("boolq.jsonl"),
                "{\"question\":\"is the sky blue\",\"passage\":\"Sky.\",\"answer\":true}\n"
                        + "{\"question\":\"is it raining\",\"passage\":\"Rain.\",\"answer\":false}\n");
        TaskData boolq = TaskData.builder(Task.byName("boolq"), dir.resolve("boolq.jsonl"))
                .build();
        List<Item> items = new OodSet(OodSet.Protocol.IN_TEMPLATE, trec).items(boolq);
        assertEquals(
                "How many moons has Mars ?\nQuestion: is the sky blue?\nAnswer:",
                items.get(0).prompt());
        assertEquals(
                "Who wrote it ?\nQuestion: is it raining?\nAnswer:",
                items.get(1).prompt());
        assertEquals(List.of(" True", " False"), items.get(1).cues());
        assertEquals(Item.NO_LABEL, items.get(1).label());
    }

    @Test
    void aTasksOwnItemsInItsTemplateAreTheSamePrompts() {
        List<Item> own = trec.test();
        List<Item> wrapped = new OodSet(OodSet.Protocol.IN_TEMPLATE, trec).items(trec);
        for (int i = 0; i < own.size(); i++) {
            assertEquals(own.get(i).prompt(), wrapped.get(i).prompt());
            assertEquals(own.get(i).cues(), wrapped.get(i).cues());
        }
        Item review = sst2.test().get(1);
        assertEquals(
                review.prompt(),
                new OodSet(OodSet.Protocol.IN_TEMPLATE, sst2).items(sst2).get(1).prompt());
    }

    @Test
    void otherTaskItemsKeepTheirOwnPromptChoicesAndAnswers() {
        assertEquals(sst2.test(), new OodSet(OodSet.Protocol.OTHER_TASK, sst2).items(trec));
        assertEquals("other_task:sst2", new OodSet(OodSet.Protocol.OTHER_TASK, sst2).name());
    }

    @Test
    void aTaskWhoseItemsBringTheirChoicesHasNoTemplate() throws IOException {
        Files.writeString(
                dir.resolve("arc.jsonl"),
                "{\"id\":\"q1\",\"question\":\"Which is a metal?\",\"choices\":{\"text\":[\"iron\",\"wood\"],"
                        + "\"label\":[\"A\",\"B\"]},\"answerKey\":\"A\"}\n");
        TaskData arc = TaskData.builder(Task.byName("arc-easy"), dir.resolve("arc.jsonl"))
                .build();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new OodSet(OodSet.Protocol.IN_TEMPLATE, sst2).items(arc));
        assertTrue(e.getMessage().contains("arc-easy is not one: use other_task"), e.getMessage());
        assertEquals("Which is a metal?", arc.test().get(0).text());
        assertEquals(
                OodSet.Protocol.OTHER_TASK, OodSet.Protocol.defaultFor(Task.byName("arc-easy"), Task.byName("sst2")));
        assertEquals(OodSet.Protocol.IN_TEMPLATE, OodSet.Protocol.defaultFor(Task.byName("trec"), Task.byName("sst2")));
        assertEquals(OodSet.Protocol.OTHER_TASK, OodSet.Protocol.defaultFor(Task.byName("trec"), Task.byName("trec")));
        assertThrows(IllegalArgumentException.class, () -> OodSet.Protocol.of("elsewhere"));
    }
}
