package dev.loracurve.service.store;

import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.store.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Base models and benchmark files in a bucket (Hugging Face folders, data files) that no manifest
 * describes: fetched into the bounded local cache under a digest of their listing (keys, ETags,
 * sizes), so a changed object is fetched again and an unchanged one is not.
 */
public final class RemoteTrees implements AutoCloseable {
    private final S3Client s3;
    private final LocalCache cache;

    RemoteTrees(S3Client s3, LocalCache cache) {
        this.s3 = s3;
        this.cache = cache;
    }

    /** With the SDK's default chains (see {@link S3Store}), cached under {@code cache}, at most {@code cacheBytes}. */
    public static RemoteTrees open(Path cache, long cacheBytes) {
        return new RemoteTrees(S3Store.client(), new LocalCache(cache, cacheBytes));
    }

    /** Whether {@code key} is an object or a folder of objects. */
    public boolean exists(String bucket, String key) {
        return !list(bucket, key).isEmpty();
    }

    /** The bytes of one object, or empty. */
    public Optional<byte[]> read(String bucket, String key) {
        try {
            return Optional.of(
                    s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw new StoreException(
                    "cannot read s3://" + bucket + "/" + key + ": HTTP " + e.statusCode(), e, e.statusCode() >= 500);
        }
    }

    /** A local copy of the object {@code key}, or of every object under {@code key/}; named as the key's last segment. */
    public Path fetch(String bucket, String key) {
        List<S3Object> objects = list(bucket, key);
        if (objects.isEmpty()) {
            throw new StoreException("s3://" + bucket + "/" + key + " holds no objects", null, false);
        }
        StringBuilder listing = new StringBuilder(bucket).append('\n');
        objects.forEach(o -> listing.append(o.key())
                .append(' ')
                .append(o.eTag())
                .append(' ')
                .append(o.size())
                .append('\n'));
        String digest = Sha256.ofBytes(listing.toString().getBytes(StandardCharsets.UTF_8));
        String name = key.substring(key.lastIndexOf('/') + 1);
        Path entry = cache.entry(digest);
        if (!Files.exists(entry)) {
            AtomicFiles.writeDirectory(entry, tmp -> {
                for (S3Object o : objects) {
                    String rel = o.key().equals(key)
                            ? name
                            : name + "/" + Store.checkKey(o.key().substring(key.length() + 1));
                    Path to = tmp.resolve(rel);
                    Files.createDirectories(to.getParent());
                    byte[] bytes = read(bucket, o.key())
                            .orElseThrow(() ->
                                    new StoreException("s3://" + bucket + "/" + o.key() + " vanished", null, true));
                    if (bytes.length != o.size()) {
                        throw new StoreException(
                                "s3://" + bucket + "/" + o.key() + " changed while it was read", null, true);
                    }
                    Files.write(to, bytes);
                }
            });
        }
        return cache.touch(digest).resolve(name);
    }

    /** The object {@code key} itself, or else the objects under {@code key/}. */
    private List<S3Object> list(String bucket, String key) {
        List<S3Object> out = new ArrayList<>();
        try {
            for (var page : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(key))) {
                for (S3Object o : page.contents()) {
                    if (o.key().equals(key) || o.key().startsWith(key + "/")) {
                        out.add(o);
                    }
                }
            }
        } catch (S3Exception e) {
            throw new StoreException(
                    "cannot list s3://" + bucket + "/" + key + ": HTTP " + e.statusCode(), e, e.statusCode() >= 500);
        }
        return out.stream().anyMatch(o -> o.key().equals(key))
                ? out.stream().filter(o -> o.key().equals(key)).toList()
                : out;
    }

    @Override
    public void close() {
        s3.close();
    }
}
