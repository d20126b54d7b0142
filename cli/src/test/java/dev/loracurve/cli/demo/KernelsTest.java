package dev.loracurve.cli.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The pinned settings are written three times, each where it must act before libtorch loads: the
 * launcher, cli/pom.xml's surefire variables (DemoTest checks those against {@link Kernels}) and
 * Kernels itself. This holds the launcher to Kernels.
 */
class KernelsTest {
    @Test
    void theLauncherExportsEachPinnedSetting() throws Exception {
        String launcher =
                Files.readString(Path.of(System.getProperty("loracurve.home")).resolve("loracurve"));
        Kernels.PINNED.forEach((name, value) -> assertTrue(
                launcher.contains(name + "=\"${" + name + ":-" + value + "}\""),
                "the launcher does not export " + name + "=" + value));
    }
}
