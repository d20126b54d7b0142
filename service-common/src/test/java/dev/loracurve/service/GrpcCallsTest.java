package dev.loracurve.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loracurve.core.config.InvalidConfigException;
import dev.loracurve.core.store.CheckpointException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class GrpcCallsTest {
    @Test
    void theProjectsOwnExceptionsSayWhatWentWrong() {
        assertEquals(Status.Code.INVALID_ARGUMENT, code(new InvalidSpecException("page_size", "must be >= 0")));
        assertEquals(
                Status.Code.INVALID_ARGUMENT,
                code(new InvalidConfigException(
                        List.of(new InvalidConfigException.Violation("lora.rank", "must be > 0, got 0")))));
        assertEquals(Status.Code.NOT_FOUND, code(new NotFoundException("experiment", "exp-1", "")));
        assertEquals(Status.Code.FAILED_PRECONDITION, code(new FailedPreconditionException("already ended")));
        assertEquals(
                Status.Code.DATA_LOSS,
                code(new CheckpointException(Path.of("adapter.safetensors"), "lora_A", "truncated")));
        StatusRuntimeException s = GrpcCalls.status(new FailedPreconditionException("experiment x already ended"));
        assertEquals("experiment x already ended", s.getStatus().getDescription());
    }

    @Test
    void anyOtherExceptionIsInternalAndItsMessageStaysInTheLog() {
        for (RuntimeException bug : List.of(
                new IllegalArgumentException("Invalid JWS Signature: eyJhbGciOi secret"),
                new IllegalStateException("org.jose4j.lang.InvalidAlgorithmException secret"),
                new NoSuchElementException("secret"),
                new NullPointerException())) {
            StatusRuntimeException s = GrpcCalls.status(bug);
            assertEquals(Status.Code.INTERNAL, s.getStatus().getCode(), bug.toString());
            assertFalse(
                    s.getStatus().getDescription().contains("secret"),
                    s.getStatus().getDescription());
            assertTrue(
                    s.getStatus().getDescription().startsWith("internal error "),
                    s.getStatus().getDescription());
            assertNull(s.getStatus().getCause(), "no cause travels with the status");
        }
    }

    private static Status.Code code(RuntimeException e) {
        return GrpcCalls.status(e).getStatus().getCode();
    }
}
