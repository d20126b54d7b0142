package dev.loracurve.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint store: URIs inside its root only, and every read checked against its sha256. */
class ArtifactStoreTest {
    @TempDir
    Path dir;

    @Test
    void urisOutsideTheRootAreRefused() throws Exception {
        ArtifactStore store = new ArtifactStore(dir.resolve("store"));
        Path a = store.experiment("exp-1").resolve("optima");
        Files.createDirectories(a);
        assertEquals(a, store.resolve(store.uri(a)));
        Files.writeString(dir.resolve("secret"), "x");
        for (String uri : new String[] {
            dir.resolve("secret").toUri().toString(),
            store.root().toUri() + "experiments/../../secret",
            "http://example.org/a",
            "s3://bucket/a"
        }) {
            assertThrows(IllegalArgumentException.class, () -> store.resolve(uri), uri);
        }
        Files.createSymbolicLink(store.root().resolve("link"), dir); // inside by name, outside in fact
        assertThrows(
                IllegalArgumentException.class,
                () -> store.resolve(
                        store.root().resolve("link").resolve("secret").toUri().toString()));
        assertThrows(IllegalArgumentException.class, () -> store.experiment("../x"));
    }

    @Test
    void readsAreCheckedAgainstTheirSha256() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        Path folder = dir.resolve("run-0");
        Files.createDirectories(folder.resolve("sub"));
        Files.writeString(folder.resolve("a.json"), "{}");
        Files.writeString(folder.resolve("sub/b.bin"), "bytes");
        String sha = Sha256.ofTree(folder);
        assertEquals(
                Sha256.ofBytes("a.json 44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\nsub/b.bin "
                        .concat(Sha256.ofBytes("bytes".getBytes()))
                        .concat("\n")
                        .getBytes()),
                sha,
                "the documented folder digest");
        assertEquals(folder, store.verified(store.uri(folder), sha));
        Files.writeString(folder.resolve("sub/b.bin"), "bytez");
        CheckpointException e = assertThrows(CheckpointException.class, () -> store.verified(store.uri(folder), sha));
        assertTrue(e.getMessage().contains("differs"), e.getMessage());
        assertNotEquals(sha, Sha256.ofTree(folder));
        assertThrows(CheckpointException.class, () -> store.verified(store.uri(dir.resolve("missing")), sha));
    }
}
