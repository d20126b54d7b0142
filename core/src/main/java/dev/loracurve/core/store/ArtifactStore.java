package dev.loracurve.core.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The checkpoint store: artifacts (files or folders) under one root, addressed by {@code file://}
 * URIs. Writers publish atomically ({@link AtomicFiles}); readers go through {@link #verified},
 * which checks the sha256 the event carried. A URI that leaves the root is refused, so a crafted
 * event cannot make a service read or write elsewhere. Object stores would be another scheme here.
 */
public final class ArtifactStore {
    private final Path root;

    public ArtifactStore(Path root) {
        try {
            Files.createDirectories(root);
            this.root = root.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the store at " + root, e);
        }
    }

    public Path root() {
        return root;
    }

    /** The folder of one experiment's artifacts. */
    public Path experiment(String experimentId) {
        if (!experimentId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new IllegalArgumentException("experiment id '" + experimentId + "' is not a plain name");
        }
        return root.resolve("experiments").resolve(experimentId);
    }

    public String uri(Path path) {
        return inside(path.toAbsolutePath().normalize(), path.toString())
                .toUri()
                .toString();
    }

    /** The path of a {@code file://} URI inside the root. */
    public Path resolve(String uri) {
        URI u;
        try {
            u = new URI(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + uri + "' is not a URI: " + e.getMessage());
        }
        if (!"file".equals(u.getScheme())) {
            throw new IllegalArgumentException("'" + uri + "': the store serves file:// URIs only");
        }
        Path p = Path.of(u).normalize();
        Path real = p;
        try {
            if (Files.exists(p)) {
                real = p.toRealPath(); // a symbolic link inside the root may still point outside
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        inside(real, uri);
        return inside(p, uri);
    }

    /** The artifact's path after checking that it exists and its sha256 is {@code sha256}. */
    public Path verified(String uri, String sha256) {
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

    private Path inside(Path p, String what) {
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("'" + what + "' leaves the store root " + root);
        }
        return p;
    }
}
