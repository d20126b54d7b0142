package dev.loracurve.service.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loracurve.core.store.CheckpointException;
import dev.loracurve.core.store.Sha256;
import dev.loracurve.proto.v1.Artifact;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file:// store: URIs inside its root only, and every read checked against its sha256. */
class FileStoreTest {
    @TempDir
    Path dir;

    @Test
    void urisAndKeysOutsideTheRootAreRefused() throws Exception {
        FileStore store = new FileStore(dir.resolve("store"));
        Path a = store.workDir("experiments/exp-1/optima", c -> true);
        Files.writeString(a.resolve("x"), "x");
        assertEquals(a.resolve("x"), store.fetch(store.uri("experiments/exp-1/optima/x"), Sha256.of(a.resolve("x"))));
        assertEquals("experiments/exp-1/optima/x", store.keyOf(store.uri("experiments/exp-1/optima/x")));
        Files.writeString(dir.resolve("secret"), "x");
        for (String uri : new String[] {
            dir.resolve("secret").toUri().toString(),
            store.root() + "experiments/../../secret",
            "http://example.org/a",
            "s3://bucket/a"
        }) {
            assertThrows(IllegalArgumentException.class, () -> store.fetch(uri, Sha256.of(dir.resolve("secret"))), uri);
        }
        Files.createSymbolicLink(store.rootPath().resolve("link"), dir); // inside by name, outside in fact
        assertThrows(
                IllegalArgumentException.class,
                () -> store.fetch(
                        store.rootPath()
                                .resolve("link")
                                .resolve("secret")
                                .toUri()
                                .toString(),
                        "x"));
        for (String key : new String[] {"../x", "a/../../x", "/etc/passwd", "a//b", ""}) {
            assertThrows(IllegalArgumentException.class, () -> store.read(key), key);
        }
    }

    @Test
    void readsAreCheckedAgainstTheirSha256() throws Exception {
        FileStore store = new FileStore(dir.resolve("store"));
        Path folder = dir.resolve("run-0");
        Files.createDirectories(folder.resolve("sub"));
        Files.writeString(folder.resolve("a.json"), "{}");
        Files.writeString(folder.resolve("sub/b.bin"), "bytes");
        String sha = Sha256.ofTree(folder);
        assertEquals(
                Sha256.ofBytes("a.json 44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\\nsub/b.bin "
                        .replace("\\n", "\n")
                        .concat(Sha256.ofBytes("bytes".getBytes()))
                        .concat("\n")
                        .getBytes()),
                sha,
                "the documented folder digest");
        Artifact published = store.publish("experiments/e/optima/run-0", folder);
        assertEquals(sha, published.getSha256(), "publishing copies the folder whole");
        Path back = store.fetch(published.getUri(), sha);
        Files.writeString(back.resolve("sub/b.bin"), "bytez");
        CheckpointException e = assertThrows(CheckpointException.class, () -> store.fetch(published.getUri(), sha));
        assertTrue(e.getMessage().contains("differs"), e.getMessage());
        assertNotEquals(sha, Sha256.ofTree(back));
    }

    @Test
    void recordsAreWrittenWholeAndCreatedOnce() {
        FileStore store = new FileStore(dir);
        assertTrue(store.read("a/b").isEmpty());
        store.write("a/b", new byte[] {1});
        assertEquals(1, store.read("a/b").orElseThrow()[0]);
        assertTrue(store.createIfAbsent("a/c", new byte[0]));
        assertTrue(!store.createIfAbsent("a/c", new byte[0]));
        assertEquals(List.of("b", "c"), store.children("a"));
        store.delete("a");
        assertTrue(!store.exists("a/b"));
    }

    /** Concurrent creators of one record: one wins, and no reader ever sees it empty or half-written. */
    @Test
    void aRecordCreatedConcurrentlyIsNeverSeenHalfWritten() throws Exception {
        Store store = new FileStore(dir.resolve("race"));
        byte[] big = new byte[256 * 1024]; // large enough that a write is not one syscall's worth
        for (int round = 0; round < 20; round++) {
            String key = "requests/r" + round;
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<Boolean>> creators = new ArrayList<>();
                List<Future<Boolean>> readers = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    byte[] mine = big.clone();
                    mine[0] = (byte) t;
                    creators.add(pool.submit(() -> store.createIfAbsent(key, mine)));
                    readers.add(pool.submit(() -> {
                        for (int i = 0; i < 2000; i++) {
                            Optional<byte[]> seen = store.read(key);
                            if (seen.isPresent() && seen.get().length != big.length) {
                                return false;
                            }
                        }
                        return true;
                    }));
                }
                int winners = 0;
                for (Future<Boolean> c : creators) {
                    winners += c.get() ? 1 : 0;
                }
                assertEquals(1, winners, "round " + round);
                for (Future<Boolean> r : readers) {
                    assertTrue(r.get(), "a reader saw the record half-written in round " + round);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        try (var left = Files.list(dir.resolve("race").resolve("requests"))) {
            assertEquals(20, left.count(), "no temporary files left");
        }
    }
}
