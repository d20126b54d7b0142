package dev.loracurve.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Cursor paging: each item once, in order, whatever is added meanwhile; tokens bound to their filters. */
class PagesTest {
    private static final Function<String, String> KEY = Function.identity();

    @Test
    void pagesCoverTheListOnceInOrderEvenWhenItemsAreAddedBetweenPages() {
        List<String> items = new ArrayList<>(List.of("a", "b", "c", "d", "e"));
        Pages.Page<String> first = Pages.page(items, KEY, 2, "", "state=ANY");
        assertEquals(List.of("a", "b"), first.items());
        items.add(0, "0"); // sorts before the cursor: not shown, nothing shifts
        items.add("f");
        Pages.Page<String> second = Pages.page(items, KEY, 2, first.nextToken(), "state=ANY");
        assertEquals(List.of("c", "d"), second.items());
        Pages.Page<String> last = Pages.page(items, KEY, 2, second.nextToken(), "state=ANY");
        assertEquals(List.of("e", "f"), last.items());
        assertEquals("", last.nextToken(), "no token after the last page");
    }

    @Test
    void sizesAreDefaultedAndCapped() {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            many.add(String.format("%05d", i));
        }
        assertEquals(
                Pages.DEFAULT_SIZE, Pages.page(many, KEY, 0, "", "").items().size());
        assertEquals(
                Pages.MAX_SIZE, Pages.page(many, KEY, 1_000_000, "", "").items().size());
        assertEquals(List.of(), Pages.page(List.<String>of(), KEY, 0, "", "").items());
    }

    @Test
    void badRequestsNameTheirField() {
        assertEquals(
                "page_size",
                assertThrows(InvalidSpecException.class, () -> Pages.page(List.of("a"), KEY, -1, "", ""))
                        .fieldViolations()
                        .get(0)
                        .field());
        String token =
                Pages.page(List.of("a", "b"), KEY, 1, "", "state=RUNNING").nextToken();
        InvalidSpecException other = assertThrows(
                InvalidSpecException.class, () -> Pages.page(List.of("a", "b"), KEY, 1, token, "state=FAILED"));
        assertEquals("page_token was made for other filters; repeat them unchanged", other.getMessage());
        assertEquals(
                "page_token is not a token this service made",
                assertThrows(InvalidSpecException.class, () -> Pages.page(List.of("a"), KEY, 1, "!!", ""))
                        .getMessage());
    }
}
