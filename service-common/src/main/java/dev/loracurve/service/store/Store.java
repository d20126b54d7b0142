package dev.loracurve.service.store;

import dev.loracurve.proto.v1.Artifact;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The store every service shares: small records (markers, experiment records) and artifacts
 * (folders or files) under one root, addressed by keys such as {@code experiments/exp-1/optima}.
 * Two schemes, the same guarantees: {@code file://} (a shared volume) and {@code s3://bucket/prefix}
 * (any S3-compatible server). A reader never sees a half-written artifact (a folder is its files
 * plus a manifest written last, or an atomic rename), every artifact read is checked against the
 * sha256 its event carried, and a URI outside the store is refused.
 */
public interface Store extends AutoCloseable {

    /**
     * The store at {@code location}: a folder or {@code file://} URI, or {@code s3://bucket/prefix}
     * (endpoint, region and credentials from the AWS SDK's standard chain: AWS_ENDPOINT_URL,
     * AWS_REGION, environment, profile, web identity). {@code cache} is the local folder where
     * artifacts read from a remote store are kept, at most {@code cacheBytes} of them.
     */
    static Store open(String location, Path cache, long cacheBytes) {
        if (location.startsWith("s3://")) {
            return S3Store.open(location, new LocalCache(cache, cacheBytes));
        }
        return new FileStore(location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location));
    }

    /** The store's root as a URI: {@code file:///…/} or {@code s3://bucket/prefix/}. */
    String root();

    // ------------------------------------------------------------------ records

    /** A record's bytes, or empty when there is none. */
    Optional<byte[]> read(String key);

    /** Writes a record whole (readers see the old bytes or the new ones). */
    void write(String key, byte[] bytes);

    /** Writes a record unless one exists; false when it did. */
    boolean createIfAbsent(String key, byte[] bytes);

    boolean exists(String key);

    /** The names one level below {@code prefix}, sorted. */
    List<String> children(String prefix);

    /** Deletes everything under {@code key}. */
    void delete(String key);

    // ------------------------------------------------------------------ artifacts

    /** Publishes a local file or folder as the artifact at {@code key}; returns its URI and sha256. */
    Artifact publish(String key, Path local);

    /** The URI of {@code key}. */
    String uri(String key);

    /** The key of a URI of this store; IllegalArgumentException for a URI outside it (checked before anything is written). */
    String keyOf(String uri);

    /**
     * A local path holding the artifact at {@code uri}, after checking that it exists and that its
     * sha256 is {@code sha256} (a {@link dev.loracurve.core.store.CheckpointException} otherwise);
     * IllegalArgumentException when the URI is not in this store.
     */
    Path fetch(String uri, String sha256);

    // ------------------------------------------------------------------ work folders

    /**
     * The local folder where a job writes what belongs under {@code key}, holding the children of
     * {@code key} that {@code wanted} accepts and that were published completely (a resumed job
     * finds its finished outputs and checkpoints there). For {@code file://} it is the store itself.
     */
    Path workDir(String key, Predicate<String> wanted);

    /** Publishes a child the job wrote in its work folder (a checkpoint) so that another node can resume from it. */
    void push(String key, Path workDir, String child);

    /** Frees what {@link #workDir} took locally for {@code key} (nothing for {@code file://}). */
    void release(String key);

    @Override
    void close();

    /** A key: relative, '/'-separated, no empty, '.' or '..' segments. */
    static String checkKey(String key) {
        if (key.isEmpty() || key.startsWith("/") || key.endsWith("/")) {
            throw new IllegalArgumentException("store key '" + key + "' is not relative");
        }
        for (String part : key.split("/")) {
            if (part.isEmpty() || part.equals(".") || part.equals("..") || part.contains("\\")) {
                throw new IllegalArgumentException("store key '" + key + "' leaves its folder");
            }
        }
        return key;
    }
}
