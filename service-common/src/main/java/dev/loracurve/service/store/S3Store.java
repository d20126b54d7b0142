package dev.loracurve.service.store;

import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.store.CheckpointException;
import dev.loracurve.core.store.Sha256;
import dev.loracurve.proto.v1.Artifact;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.logging.Logger;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The store in an S3-compatible bucket under a prefix (AWS, MinIO, Ceph RGW, GCS interoperability),
 * through the AWS SDK for Java v2. A folder artifact is its objects plus {@code .manifest}, written
 * last: the sorted lines "relative/path sha256" of its files, so its sha256 is the folder digest
 * that {@code file://} computes ({@link Sha256#ofTree}) and events carry either way. Without a
 * manifest a folder does not exist for readers; every object is checked against it on read.
 * Jobs work in local folders ({@link LocalCache}) and push their checkpoints here.
 */
public final class S3Store implements Store {
    static final String MANIFEST = Manifest.NAME;
    private static final Logger LOG = Logger.getLogger(S3Store.class.getName());

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final LocalCache cache;

    S3Store(S3Client s3, String bucket, String prefix, LocalCache cache) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.cache = cache;
    }

    /** {@code s3://bucket/prefix}; the client from the SDK's default chains (see {@link #client()}). */
    static S3Store open(String location, LocalCache cache) {
        URI u = URI.create(location);
        String bucket = u.getHost();
        if (bucket == null || bucket.isEmpty()) {
            throw new IllegalArgumentException("store '" + location + "' names no bucket (s3://bucket/prefix)");
        }
        String prefix = u.getPath() == null ? "" : u.getPath().replaceAll("^/+|/+$", "");
        if (!prefix.isEmpty()) {
            Store.checkKey(prefix);
        }
        return new S3Store(client(), bucket, prefix, cache);
    }

    /**
     * An S3 client from the SDK's standard chains: credentials (env, profile, web identity, …),
     * region ({@code AWS_REGION}, else us-east-1 for S3-compatible servers), endpoint
     * ({@code AWS_ENDPOINT_URL}); path-style addressing when an endpoint is set (MinIO, Ceph),
     * unless {@code LORACURVE_S3_PATH_STYLE=false}. Checksums only where the API requires them,
     * which every S3-compatible server accepts.
     */
    static S3Client client() {
        Region region;
        try {
            region = new DefaultAwsRegionProviderChain().getRegion();
        } catch (RuntimeException e) {
            region = Region.US_EAST_1;
        }
        boolean customEndpoint =
                System.getenv("AWS_ENDPOINT_URL") != null || System.getenv("AWS_ENDPOINT_URL_S3") != null;
        String pathStyle = System.getenv("LORACURVE_S3_PATH_STYLE");
        return S3Client.builder()
                .region(region)
                .httpClient(UrlConnectionHttpClient.create())
                .forcePathStyle(pathStyle == null ? customEndpoint : Boolean.parseBoolean(pathStyle))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    private String objectKey(String key) {
        Store.checkKey(key);
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }

    @Override
    public String root() {
        return "s3://" + bucket + "/" + (prefix.isEmpty() ? "" : prefix + "/");
    }

    // ------------------------------------------------------------------ records

    @Override
    public Optional<byte[]> read(String key) {
        return get(objectKey(key));
    }

    private Optional<byte[]> get(String objectKey) {
        try {
            return Optional.of(
                    s3.getObjectAsBytes(b -> b.bucket(bucket).key(objectKey)).asByteArray());
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure("read", objectKey, e);
        }
    }

    @Override
    public void write(String key, byte[] bytes) {
        put(objectKey(key), bytes);
    }

    private void put(String objectKey, byte[] bytes) {
        try {
            s3.putObject(b -> b.bucket(bucket).key(objectKey), RequestBody.fromBytes(bytes));
        } catch (S3Exception e) {
            throw failure("write", objectKey, e);
        }
    }

    @Override
    public boolean createIfAbsent(String key, byte[] bytes) {
        String k = objectKey(key);
        if (exists(key)) {
            return false;
        }
        try {
            // conditional where the server supports it; the records this serves tolerate a race
            s3.putObject(b -> b.bucket(bucket).key(k).ifNoneMatch("*"), RequestBody.fromBytes(bytes));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                return false;
            }
            throw failure("write", k, e);
        }
    }

    @Override
    public boolean exists(String key) {
        return head(objectKey(key));
    }

    private boolean head(String objectKey) {
        try {
            s3.headObject(b -> b.bucket(bucket).key(objectKey));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw failure("check", objectKey, e);
        }
    }

    @Override
    public List<String> children(String key) {
        String p = objectKey(key) + "/";
        List<String> out = new ArrayList<>();
        try {
            for (var page :
                    s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(p).delimiter("/"))) {
                for (CommonPrefix c : page.commonPrefixes()) {
                    out.add(c.prefix().substring(p.length(), c.prefix().length() - 1));
                }
                for (S3Object o : page.contents()) {
                    out.add(o.key().substring(p.length()));
                }
            }
        } catch (S3Exception e) {
            throw failure("list", p, e);
        }
        return out.stream().sorted().toList();
    }

    private List<S3Object> listAll(String objectPrefix) {
        List<S3Object> out = new ArrayList<>();
        try {
            for (var page : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(objectPrefix))) {
                out.addAll(page.contents());
            }
        } catch (S3Exception e) {
            throw failure("list", objectPrefix, e);
        }
        return out;
    }

    @Override
    public void delete(String key) {
        String k = objectKey(key);
        List<ObjectIdentifier> ids = new ArrayList<>();
        ids.add(ObjectIdentifier.builder().key(k).build());
        listAll(k + "/")
                .forEach(o -> ids.add(ObjectIdentifier.builder().key(o.key()).build()));
        try {
            for (int i = 0; i < ids.size(); i += 1000) {
                List<ObjectIdentifier> batch = ids.subList(i, Math.min(ids.size(), i + 1000));
                s3.deleteObjects(b -> b.bucket(bucket)
                        .delete(Delete.builder().objects(batch).quiet(true).build()));
            }
        } catch (S3Exception e) {
            throw failure("delete", k, e);
        }
    }

    // ------------------------------------------------------------------ artifacts

    @Override
    public Artifact publish(String key, Path local) {
        String k = objectKey(key);
        if (!Files.isDirectory(local)) {
            put(k, Manifest.readAll(local));
            return Artifact.newBuilder()
                    .setUri(uri(key))
                    .setSha256(Sha256.of(local))
                    .build();
        }
        // readers see the folder once its manifest is there: take the old one away first, then
        // the files, then the new manifest (a kill in between leaves no visible artifact)
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(k + "/" + MANIFEST));
        } catch (S3Exception e) {
            throw failure("delete", k + "/" + MANIFEST, e);
        }
        List<Manifest.Entry> entries = new ArrayList<>();
        for (Path f : Manifest.files(local)) {
            String rel = local.relativize(f).toString().replace('\\', '/');
            byte[] bytes = Manifest.readAll(f);
            put(k + "/" + rel, bytes);
            entries.add(new Manifest.Entry(rel, Sha256.ofBytes(bytes)));
            Faults.afterUpload(k + "/" + rel);
        }
        byte[] m = new Manifest(entries).bytes();
        put(k + "/" + MANIFEST, m);
        return Artifact.newBuilder()
                .setUri(uri(key))
                .setSha256(Sha256.ofBytes(m))
                .build();
    }

    @Override
    public String uri(String key) {
        return "s3://" + bucket + "/" + objectKey(key);
    }

    /** The key of a URI in this store; IllegalArgumentException for any other bucket or prefix. */
    @Override
    public String keyOf(String uri) {
        URI u;
        try {
            u = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + uri + "' is not a URI: " + e.getMessage());
        }
        String path = u.getPath() == null ? "" : u.getPath().replaceFirst("^/", "");
        String root = prefix.isEmpty() ? "" : prefix + "/";
        if (!"s3".equals(u.getScheme()) || !bucket.equals(u.getHost()) || !path.startsWith(root)) {
            throw new IllegalArgumentException("'" + uri + "' leaves the store root " + root());
        }
        return Store.checkKey(path.substring(root.length()));
    }

    @Override
    public Path fetch(String uri, String sha256) {
        String key = keyOf(uri);
        String name = key.substring(key.lastIndexOf('/') + 1);
        Path entry = cache.entry(
                sha256.matches("[0-9a-f]{64}") ? sha256 : Sha256.ofBytes(sha256.getBytes(StandardCharsets.UTF_8)));
        if (!Files.exists(entry)) {
            download(uri, objectKey(key), sha256, entry, name);
        }
        return cache.touch(entry.getFileName().toString()).resolve(name);
    }

    private void download(String uri, String k, String sha256, Path entry, String name) {
        Optional<byte[]> manifest = get(k + "/" + MANIFEST);
        if (manifest.isPresent()) {
            Manifest.checkDigest(uri, Sha256.ofBytes(manifest.get()), sha256);
            AtomicFiles.writeDirectory(entry, tmp -> fill(tmp.resolve(name), k, uri, manifest.get()));
            return;
        }
        Optional<byte[]> file = get(k);
        if (file.isEmpty()) {
            throw new CheckpointException(null, null, "artifact " + uri + " is not in the store");
        }
        Manifest.checkDigest(uri, Sha256.ofBytes(file.get()), sha256);
        AtomicFiles.writeDirectory(entry, tmp -> Files.write(tmp.resolve(name), file.get()));
    }

    /** Downloads the files a manifest lists into {@code dir}, each checked against its line. */
    private void fill(Path dir, String k, String uri, byte[] manifest) throws IOException {
        for (Manifest.Entry e : Manifest.parse(manifest).entries()) {
            byte[] bytes = get(k + "/" + e.path())
                    .orElseThrow(() -> new CheckpointException(null, null, uri + ": " + e.path() + " is missing"));
            Manifest.checkDigest(uri + "/" + e.path(), Sha256.ofBytes(bytes), e.sha256());
            Path to = dir.resolve(e.path());
            Files.createDirectories(to.getParent());
            Files.write(to, bytes);
        }
    }

    // ------------------------------------------------------------------ work folders

    @Override
    public Path workDir(String key, Predicate<String> wanted) {
        Path local = cache.work(key);
        try {
            Files.createDirectories(local);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + local, e);
        }
        for (String child : children(key)) {
            if (!wanted.test(child) || Files.exists(local.resolve(child))) {
                continue; // a newer local copy (this node's earlier attempt) wins
            }
            String k = objectKey(key + "/" + child);
            Optional<byte[]> manifest = get(k + "/" + MANIFEST);
            if (manifest.isEmpty()) {
                LOG.info("resuming without " + uri(key + "/" + child) + ": it has no manifest (an interrupted upload)");
                continue;
            }
            AtomicFiles.writeDirectory(
                    local.resolve(child), tmp -> fill(tmp, k, uri(key + "/" + child), manifest.get()));
        }
        return local;
    }

    @Override
    public void push(String key, Path workDir, String child) {
        publish(key + "/" + child, workDir.resolve(child));
    }

    @Override
    public void release(String key) {
        try {
            AtomicFiles.deleteTree(cache.work(key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An S3 error as an exception that names the operation and the object. */
    private RuntimeException failure(String op, String objectKey, S3Exception e) {
        return new StoreException(
                "cannot " + op + " s3://" + bucket + "/" + objectKey + ": "
                        + e.awsErrorDetails().errorMessage() + " (HTTP " + e.statusCode() + ")",
                e,
                e.statusCode() >= 500 || e.statusCode() == 429);
    }

    @Override
    public void close() {
        s3.close();
    }
}
