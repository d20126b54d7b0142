package dev.loracurve.cli.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.loracurve.cli.stack.SpecFile;
import dev.loracurve.core.store.CheckpointException;
import dev.loracurve.core.testing.TinyWorld;
import dev.loracurve.proto.v1.Artifact;
import dev.loracurve.proto.v1.CheckpointAvailable;
import dev.loracurve.proto.v1.CurveReady;
import dev.loracurve.proto.v1.ExperimentSubmitted;
import dev.loracurve.service.DataLocations;
import dev.loracurve.service.SpecLimits;
import dev.loracurve.service.Specs;
import dev.loracurve.service.store.FileStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzz tests of what the services and the CLI take from outside: spec YAML and its validation, and
 * the protobuf events a stage consumes (payload, spec, artifact URIs). The only outcome allowed for
 * any input is a result or an IllegalArgumentException naming the field; anything else is a finding.
 * Seeds and findings: src/test/resources/dev/loracurve/cli/fuzz/SpecFuzzTestInputs/TARGET/.
 */
class SpecFuzzTest {
    private static final Path DIR;
    private static final Specs SPECS;
    private static final FileStore STORE;

    static {
        try {
            DIR = Files.createTempDirectory("loracurve-spec-fuzz");
            TinyWorld.write(DIR);
            STORE = new FileStore(DIR.resolve("store"));
            SPECS = new Specs(
                    new DataLocations(List.of(DIR.toString()), () -> {
                        throw new IllegalArgumentException("no s3:// reads while fuzzing");
                    }),
                    SpecLimits.DEFAULT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "2h")
    void specYaml(byte[] bytes) throws IOException {
        Path yaml = DIR.resolve("spec.yaml");
        Files.write(yaml, bytes);
        try {
            SPECS.validate(SpecFile.read(yaml));
        } catch (IllegalArgumentException expected) {
            // a clear error naming the field or the file
        }
    }

    @FuzzTest(maxDuration = "2h")
    void events(FuzzedDataProvider data) {
        int kind = data.consumeInt(0, 3);
        try {
            List<Artifact> artifacts = new ArrayList<>();
            if (kind == 3) {
                // protobuf's parser is not instrumented, so random bytes rarely get past it: this
                // kind builds a well-formed event whose artifact names are the fuzzer's
                artifacts.add(Artifact.newBuilder()
                        .setUri(data.consumeString(300))
                        .setSha256(data.consumeRemainingAsString())
                        .build());
            }
            byte[] payload = kind == 3 ? new byte[0] : data.consumeRemainingAsBytes();
            switch (kind) {
                case 3 -> {}
                case 0 -> SPECS.validate(ExperimentSubmitted.parseFrom(payload).getSpec());
                case 1 -> {
                    CheckpointAvailable c = CheckpointAvailable.parseFrom(payload);
                    SPECS.validate(c.getSpec());
                    artifacts.add(c.getAdapter());
                }
                default -> {
                    CurveReady c = CurveReady.parseFrom(payload);
                    SPECS.validate(c.getSpec());
                    artifacts.addAll(c.getOptimaList());
                    artifacts.add(c.getCurve());
                }
            }
            for (Artifact a : artifacts) {
                STORE.fetch(a.getUri(), a.getSha256());
            }
        } catch (InvalidProtocolBufferException | IllegalArgumentException expected) {
            // a malformed payload, an invalid spec, a URI outside the store: refused by name
        } catch (CheckpointException expected) {
            // an artifact that is not there or not what was announced
        }
    }
}
