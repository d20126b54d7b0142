package dev.loracurve.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed write says what it could not write and why, in words (the store's failures reach experiments' errors). */
class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void aFailedWriteNamesTheFileAndTheReason() throws IOException {
        Path notAFolder = Files.writeString(dir.resolve("plain"), "x");
        Path target = notAFolder.resolve("run-0.checkpoint");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> AtomicFiles.writeString(target, "θ"));
        assertEquals("cannot write " + target + ": file already exists", e.getMessage());
    }

    @Test
    void reasonsReadAsWords() {
        assertEquals("permission denied", AtomicFiles.why(new AccessDeniedException("/store/x")));
        assertEquals(
                "No space left on device",
                AtomicFiles.why(new FileSystemException("/store/x", null, "No space left on device")));
        assertEquals("No space left on device", AtomicFiles.why(new IOException("No space left on device")));
    }
}
