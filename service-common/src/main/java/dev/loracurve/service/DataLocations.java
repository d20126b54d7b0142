package dev.loracurve.service;

import dev.loracurve.service.store.RemoteTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where the model and data URIs of a spec may point, and how they are read: the roots an operator
 * configures ({@code LORACURVE_DATA_ROOTS}, folders and {@code s3://bucket/prefix} entries separated
 * by ':'), nothing else. A local path is read in place; an s3:// one through the bounded local cache.
 * A URI outside the roots is refused without saying whether it exists, so that a spec cannot read,
 * or learn about, files of the machine a service runs on.
 */
public final class DataLocations {
    private final List<Path> folders;
    private final List<String> prefixes;
    private final Supplier<RemoteTrees> remote;
    private RemoteTrees trees;

    /**
     * @param roots  folders and s3://bucket/prefix entries
     * @param remote opens the reader of s3:// URIs when one is first needed
     */
    public DataLocations(List<String> roots, Supplier<RemoteTrees> remote) {
        List<Path> f = new ArrayList<>();
        List<String> p = new ArrayList<>();
        for (String r : roots) {
            if (r.isBlank()) {
                continue;
            }
            if (r.startsWith("s3://")) {
                p.add(r.endsWith("/") ? r : r + "/");
            } else {
                f.add(real(r.startsWith("file:") ? Path.of(URI.create(r)) : Path.of(r)));
            }
        }
        this.folders = List.copyOf(f);
        this.prefixes = List.copyOf(p);
        this.remote = remote;
    }

    /** The roots of a {@code LORACURVE_DATA_ROOTS} value: entries separated by ':' (the one in "s3://" excepted). */
    public static List<String> parseRoots(String setting) {
        return setting == null ? List.of() : List.of(setting.split(":(?!//)"));
    }

    /** The roots, as configured (for messages and logs). */
    public String describe() {
        List<String> all = new ArrayList<>();
        folders.forEach(f -> all.add(f.toString()));
        all.addAll(prefixes);
        return String.join(":", all);
    }

    /** The checked location of a URI: a local path, or an s3://bucket/key (IllegalArgumentException outside the roots). */
    public Location check(String uri) {
        if (uri.startsWith("s3://")) {
            URI u = URI.create(uri);
            String key = u.getPath() == null
                    ? ""
                    : u.getPath().replaceFirst("^/", "").replaceAll("/+$", "");
            String normalized = "s3://" + u.getHost() + "/" + key;
            if (key.isEmpty()
                    || key.contains("/../")
                    || key.startsWith("../")
                    || key.endsWith("/..")
                    || prefixes.stream().noneMatch(p -> (normalized + "/").startsWith(p))) {
                throw outside(uri);
            }
            return new Location(null, u.getHost(), key);
        }
        if (uri.contains("://") && !uri.startsWith("file:")) {
            throw new IllegalArgumentException("'" + uri + "': only paths, file:// and s3:// URIs are supported");
        }
        Path p = (uri.startsWith("file:")
                        ? Path.of(URI.create(uri))
                        : Path.of(uri).toAbsolutePath())
                .normalize();
        Path r = real(p); // a link inside a root may still point outside it
        if (folders.stream().noneMatch(f -> p.startsWith(f) && r.startsWith(f))) {
            throw outside(uri);
        }
        return new Location(p, null, null);
    }

    private IllegalArgumentException outside(String uri) {
        return new IllegalArgumentException("'" + uri + "' is outside the data roots this installation allows");
    }

    /** Whether the URI names an existing file, folder, object or folder of objects (after {@link #check}). */
    public boolean exists(String uri) {
        Location l = check(uri);
        return l.local() != null ? Files.exists(l.local()) : trees().exists(l.bucket(), l.key());
    }

    /** The bytes of {@code child} inside the folder the URI names (config.json of a model), or empty. */
    public Optional<byte[]> read(String uri, String child) {
        Location l = check(uri);
        if (l.local() != null) {
            Path f = l.local().resolve(child);
            try {
                return Files.isRegularFile(f) ? Optional.of(Files.readAllBytes(f)) : Optional.empty();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f, e);
            }
        }
        return trees().read(l.bucket(), l.key() + "/" + child);
    }

    /** A local path holding what the URI names: the path itself, or a copy in the cache. */
    public Path local(String uri) {
        Location l = check(uri);
        return l.local() != null ? l.local() : trees().fetch(l.bucket(), l.key());
    }

    private synchronized RemoteTrees trees() {
        if (trees == null) {
            trees = remote.get();
        }
        return trees;
    }

    private static Path real(Path path) {
        Path p = path.toAbsolutePath().normalize();
        // the real path of the longest part that exists, the rest as written
        Path existing = p;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return p;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(p));
        } catch (IOException e) {
            return p;
        }
    }

    /** A checked location: a local path, or an object (or folder of objects) in a bucket. */
    public record Location(Path local, String bucket, String key) {}
}
