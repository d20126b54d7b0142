package dev.loracurve.proto;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The two checks a public protobuf contract needs: what a new version breaks for clients built on
 * the released one (wire and generated-code compatibility, as buf's FILE rules), and the style
 * rules that keep it usable from any language. Both return one readable line per problem.
 */
final class ContractCheck {
    private ContractCheck() {}

    /** Changes from {@code released} to {@code current} that break an existing client. */
    static List<String> breakingChanges(FileDescriptorSet released, FileDescriptorSet current) {
        List<String> breaks = new ArrayList<>();
        Map<String, FileDescriptorProto> now = index(current.getFileList(), FileDescriptorProto::getName);
        for (FileDescriptorProto old : released.getFileList()) {
            FileDescriptorProto file = now.get(old.getName());
            if (file == null) {
                breaks.add("file " + old.getName() + " was removed");
                continue;
            }
            String where = old.getPackage();
            if (!old.getPackage().equals(file.getPackage())) {
                breaks.add("file " + old.getName() + " moved from package " + old.getPackage() + " to "
                        + file.getPackage());
            }
            compareMessages(where, old.getMessageTypeList(), file.getMessageTypeList(), breaks);
            compareEnums(where, old.getEnumTypeList(), file.getEnumTypeList(), breaks);
            Map<String, ServiceDescriptorProto> services =
                    index(file.getServiceList(), ServiceDescriptorProto::getName);
            for (ServiceDescriptorProto service : old.getServiceList()) {
                String name = where + "." + service.getName();
                ServiceDescriptorProto kept = services.get(service.getName());
                if (kept == null) {
                    breaks.add("service " + name + " was removed");
                } else {
                    compareMethods(name, service, kept, breaks);
                }
            }
        }
        return breaks;
    }

    private static void compareMethods(
            String service, ServiceDescriptorProto old, ServiceDescriptorProto now, List<String> breaks) {
        Map<String, MethodDescriptorProto> methods = index(now.getMethodList(), MethodDescriptorProto::getName);
        for (MethodDescriptorProto rpc : old.getMethodList()) {
            String name = service + "." + rpc.getName();
            MethodDescriptorProto kept = methods.get(rpc.getName());
            if (kept == null) {
                breaks.add("rpc " + name + " was removed");
                continue;
            }
            if (!rpc.getInputType().equals(kept.getInputType())) {
                breaks.add("rpc " + name + " takes " + kept.getInputType() + " instead of " + rpc.getInputType());
            }
            if (!rpc.getOutputType().equals(kept.getOutputType())) {
                breaks.add("rpc " + name + " returns " + kept.getOutputType() + " instead of " + rpc.getOutputType());
            }
            if (rpc.getClientStreaming() != kept.getClientStreaming()
                    || rpc.getServerStreaming() != kept.getServerStreaming()) {
                breaks.add("rpc " + name + " changed its streaming");
            }
        }
    }

    private static void compareMessages(
            String scope, List<DescriptorProto> old, List<DescriptorProto> now, List<String> breaks) {
        Map<String, DescriptorProto> kept = index(now, DescriptorProto::getName);
        for (DescriptorProto message : old) {
            String name = scope + "." + message.getName();
            DescriptorProto same = kept.get(message.getName());
            if (same == null) {
                breaks.add("message " + name + " was removed");
                continue;
            }
            Map<Integer, FieldDescriptorProto> fields = index(same.getFieldList(), FieldDescriptorProto::getNumber);
            for (FieldDescriptorProto field : message.getFieldList()) {
                String what = "field " + name + "." + field.getName() + " = " + field.getNumber();
                FieldDescriptorProto now1 = fields.get(field.getNumber());
                if (now1 == null) {
                    breaks.add(what + " was removed" + (reserved(same, field) ? "" : " without reserving it"));
                    continue;
                }
                if (!now1.getName().equals(field.getName())) {
                    breaks.add(what + " was renamed to " + now1.getName() + " (JSON and generated code break)");
                }
                if (now1.getType() != field.getType() || !now1.getTypeName().equals(field.getTypeName())) {
                    breaks.add(what + " changed type from " + typeOf(field) + " to " + typeOf(now1));
                }
                if (now1.getLabel() != field.getLabel()) {
                    breaks.add(what + " changed from " + field.getLabel() + " to " + now1.getLabel());
                }
                if (now1.hasOneofIndex() != field.hasOneofIndex()) {
                    breaks.add(what + (field.hasOneofIndex() ? " left" : " moved into") + " a oneof");
                }
            }
            compareMessages(name, message.getNestedTypeList(), same.getNestedTypeList(), breaks);
            compareEnums(name, message.getEnumTypeList(), same.getEnumTypeList(), breaks);
        }
    }

    /** A removed field is still a break for old clients' code; reserving it only protects the wire. */
    private static boolean reserved(DescriptorProto message, FieldDescriptorProto field) {
        return message.getReservedRangeList().stream()
                .anyMatch(r -> r.getStart() <= field.getNumber() && field.getNumber() < r.getEnd());
    }

    private static void compareEnums(
            String scope, List<EnumDescriptorProto> old, List<EnumDescriptorProto> now, List<String> breaks) {
        Map<String, EnumDescriptorProto> kept = index(now, EnumDescriptorProto::getName);
        for (EnumDescriptorProto type : old) {
            String name = scope + "." + type.getName();
            EnumDescriptorProto same = kept.get(type.getName());
            if (same == null) {
                breaks.add("enum " + name + " was removed");
                continue;
            }
            Map<String, Integer> values = new HashMap<>();
            same.getValueList().forEach(v -> values.put(v.getName(), v.getNumber()));
            for (EnumValueDescriptorProto value : type.getValueList()) {
                Integer number = values.get(value.getName());
                if (number == null) {
                    breaks.add("enum value " + name + "." + value.getName() + " was removed");
                } else if (number != value.getNumber()) {
                    breaks.add("enum value " + name + "." + value.getName() + " was renumbered from "
                            + value.getNumber() + " to " + number);
                }
            }
        }
    }

    private static String typeOf(FieldDescriptorProto field) {
        return field.getTypeName().isEmpty()
                ? field.getType().name().substring("TYPE_".length()).toLowerCase()
                : field.getTypeName();
    }

    /** The elements by their key (name or number), to find an element's counterpart in the other version. */
    private static <K, T> Map<K, T> index(List<T> elements, Function<T, K> key) {
        Map<K, T> byKey = new LinkedHashMap<>();
        elements.forEach(e -> byKey.put(key.apply(e), e));
        return byKey;
    }

    // ------------------------------------------------------------------ lint

    private static final Pattern VERSIONED_PACKAGE = Pattern.compile("[a-z][a-z0-9]*(\\.[a-z][a-z0-9]*)*\\.v\\d+");
    private static final Pattern UPPER_CAMEL = Pattern.compile("[A-Z][a-zA-Z0-9]*");
    private static final Pattern LOWER_SNAKE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
    private static final Pattern UPPER_SNAKE = Pattern.compile("[A-Z][A-Z0-9]*(_[A-Z0-9]+)*");

    // Field numbers of descriptor.proto, for source-info paths.
    private static final int FILE_MESSAGE = 4;
    private static final int FILE_ENUM = 5;
    private static final int FILE_SERVICE = 6;
    private static final int MESSAGE_FIELD = 2;
    private static final int MESSAGE_NESTED = 3;
    private static final int MESSAGE_ENUM = 4;
    private static final int ENUM_VALUE = 2;
    private static final int SERVICE_METHOD = 2;

    /** Style problems of a contract; its descriptor set must include source info (for comments). */
    static List<String> lint(FileDescriptorSet contract) {
        List<String> problems = new ArrayList<>();
        Map<String, String> requestOwners = new HashMap<>();
        for (FileDescriptorProto file : contract.getFileList()) {
            if (!file.hasSourceCodeInfo()) {
                problems.add(file.getName() + " has no source info: comments cannot be checked");
            }
            Set<String> commented = commentedPaths(file.getSourceCodeInfo());
            Lint lint = new Lint(file.getName(), commented, problems);
            if (!VERSIONED_PACKAGE.matcher(file.getPackage()).matches()) {
                problems.add(file.getName() + ": package " + file.getPackage() + " is not versioned (name.v1)");
            }
            for (int i = 0; i < file.getMessageTypeCount(); i++) {
                lint.message(file.getPackage(), file.getMessageType(i), List.of(FILE_MESSAGE, i));
            }
            for (int i = 0; i < file.getEnumTypeCount(); i++) {
                lint.enumType(file.getPackage(), file.getEnumType(i), List.of(FILE_ENUM, i));
            }
            for (int i = 0; i < file.getServiceCount(); i++) {
                ServiceDescriptorProto service = file.getService(i);
                String name = file.getPackage() + "." + service.getName();
                lint.named("service", name, service.getName(), UPPER_CAMEL, List.of(FILE_SERVICE, i));
                for (int m = 0; m < service.getMethodCount(); m++) {
                    MethodDescriptorProto rpc = service.getMethod(m);
                    String rpcName = name + "." + rpc.getName();
                    lint.named("rpc", rpcName, rpc.getName(), UPPER_CAMEL, List.of(FILE_SERVICE, i, SERVICE_METHOD, m));
                    String prefix = "." + file.getPackage() + "." + rpc.getName();
                    if (!rpc.getInputType().equals(prefix + "Request")) {
                        problems.add("rpc " + rpcName + " takes " + rpc.getInputType() + ", not its own "
                                + rpc.getName() + "Request");
                    }
                    if (!rpc.getOutputType().equals(prefix + "Response")) {
                        problems.add("rpc " + rpcName + " returns " + rpc.getOutputType() + ", not its own "
                                + rpc.getName() + "Response");
                    }
                    for (String type : List.of(rpc.getInputType(), rpc.getOutputType())) {
                        String first = requestOwners.putIfAbsent(type, rpcName);
                        if (first != null) {
                            problems.add(type + " is used by both rpc " + first + " and rpc " + rpcName);
                        }
                    }
                }
            }
        }
        return problems;
    }

    /** Paths of elements with a leading or trailing comment. */
    private static Set<String> commentedPaths(SourceCodeInfo info) {
        Set<String> paths = new HashSet<>();
        for (SourceCodeInfo.Location location : info.getLocationList()) {
            if (!location.getLeadingComments().isBlank()
                    || !location.getTrailingComments().isBlank()) {
                paths.add(location.getPathList().toString());
            }
        }
        return paths;
    }

    /** The per-file walk: names, enum zero values and comments. */
    private record Lint(String file, Set<String> commented, List<String> problems) {
        void message(String scope, DescriptorProto message, List<Integer> path) {
            String name = scope + "." + message.getName();
            named("message", name, message.getName(), UPPER_CAMEL, path);
            for (int i = 0; i < message.getFieldCount(); i++) {
                FieldDescriptorProto field = message.getField(i);
                named(
                        "field",
                        name + "." + field.getName(),
                        field.getName(),
                        LOWER_SNAKE,
                        child(path, MESSAGE_FIELD, i));
            }
            for (int i = 0; i < message.getNestedTypeCount(); i++) {
                if (!message.getNestedType(i).getOptions().getMapEntry()) {
                    message(name, message.getNestedType(i), child(path, MESSAGE_NESTED, i));
                }
            }
            for (int i = 0; i < message.getEnumTypeCount(); i++) {
                enumType(name, message.getEnumType(i), child(path, MESSAGE_ENUM, i));
            }
        }

        void enumType(String scope, EnumDescriptorProto type, List<Integer> path) {
            String name = scope + "." + type.getName();
            named("enum", name, type.getName(), UPPER_CAMEL, path);
            String zero =
                    type.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase() + "_UNSPECIFIED";
            if (type.getValueCount() == 0
                    || type.getValue(0).getNumber() != 0
                    || !type.getValue(0).getName().equals(zero)) {
                problems.add("enum " + name + " must start with " + zero + " = 0");
            }
            for (int i = 0; i < type.getValueCount(); i++) {
                EnumValueDescriptorProto value = type.getValue(i);
                named(
                        "enum value",
                        name + "." + value.getName(),
                        value.getName(),
                        UPPER_SNAKE,
                        child(path, ENUM_VALUE, i));
            }
        }

        void named(String kind, String fullName, String name, Pattern style, List<Integer> path) {
            if (!style.matcher(name).matches()) {
                problems.add(kind + " " + fullName + " is not " + styleName(style));
            }
            if (!commented.contains(path.toString())) {
                problems.add(kind + " " + fullName + " (" + file + ") has no comment");
            }
        }

        private static String styleName(Pattern style) {
            return style == UPPER_CAMEL
                    ? "UpperCamelCase"
                    : style == LOWER_SNAKE ? "lower_snake_case" : "UPPER_SNAKE_CASE";
        }

        private static List<Integer> child(List<Integer> path, int kind, int index) {
            List<Integer> child = new ArrayList<>(path);
            child.add(kind);
            child.add(index);
            return child;
        }
    }
}
