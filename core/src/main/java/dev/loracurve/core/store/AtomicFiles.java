package dev.loracurve.core.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Atomic writes: a temporary file (or folder) next to the target, fsync, then rename. A reader
 * never sees a half-written artifact, and a crash leaves at most a temporary that is ignored.
 */
public final class AtomicFiles {
    /** Prefix of temporaries: readers skip names that start with it. */
    public static final String TEMP_PREFIX = ".tmp-";

    private AtomicFiles() {}

    /** Writes the buffers to {@code target} atomically. */
    public static void write(Path target, ByteBuffer... buffers) {
        Path dir = target.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, TEMP_PREFIX + target.getFileName(), "");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                for (ByteBuffer b : buffers) {
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
                ch.force(true);
            }
            publishable(tmp, false);
            move(tmp, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + why(e), e);
        }
    }

    /** Why a write failed, in words a person acts on: "permission denied", "No space left on device". */
    static String why(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        if (e instanceof FileSystemException) {
            return e.getClass()
                    .getSimpleName()
                    .replace("Exception", "")
                    .replaceAll("([a-z])([A-Z])", "$1 $2")
                    .toLowerCase();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    public static void writeString(Path target, String text) {
        write(target, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Fills a temporary folder through {@code filler}, then renames it to {@code target},
     * replacing an older folder of that name. Used for adapters and checkpoints: several files
     * that must appear together or not at all.
     */
    public static void writeDirectory(Path target, DirectoryFiller filler) {
        Path abs = target.toAbsolutePath();
        try {
            Files.createDirectories(abs.getParent());
            Path tmp = Files.createTempDirectory(abs.getParent(), TEMP_PREFIX + abs.getFileName());
            try {
                publishable(tmp, true);
                filler.fill(tmp);
                if (Files.exists(abs)) {
                    Path old = Files.createTempDirectory(abs.getParent(), TEMP_PREFIX + "old-");
                    Files.delete(old);
                    Files.move(abs, old, StandardCopyOption.ATOMIC_MOVE);
                    move(tmp, abs);
                    deleteTree(old);
                } else {
                    move(tmp, abs);
                }
            } catch (IOException | RuntimeException e) {
                deleteTree(tmp);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + why(e), e);
        }
    }

    /** Copies a file or a folder to {@code target} atomically (a folder appears with all its files or not at all). */
    public static void writeDirectoryOrFile(Path target, Path source) {
        if (!Files.isDirectory(source)) {
            try {
                write(target, ByteBuffer.wrap(Files.readAllBytes(source)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + source, e);
            }
            return;
        }
        writeDirectory(target, tmp -> {
            try (Stream<Path> files = Files.walk(source)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Path to = tmp.resolve(source.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(f, to);
                    }
                }
            }
        });
    }

    /** Writes the files of one folder; paths are relative to the folder it is given. */
    @FunctionalInterface
    public interface DirectoryFiller {
        void fill(Path dir) throws IOException;
    }

    /** Temporaries are created private (0600 / 0700); the published artifact gets the usual modes. */
    private static void publishable(Path p, boolean directory) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(directory ? "rwxr-xr-x" : "rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep its defaults
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
