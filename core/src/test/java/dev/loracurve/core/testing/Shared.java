package dev.loracurve.core.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates ../shared for tests that read its models and fixtures; they skip when it is absent. */
public final class Shared {
    private Shared() {}

    public static Path root() {
        String prop = System.getProperty("loracurve.shared"); // set by the build
        Path p = prop != null ? Path.of(prop) : Path.of("..", "..", "shared"); // from a module folder
        return p.toAbsolutePath().normalize();
    }

    /** A path under ../shared, skipping the calling test when it does not exist. */
    public static Path require(String relative) {
        Path p = root().resolve(relative);
        assumeTrue(Files.exists(p), "../shared/" + relative + " is absent: skipped");
        return p;
    }
}
