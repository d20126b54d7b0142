package dev.loracurve.service.store;

import dev.loracurve.core.store.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The local copies of what a remote store holds: artifacts by sha256 ({@code entries/<digest>/}),
 * bounded in size (least recently used entries go first), and the jobs' work folders
 * ({@code work/<key>}), which are not counted and are freed when their job ends.
 */
final class LocalCache {
    private static final Logger LOG = Logger.getLogger(LocalCache.class.getName());
    private final Path root;
    private final long maxBytes;

    LocalCache(Path root, long maxBytes) {
        this.root = root.toAbsolutePath().normalize();
        this.maxBytes = maxBytes;
    }

    /** The folder of an entry (complete when it exists: entries are written atomically). */
    Path entry(String digest) {
        return root.resolve("entries").resolve(digest);
    }

    /** Marks an entry as used now, then evicts the least recently used others while over the bound. */
    synchronized Path touch(String digest) {
        Path e = entry(digest);
        try {
            Files.setLastModifiedTime(e, FileTime.fromMillis(System.currentTimeMillis()));
            evict(e);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot use the cache entry " + e, ex);
        }
        return e;
    }

    Path work(String key) {
        return root.resolve("work").resolve(Store.checkKey(key));
    }

    private void evict(Path keep) throws IOException {
        Path entries = root.resolve("entries");
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.list(entries)) {
            s.filter(p -> !p.getFileName().toString().startsWith(AtomicFiles.TEMP_PREFIX))
                    .forEach(all::add);
        }
        long total = 0;
        for (Path p : all) {
            total += size(p);
        }
        all.sort(Comparator.comparing(LocalCache::modified));
        for (Path p : all) {
            if (total <= maxBytes) {
                break;
            }
            if (!p.equals(keep)) {
                long size = size(p);
                AtomicFiles.deleteTree(p);
                total -= size;
                LOG.info("cache: evicted " + p.getFileName() + " (" + size + " bytes) to stay under " + maxBytes);
            }
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static long size(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }
}
