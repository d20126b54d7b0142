package dev.loracurve.service.testing;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.loracurve.proto.v1.Progress;
import dev.loracurve.proto.v1.WatchJobResponse;
import dev.loracurve.service.JobRunner;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.function.Executable;

/** Client-side helpers of the services' tests: a plaintext channel, status assertions, a watch to the end. */
public final class Channels {
    private Channels() {}

    /** A channel without credentials. */
    public static ManagedChannel open(String target) {
        return ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    }

    /** A channel whose every call carries {@code token} as its bearer token. */
    public static ManagedChannel open(String target, String token) {
        return ManagedChannelBuilder.forTarget(target)
                .usePlaintext()
                .intercept(bearer(token))
                .build();
    }

    /** Adds "authorization: Bearer TOKEN" to every call. */
    public static ClientInterceptor bearer(String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    public static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** Asserts that {@code call} fails with {@code code} and a description containing {@code text}; returns it. */
    public static StatusRuntimeException assertStatus(Status.Code code, String text, Executable call) {
        StatusRuntimeException e = Assertions.assertThrows(StatusRuntimeException.class, call);
        Assertions.assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        String description = e.getStatus().getDescription();
        Assertions.assertTrue(description != null && description.contains(text), text + " not in: " + description);
        return e;
    }

    /** The error detail of type {@code type} that a status carries (google.rpc.Status in its trailers); fails without one. */
    public static <T extends Message> T detail(StatusRuntimeException e, Class<T> type) {
        var rich = StatusProto.fromThrowable(e);
        Assertions.assertNotNull(rich, "no error details in " + e.getStatus());
        for (Any any : rich.getDetailsList()) {
            if (any.is(type)) {
                try {
                    return any.unpack(type);
                } catch (InvalidProtocolBufferException x) {
                    throw new AssertionError(x);
                }
            }
        }
        return Assertions.fail("no " + type.getSimpleName() + " in " + rich.getDetailsList());
    }

    /** Every progress message of a watch until the job ends (the last one has a terminal state). */
    public static List<Progress> untilTerminal(Iterator<WatchJobResponse> watch) {
        List<Progress> all = new ArrayList<>();
        while (watch.hasNext()) {
            Progress p = watch.next().getProgress();
            all.add(p);
            if (JobRunner.terminal(p.getState())) {
                break;
            }
        }
        return all;
    }
}
