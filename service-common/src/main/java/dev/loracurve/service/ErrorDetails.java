package dev.loracurve.service;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.rpc.Status;
import io.grpc.Metadata;
import io.grpc.protobuf.StatusProto;
import java.util.List;

/**
 * The standard rich error model on the wire: a google.rpc.Status with typed details (BadRequest,
 * ResourceInfo, QuotaFailure, RetryInfo) in the {@code grpc-status-details-bin} trailer, which
 * every gRPC client library reads (Java's StatusProto, Go's status.FromError, Python's
 * rpc_status).
 */
final class ErrorDetails {
    private ErrorDetails() {}

    /** Trailers carrying {@code details}; empty when there are none. */
    static Metadata trailers(int code, String message, List<Message> details) {
        if (details.isEmpty()) {
            return new Metadata();
        }
        Status.Builder rich = Status.newBuilder().setCode(code).setMessage(message);
        details.forEach(d -> rich.addDetails(Any.pack(d)));
        // StatusProto puts it under grpc-status-details-bin, the key clients look for
        return StatusProto.toStatusRuntimeException(rich.build()).getTrailers();
    }
}
