package dev.loracurve.cli.stack;

import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * How a client reaches a service: its address, the bearer token it sends, and the CA it trusts
 * (null: the system's trust roots); {@code plaintext} only for a service without TLS.
 */
public record Connection(String target, String token, Path ca, boolean plaintext) {

    public ManagedChannel channel() {
        ChannelCredentials tls;
        try {
            tls = plaintext
                    ? InsecureChannelCredentials.create()
                    : ca == null
                            ? TlsChannelCredentials.create()
                            : TlsChannelCredentials.newBuilder()
                                    .trustManager(ca.toFile())
                                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CA certificate " + ca, e);
        }
        return Grpc.newChannelBuilder(target, tls).intercept(bearer()).build();
    }

    /** Adds "authorization: Bearer TOKEN" to every call (nothing without a token). */
    private ClientInterceptor bearer() {
        Metadata headers = new Metadata();
        if (token != null && !token.isBlank()) {
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        }
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }
}
