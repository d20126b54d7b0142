package dev.loracurve.service;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * Cursor paging of a list call: the token is opaque to clients (base64url of the filters it was
 * made for and the key of the last item sent), so a page never repeats or skips an item that was
 * there before the first page, whatever is added meanwhile.
 */
public final class Pages {
    private Pages() {}

    public static final int DEFAULT_SIZE = 100;
    public static final int MAX_SIZE = 1000;

    /** One page of {@code items} and the token of the next one (empty after the last). */
    public record Page<T>(List<T> items, String nextToken) {}

    /**
     * The page of {@code ordered} (sorted by {@code key}, keys unique and increasing) after the
     * token's key; {@code filters} names the request's filters, which must be those of the token.
     */
    public static <T> Page<T> page(
            List<T> ordered, Function<T, String> key, int pageSize, String pageToken, String filters) {
        if (pageSize < 0) {
            throw new InvalidSpecException("page_size", "must be >= 0, got " + pageSize);
        }
        int size = pageSize == 0 ? DEFAULT_SIZE : Math.min(pageSize, MAX_SIZE);
        String after = pageToken.isEmpty() ? null : cursor(pageToken, filters);
        int from = 0;
        if (after != null) {
            while (from < ordered.size() && key.apply(ordered.get(from)).compareTo(after) <= 0) {
                from++;
            }
        }
        int to = Math.min(ordered.size(), from + size);
        List<T> items = List.copyOf(ordered.subList(from, to));
        String next = to < ordered.size() ? token(filters, key.apply(items.get(items.size() - 1))) : "";
        return new Page<>(items, next);
    }

    /** The key of a list ordered oldest first: creation time, then id (unique, increasing as a string). */
    public static String byAge(long createdMs, String id) {
        return String.format("%013d/%s", createdMs, id);
    }

    static String token(String filters, String lastKey) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((filters + "\n" + lastKey).getBytes(StandardCharsets.UTF_8));
    }

    private static String cursor(String token, String filters) {
        String decoded;
        try {
            decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("page_token", "is not a token this service made");
        }
        int newline = decoded.indexOf('\n');
        if (newline < 0) {
            throw new InvalidSpecException("page_token", "is not a token this service made");
        }
        if (!decoded.substring(0, newline).equals(filters)) {
            throw new InvalidSpecException("page_token", "was made for other filters; repeat them unchanged");
        }
        return decoded.substring(newline + 1);
    }
}
