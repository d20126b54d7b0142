package dev.loracurve.core.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;

/** sha256 of files: how events and curves name the artifacts they point to. */
public final class Sha256 {
    private Sha256() {}

    /** A file's sha256; a folder's is the sha256 of its sorted "relative/path sha256" lines. */
    public static String ofTree(Path path) {
        if (!Files.isDirectory(path)) {
            return of(path);
        }
        try (Stream<Path> files = Files.walk(path)) {
            StringBuilder lines = new StringBuilder();
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                lines.append(path.relativize(f).toString().replace('\\', '/'))
                        .append(' ')
                        .append(of(f))
                        .append('\n');
            }
            return ofBytes(lines.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash " + path, e);
        }
    }

    public static String ofBytes(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String of(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
