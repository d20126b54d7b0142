package dev.loracurve.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loracurve.proto.v1.PredictItem;
import dev.loracurve.proto.v1.PredictRequest;
import dev.loracurve.service.InvalidSpecException;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** A Predict request is refused by field before any model is touched, and a stream's chunks keep the items' places. */
class PredictionsTest {
    private static PredictItem item(String prompt, String... choices) {
        return PredictItem.newBuilder()
                .setPrompt(prompt)
                .addAllChoices(List.of(choices))
                .build();
    }

    private static final PredictRequest GOOD = PredictRequest.newBuilder()
            .setExperimentId("exp-00000001")
            .setMethod("curve")
            .addItems(item("Is it? Answer:", " yes", " no"))
            .build();

    @Test
    void eachBadPartIsNamed() {
        Predictions.check(GOOD, Predictions.MAX_ITEMS);
        Map<String, UnaryOperator<PredictRequest.Builder>> cases = Map.of(
                "experiment_id", b -> b.clearExperimentId(),
                "method", b -> b.setMethod(" "),
                "samples", b -> b.setSamples(-1),
                "items", b -> b.clearItems(),
                "items[1].prompt", b -> b.addItems(item("", " a", " b")),
                "items[1].choices", b -> b.addItems(item("x", " a", " a")));
        cases.forEach((field, change) -> {
            InvalidSpecException e = assertThrows(
                    InvalidSpecException.class,
                    () -> Predictions.check(change.apply(GOOD.toBuilder()).build(), Predictions.MAX_ITEMS));
            assertEquals(field, e.fieldViolations().get(0).field(), e.getMessage());
        });
        PredictRequest.Builder many = GOOD.toBuilder();
        for (int i = 0; i < Predictions.MAX_ITEMS; i++) {
            many.addItems(GOOD.getItems(0));
        }
        assertThrows(InvalidSpecException.class, () -> Predictions.check(many.build(), Predictions.MAX_ITEMS));
    }

    @Test
    void aStreamIsAnsweredInChunksThatKeepEachItemsPlace() {
        PredictRequest.Builder b = GOOD.toBuilder().clearItems();
        for (int i = 0; i < 600; i++) {
            b.addItems(i == 300 ? GOOD.getItems(0).toBuilder().setId("mine").build() : GOOD.getItems(0));
        }
        List<PredictRequest> chunks = Predictions.chunks(b.build());
        assertEquals(
                List.of(256, 256, 88),
                chunks.stream().map(PredictRequest::getItemsCount).toList());
        assertEquals("0", chunks.get(0).getItems(0).getId());
        assertEquals("257", chunks.get(1).getItems(1).getId()); // its place in the whole request
        assertEquals("mine", chunks.get(1).getItems(300 - 256).getId());
    }
}
