package dev.loracurve.service.testing;

import com.adobe.testing.s3mock.S3MockApplication;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server for tests (Adobe S3Mock, in the test's JVM) with one bucket, and
 * what a client or a service process needs to reach it (the AWS SDK's standard variables).
 */
public final class S3Server implements AutoCloseable {
    private final S3MockApplication app;
    private final String bucket;

    private S3Server(S3MockApplication app, String bucket) {
        this.app = app;
        this.bucket = bucket;
    }

    public static S3Server start(Path dir, String bucket) {
        // S3Mock is a Spring Boot application: keep Spring's logging out of the test's own
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        return new S3Server(
                S3MockApplication.start(new HashMap<>(Map.of(
                        S3MockApplication.PROP_INITIAL_BUCKETS,
                        bucket,
                        S3MockApplication.PROP_HTTP_PORT,
                        S3MockApplication.RANDOM_PORT,
                        S3MockApplication.PROP_HTTPS_PORT,
                        S3MockApplication.RANDOM_PORT,
                        S3MockApplication.PROP_ROOT_DIRECTORY,
                        dir.toString(),
                        S3MockApplication.PROP_SILENT,
                        true))),
                bucket);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + app.getHttpPort();
    }

    public String bucket() {
        return bucket;
    }

    /** The environment of a process that uses this server through the SDK's default chains. */
    public Map<String, String> environment() {
        return Map.of(
                "AWS_ENDPOINT_URL", endpoint(),
                "AWS_REGION", "us-east-1",
                "AWS_ACCESS_KEY_ID", "test",
                "AWS_SECRET_ACCESS_KEY", "test");
    }

    public S3Client client() {
        return S3Client.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(URI.create(endpoint()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create())
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    @Override
    public void close() {
        app.stop();
    }
}
