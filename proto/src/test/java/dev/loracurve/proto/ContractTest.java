package dev.loracurve.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The public contract against its last release (proto/release, written by
 * scripts/release-contract.sh when a version is released) and against the lint rules.
 */
class ContractTest {
    /** Written by protoc in the build, with comments (source info). */
    static final Path CURRENT = Path.of("target/generated-resources/protobuf/descriptor-sets/loracurve-v1.protoset");

    static final Path RELEASE = Path.of("release/loracurve-v1.txtpb");

    @Test
    void theContractKeepsEveryPromiseOfTheRelease() throws IOException {
        assertEquals(List.of(), ContractCheck.breakingChanges(released(), current()));
    }

    @Test
    void theContractFollowsTheLintRules() throws IOException {
        assertEquals(List.of(), ContractCheck.lint(current()));
    }

    /** The deliberately broken copy: one edit of each kind a client would notice. */
    @Test
    void aBrokenCopyOfTheContractIsCaught() throws IOException {
        FileDescriptorSet broken = edit(
                released(),
                "loracurve/v1/jobs.proto",
                file -> file.toBuilder()
                        .setMessageType(index(file, "Job"), removeField(message(file, "Job"), "error"))
                        .setMessageType(index(file, "Progress"), retype(message(file, "Progress"), "step"))
                        .setMessageType(index(file, "Artifact"), renumber(message(file, "Artifact"), "sha256", 9))
                        .setEnumType(1, file.getEnumType(1).toBuilder().removeValue(5)) // State.CANCELLED
                        .build());
        broken = edit(broken, "loracurve/v1/services.proto", file -> {
            FileDescriptorProto.Builder b = file.toBuilder();
            b.getServiceBuilder(serviceIndex(file, "ExperimentService")).removeMethod(5); // GetReport
            MethodDescriptorProto.Builder watch =
                    b.getServiceBuilder(serviceIndex(file, "JobService")).getMethodBuilder(3);
            watch.setServerStreaming(false).setOutputType(".loracurve.v1.GetJobResponse");
            b.removeMessageType(index(file, "Report"));
            return b.build();
        });
        List<String> breaks = ContractCheck.breakingChanges(released(), broken);
        List<String> expected = List.of(
                "field loracurve.v1.Progress.step = 4 changed type from int32 to string",
                "field loracurve.v1.Artifact.sha256 = 2 was removed without reserving it",
                "field loracurve.v1.Job.error = 7 was removed without reserving it",
                "enum value loracurve.v1.State.CANCELLED was removed",
                "message loracurve.v1.Report was removed",
                "rpc loracurve.v1.JobService.WatchJob returns .loracurve.v1.GetJobResponse instead of"
                        + " .loracurve.v1.WatchJobResponse",
                "rpc loracurve.v1.JobService.WatchJob changed its streaming",
                "rpc loracurve.v1.ExperimentService.GetReport was removed");
        assertEquals(
                expected.stream().sorted().toList(), breaks.stream().sorted().toList());
    }

    @Test
    void additionsBreakNothing() throws IOException {
        FileDescriptorSet grown = edit(released(), "loracurve/v1/jobs.proto", file -> {
            FileDescriptorProto.Builder b = file.toBuilder();
            b.getMessageTypeBuilder(index(file, "Job"))
                    .addField(FieldDescriptorProto.newBuilder()
                            .setName("priority")
                            .setNumber(99)
                            .setType(FieldDescriptorProto.Type.TYPE_INT32));
            b.getEnumTypeBuilder(1)
                    .addValue(EnumValueDescriptorProto.newBuilder()
                            .setName("PAUSED")
                            .setNumber(6));
            b.addMessageType(DescriptorProto.newBuilder().setName("Quota"));
            return b.build();
        });
        assertEquals(List.of(), ContractCheck.breakingChanges(released(), grown));
    }

