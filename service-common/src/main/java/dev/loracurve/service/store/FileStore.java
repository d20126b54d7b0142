package dev.loracurve.service.store;

import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.store.CheckpointException;
import dev.loracurve.core.store.Sha256;
import dev.loracurve.proto.v1.Artifact;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The store in a folder (a local disk or a shared volume). Writes are atomic (temporary, fsync,
 * rename); jobs write straight into it, so their work folders are the store itself.
 */
public final class FileStore implements Store {
    private final Path root;

    public FileStore(Path root) {
        try {
            Files.createDirectories(root);
            this.root = root.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the store at " + root, e);
        }
    }

    public Path rootPath() {
        return root;
    }

    @Override
    public String root() {
        return root.toUri().toString();
    }

    /** The path of a key, inside the root. */
    public Path path(String key) {
        return root.resolve(Store.checkKey(key));
    }

    @Override
    public Optional<byte[]> read(String key) {
        Path p = path(key);
        try {
            return Files.isRegularFile(p) ? Optional.of(Files.readAllBytes(p)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }

    @Override
    public void write(String key, byte[] bytes) {
        AtomicFiles.write(path(key), ByteBuffer.wrap(bytes));
    }

    @Override
    public boolean createIfAbsent(String key, byte[] bytes) {
        Path p = path(key);
        try {
            Files.createDirectories(p.getParent());
            // written whole under a temporary name, then hard-linked in: link(2) fails when the
            // record exists, and a reader never sees it half-written (create-then-write let a
            // concurrent reader find it empty)
            Path tmp = Files.createTempFile(p.getParent(), AtomicFiles.TEMP_PREFIX + p.getFileName(), "");
            try {
                Files.write(tmp, bytes);
                Files.createLink(p, tmp);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + p + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean exists(String key) {
        return Files.exists(path(key));
    }

    @Override
    public List<String> children(String prefix) {
        Path dir = path(prefix);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(AtomicFiles.TEMP_PREFIX))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    @Override
    public void delete(String key) {
        try {
            AtomicFiles.deleteTree(path(key));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + key, e);
        }
    }

    @Override
    public Artifact publish(String key, Path local) {
        Path target = path(key);
        if (!local.toAbsolutePath().normalize().equals(target)) {
            AtomicFiles.writeDirectoryOrFile(target, local);
        }
        return Artifact.newBuilder()
                .setUri(uri(key))
                .setSha256(Sha256.ofTree(target))
                .build();
    }

    @Override
    public String uri(String key) {
        return path(key).toUri().toString();
    }

    @Override
    public Path fetch(String uri, String sha256) {
        Path p = resolve(uri);
        if (!Files.exists(p)) {
            throw new CheckpointException(p, null, "artifact " + uri + " is not in the store");
        }
        String actual = Sha256.ofTree(p);
        if (!actual.equals(sha256)) {
            throw new CheckpointException(
                    p,
                    null,
                    "sha256 " + actual + " differs from the announced " + sha256
                            + ": the artifact changed or is corrupt");
        }
        return p;
    }

    @Override
    public String keyOf(String uri) {
        Path p = resolve(uri);
        String key = root.relativize(p).toString().replace('\\', '/');
        return Store.checkKey(key);
    }

    /** The path of a {@code file://} URI inside the root (a symbolic link may not lead outside). */
    Path resolve(String uri) {
        URI u;
        try {
            u = new URI(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + uri + "' is not a URI: " + e.getMessage());
        }
        if (!"file".equals(u.getScheme())) {
            throw new IllegalArgumentException("'" + uri + "': this store serves file:// URIs only");
        }
        Path p = Path.of(u).normalize();
        try {
            inside(Files.exists(p) ? p.toRealPath() : p, uri);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return inside(p, uri);
    }

    private Path inside(Path p, String what) {
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("'" + what + "' leaves the store root " + root);
        }
        return p;
    }

    @Override
    public Path workDir(String key, Predicate<String> wanted) {
        Path dir = path(key);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        return dir;
    }

    @Override
    public void push(String key, Path workDir, String child) {
        // the work folder is the store: the job's atomic write already published it
    }

    @Override
    public void release(String key) {}

    @Override
    public void close() {}
}
