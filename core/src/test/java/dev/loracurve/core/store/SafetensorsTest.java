package dev.loracurve.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    /** A file with the given header JSON and data bytes. */
    private Path file(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path p = Files.createTempFile(dir, "t", ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    private static byte[] le(int bytesPerElem, long... bitsEach) {
        ByteBuffer b = ByteBuffer.allocate(bytesPerElem * bitsEach.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : bitsEach) {
            switch (bytesPerElem) {
                case 2 -> b.putShort((short) v);
                case 4 -> b.putInt((int) v);
                default -> b.putLong(v);
            }
        }
        return b.array();
    }

    private String error(Path p) {
        CheckpointException e = assertThrows(
                CheckpointException.class, () -> SafetensorsFile.open(p).close());
        assertTrue(e.getMessage().startsWith(p.toString()), "message names the file: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void writeThenReadF32RoundTrips() throws IOException {
        Path p = dir.resolve("a.safetensors");
        float[] x = {1.5f, -2f, 3.25f, 0f, 1e-8f, -7f};
        new SafetensorsWriter()
                .metadata("format", "pt")
                .add("x", new long[] {2, 3}, x)
                .add("y", new long[] {1}, new float[] {9f})
                .write(p);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertArrayEquals(x, f.readFloats("x"));
            assertArrayEquals(new long[] {2, 3}, f.info("x").shape());
            assertArrayEquals(new float[] {9f}, f.readFloats("y"));
            assertEquals("pt", f.metadata().get("format"));
        }
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary left behind");
        }
    }

    /**
     * Reads leave no mapping behind: the pages of a weight file stop counting in the process's
     * memory when the read returns, not at some later GC.
     */
    @Test
    void readsUnmapAtOnce() throws IOException {
        Path maps = Path.of("/proc/self/maps");
        Assumptions.assumeTrue(Files.isReadable(maps), "needs /proc");
        Path p = dir.resolve("mapped-once.safetensors");
        float[] x = {1f, 2f, 3f, 4f};
        new SafetensorsWriter().add("x", new long[] {4}, x).write(p);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            float[] viaMapping = f.withMappedBytes("x", b -> {
                float[] out = new float[4];
                b.asFloatBuffer().get(out);
                try {
                    assertTrue(Files.readString(maps).contains(p.toString()), "mapped while read");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return out;
            });
            assertArrayEquals(x, viaMapping);
            assertArrayEquals(x, f.readFloats("x"));
            assertFalse(Files.readString(maps).contains(p.toString()), "no mapping of the file remains");
        }
    }

    @Test
    void halfPrecisionWidensExactly() throws IOException {
        // BF16: top 16 bits of the F32. 1.0 = 0x3F80, -2.5 = 0xC020, 3.140625 = 0x4049
        Path bf = file(
                "{\"w\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,6]}}", le(2, 0x3F80, 0xC020, 0x4049));
        try (SafetensorsFile f = SafetensorsFile.open(bf)) {
            assertArrayEquals(new float[] {1f, -2.5f, 3.140625f}, f.readFloats("w"));
        }
        // F16: 1.0 = 0x3C00, -2.0 = 0xC000, 65504 = 0x7BFF, smallest subnormal 2^-24 = 0x0001, +inf = 0x7C00
        float[] widened = new float[5];
        DType.F16.widen(ByteBuffer.wrap(le(2, 0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00)), widened, 0, 5);
        assertArrayEquals(new float[] {1f, -2f, 65504f, (float) Math.pow(2, -24), Float.POSITIVE_INFINITY}, widened);
        // a file holding the infinity is refused by tensor (weights must be finite)
        Path h = file(
                "{\"w\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]}}",
                le(2, 0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00));
        try (SafetensorsFile f = SafetensorsFile.open(h)) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> f.readFloats("w"));
            assertTrue(e.getMessage().contains("tensor 'w'") && e.getMessage().contains("Infinity"), e.getMessage());
        }
    }

    @Test
    void truncatedFiles() throws IOException {
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertTrue(error(tiny).contains("truncated"));
        Path good = dir.resolve("good.safetensors");
        new SafetensorsWriter().add("x", new long[] {64}, new float[64]).write(good);
        byte[] all = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(all, all.length - 10));
        String m = error(cut);
        assertTrue(m.contains("tensor 'x'") && m.contains("truncated"), m);
        Path cutHeader = dir.resolve("cuthead.safetensors");
        Files.write(cutHeader, Arrays.copyOf(all, 20));
        assertTrue(error(cutHeader).contains("beyond the end of the file"));
    }

    @Test
    void headerLengthAboveLimit() throws IOException {
        Path p = dir.resolve("big.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.setLength(200_000_000L); // sparse: the length fits the file but breaks the limit
            raf.write(le(8, 150_000_000L));
        }
        assertTrue(error(p).contains("above the 100 MB limit"));
    }

    @Test
    void malformedHeaderJson() throws IOException {
        assertTrue(error(file("{\"x\": {\"dtype\": \"F32\", ", new byte[0])).contains("malformed header JSON"));
        assertTrue(error(file("[1,2]", new byte[0])).contains("malformed header JSON"));
        assertTrue(error(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]))
                .contains("malformed header entry"));
    }

    @Test
    void unknownDtype() throws IOException {
        String m = error(file("{\"x\":{\"dtype\":\"F31\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]));
        assertTrue(m.contains("tensor 'x'") && m.contains("unknown dtype 'F31'"), m);
    }

    @Test
    void shapeDisagreesWithOffsets() throws IOException {
        String m = error(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", new byte[24]));
        assertTrue(m.contains("tensor 'x'") && m.contains("needs 24 bytes") && m.contains("span 20"), m);
    }

    @Test
    void offsetsOutOfRangeOrOverlapping() throws IOException {
        String out = error(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", new byte[12]));
        assertTrue(out.contains("tensor 'x'") && out.contains("run past the end"), out);
        String reversed = error(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", new byte[12]));
        assertTrue(reversed.contains("not an ordered range"), reversed);
        String overlap = error(file(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                new byte[12]));
        assertTrue(overlap.contains("tensor 'b'") && overlap.contains("overlap") && overlap.contains("'a'"), overlap);
    }

    @Test
    void duplicateNames() throws IOException {
        String m = error(file(
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                new byte[8]));
        assertTrue(m.contains("duplicate") && m.contains("'x'"), m);
    }

    @Test
    void filesAboveTwoGibibytesReadThroughWindows() throws IOException {
        // A sparse 2.2 GB file: a padding tensor, then a small tensor whose bytes lie beyond 2^31.
        long pad = (1L << 31) + 4096;
        String header = "{\"pad\":{\"dtype\":\"F32\",\"shape\":[" + pad / 4 + "],\"data_offsets\":[0," + pad + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[" + pad + "," + (pad + 12) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path p = dir.resolve("large.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.write(le(8, h.length));
            raf.write(h);
            raf.seek(8 + h.length + pad);
            ByteBuffer tail = ByteBuffer.allocate(12)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putFloat(1.5f)
                    .putFloat(-2f)
                    .putFloat(42f);
            raf.write(tail.array());
        }
        assertTrue(Files.size(p) > (1L << 31));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertArrayEquals(new float[] {1.5f, -2f, 42f}, f.readFloats("tail"));
        }
    }
}