    @Test
    void theLintNamesEachProblem() throws IOException {
        FileDescriptorSet sloppy = edit(current(), "loracurve/v1/jobs.proto", file -> {
            FileDescriptorProto.Builder b = file.toBuilder();
            b.getMessageTypeBuilder(index(file, "Job"))
                    .addField(FieldDescriptorProto.newBuilder()
                            .setName("retryCount")
                            .setNumber(99)
                            .setType(FieldDescriptorProto.Type.TYPE_INT32));
            b.getEnumTypeBuilder(0).getValueBuilder(0).setName("NONE");
            return b.build();
        });
        sloppy = edit(sloppy, "loracurve/v1/services.proto", file -> {
            FileDescriptorProto.Builder b = file.toBuilder();
            b.getServiceBuilder(serviceIndex(file, "JobService"))
                    .getMethodBuilder(1)
                    .setInputType(".loracurve.v1.GetJobRequest"); // ListJobs shares GetJob's request
            return b.build();
        });
        List<String> problems = ContractCheck.lint(sloppy);
        assertTrue(problems.contains("field loracurve.v1.Job.retryCount is not lower_snake_case"), problems::toString);
        assertTrue(
                problems.contains("field loracurve.v1.Job.retryCount (loracurve/v1/jobs.proto) has no comment"),
                problems::toString);
        assertTrue(
                problems.contains("enum loracurve.v1.Stage must start with STAGE_UNSPECIFIED = 0"), problems::toString);
        assertTrue(
                problems.contains("rpc loracurve.v1.JobService.ListJobs takes .loracurve.v1.GetJobRequest, not its own"
                        + " ListJobsRequest"),
                problems::toString);
        assertTrue(
                problems.contains(".loracurve.v1.GetJobRequest is used by both rpc loracurve.v1.JobService.GetJob and"
                        + " rpc loracurve.v1.JobService.ListJobs"),
                problems::toString);
        assertEquals(5, problems.size(), problems::toString);
    }

    /** {@code ./mvnw -pl proto test -Dtest=ContractTest -Dcontract.release=write}: the current contract becomes the release. */
    @Test
    @EnabledIfSystemProperty(named = "contract.release", matches = "write")
    void writeRelease() throws IOException {
        FileDescriptorSet.Builder release = current().toBuilder();
        release.getFileBuilderList().forEach(FileDescriptorProto.Builder::clearSourceCodeInfo);
        Files.writeString(
                RELEASE,
                "# loracurve.v1 as released: ContractTest fails on any change that breaks a client of it.\n"
                        + "# Written by scripts/release-contract.sh; never edit by hand.\n"
                        + TextFormat.printer().printToString(release.build()));
    }

    static FileDescriptorSet current() throws IOException {
        try (InputStream in = Files.newInputStream(CURRENT)) {
            return FileDescriptorSet.parseFrom(in);
        }
    }

    static FileDescriptorSet released() throws IOException {
        FileDescriptorSet.Builder set = FileDescriptorSet.newBuilder();
        TextFormat.merge(Files.readString(RELEASE, StandardCharsets.UTF_8), set);
        return set.build();
    }

    private static FileDescriptorSet edit(
            FileDescriptorSet set, String file, UnaryOperator<FileDescriptorProto> change) {
        FileDescriptorSet.Builder b = set.toBuilder();
        int i = indexOf(b.getFileList(), FileDescriptorProto::getName, file, "file");
        return b.setFile(i, change.apply(b.getFile(i))).build();
    }

    /** The position of the element named {@code wanted} among {@code elements}. */
    private static <T> int indexOf(List<T> elements, Function<T, String> name, String wanted, String kind) {
        for (int i = 0; i < elements.size(); i++) {
            if (name.apply(elements.get(i)).equals(wanted)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no " + kind + " " + wanted);
    }

    private static int index(FileDescriptorProto file, String message) {
        return indexOf(file.getMessageTypeList(), DescriptorProto::getName, message, "message");
    }

    private static int serviceIndex(FileDescriptorProto file, String service) {
        return indexOf(file.getServiceList(), ServiceDescriptorProto::getName, service, "service");
    }

    private static DescriptorProto message(FileDescriptorProto file, String name) {
        return file.getMessageType(index(file, name));
    }

    private static int fieldIndex(DescriptorProto message, String field) {
        return indexOf(message.getFieldList(), FieldDescriptorProto::getName, field, "field");
    }

    private static DescriptorProto removeField(DescriptorProto message, String field) {
        return message.toBuilder().removeField(fieldIndex(message, field)).build();
    }

    private static DescriptorProto retype(DescriptorProto message, String field) {
        DescriptorProto.Builder b = message.toBuilder();
        b.getFieldBuilder(fieldIndex(message, field)).setType(FieldDescriptorProto.Type.TYPE_STRING);
        return b.build();
    }

    private static DescriptorProto renumber(DescriptorProto message, String field, int number) {
        DescriptorProto.Builder b = message.toBuilder();
        b.getFieldBuilder(fieldIndex(message, field)).setNumber(number);
        return b.build();
    }
}
