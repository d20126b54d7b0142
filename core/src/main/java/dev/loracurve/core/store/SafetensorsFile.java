package dev.loracurve.core.store;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A safetensors file read through memory maps: an 8-byte little-endian header length, a JSON
 * header, then the data section. The whole header is validated when the file is opened, so a
 * corrupt file fails there with a precise message and never reaches native code. Tensors are
 * mapped one window at a time (at most 1 GiB), so files and tensors above 2 GiB read fine.
 */
public final class SafetensorsFile implements AutoCloseable {
    public static final long MAX_HEADER_BYTES = 100L * 1000 * 1000;
    private static final long WINDOW_BYTES = 1L << 30;
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(
            Path path,
            FileChannel channel,
            long dataStart,
            Map<String, TensorInfo> tensors,
            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException(path, null, "cannot open: " + e.getMessage(), e);
        }
        try {
            long size = ch.size();
            if (size < 8) {
                throw new CheckpointException(
                        path, null, "truncated: " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > size - 8) {
                throw new CheckpointException(
                        path,
                        null,
                        "header length " + Long.toUnsignedString(headerLen) + " runs beyond the end of the file ("
                                + size + " bytes): truncated or not safetensors");
            }
            if (headerLen > MAX_HEADER_BYTES) {
                throw new CheckpointException(path, null, "header length " + headerLen + " is above the 100 MB limit");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            long dataStart = 8 + headerLen;
            long dataBytes = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(path, header.array(), dataBytes, metadata);
            return new SafetensorsFile(path, ch, dataStart, tensors, metadata);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new CheckpointException(path, null, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static Map<String, TensorInfo> parseHeader(
            Path path, byte[] header, long dataBytes, Map<String, String> metadata) {
        JsonNode root;
        try {
            root = JSON.readTree(new String(header, StandardCharsets.UTF_8).trim());
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage();
            if (why != null && why.startsWith("Duplicate field")) {
                // the parser names the tensor and nothing else of the file
                throw new CheckpointException(path, null, "duplicate tensor name in header: " + why);
            }
            throw new CheckpointException(path, null, "malformed header JSON: " + JsonFiles.describe(e));
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(path, null, "malformed header JSON: not an object");
        }
        Map<String, TensorInfo> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                v.fields()
                        .forEachRemaining(
                                m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            out.put(name, parseEntry(path, name, v, dataBytes));
        }
        checkOverlaps(path, out.values());
        return Collections.unmodifiableMap(out);
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode v, long dataBytes) {
        if (!v.isObject()
                || !v.path("dtype").isTextual()
                || !v.path("shape").isArray()
                || !v.path("data_offsets").isArray()
                || v.path("data_offsets").size() != 2) {
            throw new CheckpointException(
                    path,
                    name,
                    "malformed header entry: needs dtype (string), shape (array), data_offsets ([begin, end])");
        }
        DType dtype = DType.parse(v.get("dtype").asText());
        if (dtype == null) {
            throw new CheckpointException(
                    path, name, "unknown dtype '" + v.get("dtype").asText() + "'");
        }
        long[] shape = new long[v.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = v.get("shape").get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw new CheckpointException(path, name, "shape " + v.get("shape") + " has a bad dimension");
            }
            shape[i] = d.asLong();
        }
        JsonNode o = v.get("data_offsets");
        if (!o.get(0).isIntegralNumber()
                || !o.get(1).isIntegralNumber()
                || !o.get(0).canConvertToLong()
                || !o.get(1).canConvertToLong()) {
            throw new CheckpointException(path, name, "data_offsets " + o + " are not integers");
        }
        long begin = o.get(0).asLong();
        long end = o.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw new CheckpointException(path, name, "data_offsets " + o + " are not an ordered range");
        }
        if (end > dataBytes) {
            throw new CheckpointException(
                    path,
                    name,
                    "data_offsets " + o + " run past the end of the data section (" + dataBytes
                            + " bytes): the file is truncated or the offsets are wrong");
        }
        TensorInfo info = new TensorInfo(name, dtype, shape, begin, end);
        long expected;
        try {
            expected = Math.multiplyExact(info.elementCount(), dtype.bytes);
        } catch (ArithmeticException e) {
            throw new CheckpointException(path, name, "shape " + info.shapeString() + " overflows");
        }
        if (expected != end - begin) {
            throw new CheckpointException(
                    path,
                    name,
                    "shape " + info.shapeString() + " of " + dtype + " needs " + expected + " bytes but data_offsets "
                            + o + " span " + (end - begin));
        }
        return info;
    }

    private static void checkOverlaps(Path path, Collection<TensorInfo> infos) {
        List<TensorInfo> sorted = new ArrayList<>(infos);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo prev = sorted.get(i - 1);
            TensorInfo cur = sorted.get(i);
            if (cur.begin() < prev.end() && cur.end() > cur.begin()) {
                throw new CheckpointException(
                        path,
                        cur.name(),
                        "data_offsets [" + cur.begin() + ", " + cur.end() + "] overlap those of '" + prev.name() + "' ["
                                + prev.begin() + ", " + prev.end() + "]");
            }
        }
    }

    public Path path() {
        return path;
    }

    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException(path, name, "no such tensor in this file");
        }
        return t;
    }

    /**
     * Hands a tensor's raw little-endian bytes, memory-mapped (no copy on the Java heap), to
     * {@code reader}, and unmaps them when it returns: the reader must not keep the buffer. For
     * loaders that copy the bytes into native memory. Null where they exceed one mapping (2 GiB).
     */
    public <T> T withMappedBytes(String name, Function<ByteBuffer, T> reader) {
        TensorInfo t = info(name);
        long bytes = t.end() - t.begin();
        if (bytes > Integer.MAX_VALUE) {
            return null;
        }
        MappedByteBuffer map;
        try {
            map = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), bytes);
        } catch (IOException e) {
            throw new CheckpointException(path, name, "cannot read: " + e.getMessage(), e);
        }
        try {
            return reader.apply(map.order(ByteOrder.LITTLE_ENDIAN));
        } finally {
            DirectBuffers.release(map); // the pages leave this process's resident set now, not at a GC
        }
    }

    /** Reads a floating tensor widened to float, row-major; a NaN or Inf value is a CheckpointException. */
    public float[] readFloats(String name) {
        TensorInfo t = info(name);
        if (!t.dtype().isReadableAsFloat()) {
            throw new CheckpointException(path, name, "dtype " + t.dtype() + " is not a floating type");
        }
        long n = t.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(path, name, n + " elements exceed one Java array");
        }
        float[] out = new float[(int) n];
        long elemsPerWindow = WINDOW_BYTES / t.dtype().bytes;
        try {
            for (long done = 0; done < n; done += elemsPerWindow) {
                int count = (int) Math.min(elemsPerWindow, n - done);
                long offset = dataStart + t.begin() + done * t.dtype().bytes;
                MappedByteBuffer map =
                        channel.map(FileChannel.MapMode.READ_ONLY, offset, (long) count * t.dtype().bytes);
                try {
                    t.dtype().widen(map, out, (int) done, count);
                } finally {
                    DirectBuffers.release(map);
                }
            }
        } catch (IOException e) {
            throw new CheckpointException(path, name, "cannot read: " + e.getMessage(), e);
        } catch (InternalError e) {
            // a memory-mapped page that vanished (file shrunk after open) surfaces as InternalError
            throw new CheckpointException(path, name, "file changed while reading: " + e.getMessage(), e);
        }
        requireFinite(out, name);
        return out;
    }

    /**
     * Refuses a tensor with a NaN or an infinity, naming it: such weights only produce NaN logits,
     * losses and metrics downstream. One pass over the values, far cheaper than the forward passes.
     */
    private void requireFinite(float[] values, String name) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new CheckpointException(
                        path, name, "holds " + values[i] + " (element " + i + "): weights must be finite");
            }
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
