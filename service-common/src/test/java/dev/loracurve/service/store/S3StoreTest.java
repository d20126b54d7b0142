package dev.loracurve.service.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loracurve.core.store.CheckpointException;
import dev.loracurve.core.store.Sha256;
import dev.loracurve.proto.v1.Artifact;
import dev.loracurve.service.DataLocations;
import dev.loracurve.service.testing.S3Server;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The s3:// store against a real S3-compatible server (Adobe S3Mock, started in this JVM). */
class S3StoreTest {
    @TempDir
    static Path dir;

    static S3Server server;
    static S3Client client;

    @BeforeAll
    static void start() {
        server = S3Server.start(dir.resolve("s3mock"), "lc");
        client = server.client();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static S3Store store(String prefix, long cacheBytes) {
        return new S3Store(client, "lc", prefix, new LocalCache(dir.resolve("cache-" + prefix), cacheBytes));
    }

    private static Path folder(String name, String content) throws Exception {
        Path f = dir.resolve("local").resolve(name);
        Files.createDirectories(f.resolve("sub"));
        Files.writeString(f.resolve("a.json"), "{\"x\": \"" + content + "\"}");
        Files.writeString(f.resolve("sub/b.bin"), content);
        return f;
    }

    @Test
    void aFolderArtifactHasTheDigestOfFileStoresAndComesBackChecked() throws Exception {
        S3Store store = store("p1", 1 << 20);
        Path f = folder("run-0", "one");
        Artifact a = store.publish("experiments/e/optima/run-0", f);
        assertEquals(Sha256.ofTree(f), a.getSha256(), "the manifest's sha256 is the file:// folder digest");
        assertEquals("s3://lc/p1/experiments/e/optima/run-0", a.getUri());
        Path back = store.fetch(a.getUri(), a.getSha256());
        assertEquals("run-0", back.getFileName().toString(), "fetched under its own name");
        assertEquals(a.getSha256(), Sha256.ofTree(back));
        assertThrows(CheckpointException.class, () -> store.fetch(a.getUri(), Sha256.ofBytes(new byte[1])));
        for (String outside : List.of(
                "s3://other/p1/experiments/e/optima/run-0", "s3://lc/p2/x", "s3://lc/p1/../x", "file:///etc/passwd")) {
            assertThrows(IllegalArgumentException.class, () -> store.fetch(outside, a.getSha256()), outside);
        }
    }

    @Test
    void aFolderWithoutItsManifestIsNotThereAndACorruptObjectIsRefused() throws Exception {
        S3Store store = store("p2", 1 << 20);
        Path f = folder("run-1", "two");
        Artifact a = store.publish("x/run-1", f);
        // an upload killed before its manifest: the objects are there, the artifact is not
        client.deleteObject(b -> b.bucket("lc").key("p2/x/run-1/.manifest"));
        CheckpointException missing =
                assertThrows(CheckpointException.class, () -> store.fetch(a.getUri(), a.getSha256()));
        assertTrue(missing.getMessage().contains("is not in the store"), missing.getMessage());
        assertFalse(Files.exists(store.workDir("x", c -> true).resolve("run-1")), "a resumed job does not see it");
        Artifact again = store.publish("x/run-1", f);
        client.putObject(b -> b.bucket("lc").key("p2/x/run-1/sub/b.bin"), RequestBody.fromString("TWO"));
        CheckpointException corrupt =
                assertThrows(CheckpointException.class, () -> store.fetch(again.getUri(), again.getSha256()));
        assertTrue(
                corrupt.getMessage().contains("sub/b.bin")
                        && corrupt.getMessage().contains("differs"),
                corrupt.getMessage());
    }

    @Test
    void aWorkFolderHoldsWhatWasPushedAndTheCacheStaysBounded() throws Exception {
        S3Store store = store("p3", 200);
        Path work = store.workDir("experiments/e/optima", c -> true);
        Files.createDirectories(work.resolve("run-0.checkpoint"));
        Files.writeString(work.resolve("run-0.checkpoint/state.json"), "{\"step\": 10}");
        store.push("experiments/e/optima", work, "run-0.checkpoint");
        store.release("experiments/e/optima");
        assertFalse(Files.exists(work), "released");
        Path again = store.workDir("experiments/e/optima", c -> true); // another node
        assertEquals("{\"step\": 10}", Files.readString(again.resolve("run-0.checkpoint/state.json")));
        // records
        assertTrue(store.createIfAbsent("r/a", "1".getBytes(StandardCharsets.UTF_8)));
        assertFalse(store.createIfAbsent("r/a", "2".getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals(
                "1".getBytes(StandardCharsets.UTF_8), store.read("r/a").orElseThrow());
        assertEquals(List.of("a"), store.children("r"));
        // the cache keeps at most 200 bytes of fetched artifacts: the older one goes
        Artifact a1 = store.publish("c/one", folder("one", "x".repeat(120)));
        Artifact a2 = store.publish("c/two", folder("two", "y".repeat(120)));
        Path one = store.fetch(a1.getUri(), a1.getSha256());
        Thread.sleep(20);
        store.fetch(a2.getUri(), a2.getSha256());
        assertFalse(Files.exists(one), "evicted, least recently used");
        assertEquals(
                a1.getSha256(), Sha256.ofTree(store.fetch(a1.getUri(), a1.getSha256())), "fetched again when needed");
    }

    @Test
    void modelsAndDataAreReadFromTheBucketInsideTheDataRootsOnly() throws Exception {
        for (String f : List.of("config.json", "model.safetensors", "sub/tokenizer.json")) {
            client.putObject(b -> b.bucket("lc").key("models/m1/" + f), RequestBody.fromString("content of " + f));
        }
        client.putObject(
                b -> b.bucket("lc").key("data/trec/train.txt"), RequestBody.fromString("NUM:count how many ?"));
        client.putObject(b -> b.bucket("lc").key("secret/key"), RequestBody.fromString("x"));
        RemoteTrees trees = new RemoteTrees(client, new LocalCache(dir.resolve("trees"), 1 << 20));
        DataLocations roots = new DataLocations(List.of("s3://lc/models", "s3://lc/data/trec/train.txt"), () -> trees);
        assertTrue(roots.exists("s3://lc/models/m1"));
        assertFalse(roots.exists("s3://lc/models/m2"));
        assertEquals(
                "content of config.json",
                new String(roots.read("s3://lc/models/m1", "config.json").orElseThrow(), StandardCharsets.UTF_8));
        Path model = roots.local("s3://lc/models/m1");
        assertEquals("m1", model.getFileName().toString());
        assertEquals("content of sub/tokenizer.json", Files.readString(model.resolve("sub/tokenizer.json")));
        assertEquals(model, roots.local("s3://lc/models/m1"), "cached: fetched once");
        assertEquals("NUM:count how many ?", Files.readString(roots.local("s3://lc/data/trec/train.txt")));
        for (String outside :
                List.of("s3://lc/secret/key", "s3://lc/models/../secret/key", "s3://other/models/m1", "/etc/passwd")) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> roots.local(outside), outside);
            assertTrue(e.getMessage().contains("outside the data roots"), e.getMessage());
        }
    }
}
