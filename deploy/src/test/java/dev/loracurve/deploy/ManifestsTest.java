package dev.loracurve.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.loracurve.service.StageDescriptor;
import dev.loracurve.service.Topics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Every overlay of deploy/ rendered by kustomize (kubectl's; skipped where there is no kubectl),
 * every built-in object parsed strictly with the fabric8 model (no field it does not know), every
 * custom resource validated against its CRD's schema (../shared/k8s-crds; skipped where absent), and
 * the cross-references a cluster would only reveal at run time: selectors, ports, probes, the
 * autoscalers' workloads, topics and consumer groups, and the environment the services read.
 */
class ManifestsTest {
    static final Path HOME = Path.of(System.getProperty("loracurve.home", "..")).toAbsolutePath();
    private static final Path CRDS =
            Path.of(System.getProperty("loracurve.shared", "../../shared")).resolve("k8s-crds");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Each stage's input topic (its descriptor's); its consumer group is its name. */
    private static final Map<String, String> INPUT = StageDescriptor.stages().stream()
            .collect(Collectors.toMap(
                    StageDescriptor::serviceName, d -> d.reads().get(0)));

    /** Every overlay, and the site example an operator copies. */
    static final String[] OVERLAYS = {"overlays/cpu", "overlays/gpu", "overlays/external-kafka", "examples/site"};

    /** API groups of built-in kinds (the rest are custom resources, validated against their CRDs). */
    private static final Set<String> BUILT_IN_GROUPS = Set.of("apps", "policy", "autoscaling", "networking.k8s.io");

    /**
     * Custom kinds whose CRD is not in ../shared/k8s-crds: BackendTLSPolicy (Gateway API v1.4
     * standard channel) is checked by {@link InstallChecksTest} for the fields it needs instead.
     */
    static final Set<String> NO_CRD_HERE = Set.of("gateway.networking.k8s.io/BackendTLSPolicy/v1");

    /** Variables read by what runs in the images besides our code: the JVM, DJL and libtorch, the AWS SDK. */
    private static final Set<String> READ_BY_LIBRARIES = Set.of(
            "JAVA_TOOL_OPTIONS",
            "QUARKUS_PROFILE",
            "DJL_CACHE_DIR",
            "DJL_OFFLINE",
            "OPT_OUT_TRACKING",
            "PYTORCH_LIBRARY_PATH",
            "PYTORCH_VERSION",
            "PYTORCH_FLAVOR",
            "AWS_REGION",
            "AWS_ENDPOINT_URL",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ROLE_ARN",
            "AWS_WEB_IDENTITY_TOKEN_FILE");

    static List<JsonNode> render(String overlay) throws Exception {
        boolean kubectl =
                Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, "kubectl")));
        assumeTrue(kubectl, "kubectl is not on this machine: the manifests are not rendered");
        Process p = new ProcessBuilder(
                        "kubectl",
                        "kustomize",
                        HOME.resolve("deploy").resolve(overlay).toString())
                .redirectErrorStream(true)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize finished");
        assertEquals(0, p.exitValue(), new String(out, StandardCharsets.UTF_8));
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(out)) {
            Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode d = it.next();
                if (d != null && !d.isNull()) {
                    docs.add(d);
                }
            }
        }
        assertTrue(docs.size() > 5, overlay + " renders objects");
        return docs;
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void anOverlayRendersItsObjectsParseStrictlyAndReferToEachOther(String overlay) throws Exception {
        Objects objects = new Objects(render(overlay));
        List<String> problems = new ArrayList<>();
        objects.strictParse(problems);
        objects.checkReferences(overlay, problems);
        objects.checkEnvironment(problems);
        assertEquals(List.of(), problems, overlay);
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyCustomResourceIsValidForItsCrd(String overlay) throws Exception {
        assumeTrue(Files.isDirectory(CRDS), "../shared/k8s-crds is absent: custom resources not validated");
        List<JsonNode> docs = render(overlay);
        Map<String, JsonNode> crds = crds();
        List<String> problems = new ArrayList<>();
        int validated = 0;
        for (JsonNode d : docs) {
            String apiVersion = d.path("apiVersion").asText();
            if (!apiVersion.contains(".")) {
                continue; // a built-in kind
            }
            String group = apiVersion.substring(0, apiVersion.indexOf('/'));
            if (BUILT_IN_GROUPS.contains(group)) {
                continue;
            }
            String key =
                    group + "/" + d.path("kind").asText() + "/" + apiVersion.substring(apiVersion.indexOf('/') + 1);
            if (NO_CRD_HERE.contains(key)) {
                continue;
            }
            JsonNode schema = crds.get(key);
            if (schema == null) {
                problems.add(name(d) + ": no CRD serves " + key);
                continue;
            }
            Set<ValidationMessage> errors = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4)
                    .getSchema(schema)
                    .validate(d);
            errors.forEach(e -> problems.add(name(d) + ": " + e.getMessage()));
            validated++;
        }
        assertEquals(List.of(), problems, overlay);
        assertTrue(validated > 5, overlay + ": " + validated + " custom resources validated");
    }

    @Test
    void theChecksCatchTheMistakesTheyAreFor() throws Exception {
        assumeTrue(Files.isDirectory(CRDS), "../shared/k8s-crds is absent");
        JsonNode badScaler = YAML.readTree("""
                apiVersion: keda.sh/v1alpha1
                kind: ScaledObject
                metadata: {name: x}
                spec:
                  scaleTargetRef: {name: trainer-svc}
                  minReplicaCount: none
                  triggers: [{type: kafka, metadata: {topic: t}}]
                  cooldownPeriods: 60
                """);
        Set<ValidationMessage> errors = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4)
                .getSchema(crds().get("keda.sh/ScaledObject/v1alpha1"))
                .validate(badScaler);
        assertTrue(errors.stream().anyMatch(e -> e.getMessage().contains("minReplicaCount")), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.getMessage().contains("cooldownPeriods")), errors.toString());
        JsonNode typo = YAML.readTree("""
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: s}
                spec:
                  replcas: 2
                  template: {spec: {containers: [{name: c, imagePullPolicy: Always, livenesProbe: {}}]}}
                """);
        Objects objects = new Objects(List.of(typo));
        List<String> problems = new ArrayList<>();
        objects.strictParse(problems);
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("replcas") || problems.get(1).contains("replcas"), problems.toString());
    }

    /** group/kind/version → that version's openAPIV3Schema, made strict (unknown fields are errors, not pruned). */
    static Map<String, JsonNode> crds() throws IOException {
        Map<String, JsonNode> out = new HashMap<>();
        try (Stream<Path> files = Files.list(CRDS)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".yaml"))::iterator) {
                try (YAMLParser parser = new YAMLFactory().createParser(f.toFile())) {
                    Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
                    while (it.hasNext()) {
                        JsonNode crd = it.next();
                        if (crd == null || !crd.path("kind").asText().equals("CustomResourceDefinition")) {
                            continue;
                        }
                        String group = crd.path("spec").path("group").asText();
                        String kind =
                                crd.path("spec").path("names").path("kind").asText();
                        for (JsonNode v : crd.path("spec").path("versions")) {
                            JsonNode schema =
                                    v.path("schema").path("openAPIV3Schema").deepCopy();
                            strict(schema);
                            out.put(group + "/" + kind + "/" + v.path("name").asText(), schema);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** additionalProperties: false on every object schema that lists its properties and keeps no unknown fields. */
    private static void strict(JsonNode schema) {
        if (schema.isObject()) {
            ObjectNode o = (ObjectNode) schema;
            if (o.has("properties")
                    && !o.has("additionalProperties")
                    && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                o.put("additionalProperties", false);
            }
        }
        schema.forEach(ManifestsTest::strict);
    }

    static String name(JsonNode d) {
        return d.path("kind").asText() + "/" + d.path("metadata").path("name").asText();
    }

    /** The rendered objects of one overlay, the built-in ones parsed into fabric8's model. */
    private static final class Objects {
        final List<JsonNode> docs;
        final Map<String, StatefulSet> workloads = new HashMap<>();
        final Map<String, Service> services = new HashMap<>();
        final Map<String, ConfigMap> configMaps = new HashMap<>();
        final List<PodDisruptionBudget> budgets = new ArrayList<>();
        final List<JsonNode> scaledObjects = new ArrayList<>();
        final List<JsonNode> topics = new ArrayList<>();

        Objects(List<JsonNode> docs) {
            this.docs = docs;
        }

        void strictParse(List<String> problems) {
            for (JsonNode d : docs) {
                Object parsed = switch (d.path("kind").asText()) {
                    case "StatefulSet" -> put(workloads, d, StatefulSet.class);
                    case "Service" -> put(services, d, Service.class);
                    case "ConfigMap" -> put(configMaps, d, ConfigMap.class);
                    case "PodDisruptionBudget" -> {
                        PodDisruptionBudget b = JSON.convertValue(d, PodDisruptionBudget.class);
                        budgets.add(b);
                        yield b;
                    }
                    case "ScaledObject" -> {
                        scaledObjects.add(d);
                        yield null;
                    }
                    case "KafkaTopic" -> {
                        topics.add(d);
                        yield null;
                    }
                    case "ServiceAccount" -> JSON.convertValue(d, ServiceAccount.class);
                    case "NetworkPolicy" -> JSON.convertValue(d, NetworkPolicy.class);
                    case "HorizontalPodAutoscaler" -> JSON.convertValue(d, HorizontalPodAutoscaler.class);
                    case "Kafka",
                            "KafkaNodePool",
                            "KafkaUser",
                            "TriggerAuthentication",
                            "PodMonitor",
                            "PrometheusRule",
                            "Certificate",
                            "Issuer",
                            "Gateway",
                            "GRPCRoute",
                            "BackendTLSPolicy" -> null; // custom: the CRD test
                    default -> {
                        problems.add(name(d) + ": a kind this test does not know");
                        yield null;
                    }
                };
                if (parsed != null) {
                    unknownFields(parsed, name(d), problems);
                }
            }
        }

        private <T> T put(Map<String, T> into, JsonNode d, Class<T> type) {
            T t = JSON.convertValue(d, type);
            into.put(d.path("metadata").path("name").asText(), t);
            return t;
        }

        /** fabric8's classes keep fields they do not know in additionalProperties: each one is a typo. */
        private static void unknownFields(Object o, String path, List<String> problems) {
            if (o == null) {
                return;
            }
            if (o instanceof Collection<?> c) {
                int i = 0;
                for (Object e : c) {
                    unknownFields(e, path + "[" + i++ + "]", problems);
                }
                return;
            }
            if (o instanceof Map<?, ?> m) {
                m.forEach((k, v) -> unknownFields(v, path + "." + k, problems));
                return;
            }
            if (!o.getClass().getName().startsWith("io.fabric8.")) {
                return;
            }
            for (Method g : o.getClass().getMethods()) {
                if (g.getParameterCount() != 0
                        || !g.getName().startsWith("get")
                        || g.getDeclaringClass() == Object.class) {
                    continue;
                }
                try {
                    Object v = g.invoke(o);
                    if (g.getName().equals("getAdditionalProperties")) {
                        if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                            problems.add(path + ": unknown field(s) " + extra.keySet());
                        }
                    } else {
                        unknownFields(v, path + "." + g.getName().substring(3), problems);
                    }
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        void checkReferences(String overlay, List<String> problems) {
            for (var w : workloads.entrySet()) {
                StatefulSet s = w.getValue();
                Map<String, String> podLabels =
                        s.getSpec().getTemplate().getMetadata().getLabels();
                if (!podLabels
                        .entrySet()
                        .containsAll(s.getSpec().getSelector().getMatchLabels().entrySet())) {
                    problems.add(w.getKey() + ": its selector does not select its own pods");
                }
                if (!services.containsKey(s.getSpec().getServiceName())) {
                    problems.add(w.getKey() + ": serviceName " + s.getSpec().getServiceName() + " is no Service");
                }
                for (Container c : s.getSpec().getTemplate().getSpec().getContainers()) {
                    Set<String> ports = new HashSet<>();
                    c.getPorts().forEach(p -> {
                        ports.add(p.getName());
                        ports.add(String.valueOf(p.getContainerPort()));
                    });
                    for (Probe p : new Probe[] {c.getReadinessProbe(), c.getLivenessProbe(), c.getStartupProbe()}) {
                        if (p == null
                                || p.getHttpGet() == null
                                || !ports.contains(value(p.getHttpGet().getPort()))) {
                            problems.add(w.getKey() + ": a probe is missing or not on a container port");
                        }
                    }
                    if (c.getReadinessProbe() == null
                            || !c.getReadinessProbe().getHttpGet().getPath().equals("/q/health/ready")
                            || !c.getLivenessProbe().getHttpGet().getPath().equals("/q/health/live")) {
                        problems.add(
                                w.getKey() + ": readiness and liveness must be /q/health/ready and /q/health/live");
                    }
                    if (c.getSecurityContext() == null
                            || !Boolean.FALSE.equals(c.getSecurityContext().getAllowPrivilegeEscalation())
                            || !Boolean.TRUE.equals(s.getSpec()
                                    .getTemplate()
                                    .getSpec()
                                    .getSecurityContext()
                                    .getRunAsNonRoot())) {
                        problems.add(w.getKey() + ": must run as non-root without privilege escalation");
                    }
                    for (EnvFromSource from : c.getEnvFrom()) {
                        if (from.getConfigMapRef() != null
                                && !configMaps.containsKey(
                                        from.getConfigMapRef().getName())) {
                            problems.add(w.getKey() + ": envFrom names no ConfigMap "
                                    + from.getConfigMapRef().getName());
                        }
                        if (from.getSecretRef() != null
                                && !Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
                            problems.add(w.getKey() + ": a Secret that is not committed must be optional here");
                        }
                    }
                }
                if (!budgets.stream()
                        .anyMatch(b -> podLabels
                                .entrySet()
                                .containsAll(b.getSpec()
                                        .getSelector()
                                        .getMatchLabels()
                                        .entrySet()))) {
                    problems.add(w.getKey() + ": no PodDisruptionBudget covers it");
                }
                boolean gpu = s.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getResources()
                        .getLimits()
                        .containsKey("nvidia.com/gpu");
                if (overlay.endsWith("cpu") && gpu) {
                    problems.add(w.getKey() + ": asks for a GPU in the cpu overlay");
                }
                if (gpu != INPUT.containsKey(w.getKey()) && !overlay.endsWith("cpu")) {
                    problems.add(w.getKey() + ": only the three stages take a GPU");
                }
            }
            for (var sv : services.entrySet()) {
                Map<String, String> selector = sv.getValue().getSpec().getSelector();
                List<StatefulSet> selected = workloads.values().stream()
                        .filter(w -> w.getSpec()
                                .getTemplate()
                                .getMetadata()
                                .getLabels()
                                .entrySet()
                                .containsAll(selector.entrySet()))
                        .toList();
                if (selected.isEmpty()) {
                    problems.add("Service/" + sv.getKey() + " selects no pods");
                }
                for (ServicePort port : sv.getValue().getSpec().getPorts()) {
                    for (StatefulSet w : selected) {
                        boolean found = w.getSpec().getTemplate().getSpec().getContainers().stream()
                                .flatMap(c -> c.getPorts().stream())
                                .anyMatch(p -> value(port.getTargetPort()).equals(p.getName())
                                        || value(port.getTargetPort()).equals(String.valueOf(p.getContainerPort())));
                        if (!found) {
                            problems.add("Service/" + sv.getKey() + ": targetPort " + value(port.getTargetPort())
                                    + " is no container port");
                        }
                    }
                }
            }
            Map<String, String> config = configMaps.get("loracurve-config").getData();
            for (JsonNode so : scaledObjects) {
                String target =
                        so.path("spec").path("scaleTargetRef").path("name").asText();
                if (!workloads.containsKey(target)
                        || !so.path("spec")
                                .path("scaleTargetRef")
                                .path("kind")
                                .asText()
                                .equals("StatefulSet")) {
                    problems.add(name(so) + ": scales no StatefulSet of this installation (" + target + ")");
                }
                JsonNode trigger = so.path("spec").path("triggers").path(0);
                JsonNode md = trigger.path("metadata");
                if (!trigger.path("type").asText().equals("kafka")
                        || !md.path("topic").asText().equals(INPUT.get(target))
                        || !md.path("consumerGroup").asText().equals(target)
                        || !md.path("bootstrapServers").asText().equals(config.get("KAFKA_BOOTSTRAP_SERVERS"))) {
                    problems.add(name(so) + ": its trigger must watch " + target + "'s group on " + INPUT.get(target)
                            + " at " + config.get("KAFKA_BOOTSTRAP_SERVERS") + ", got " + md);
                }
                String host = md.path("bootstrapServers").asText().split(":")[0];
                if (!host.contains(".")) {
                    problems.add(name(so) + ": KEDA runs in its own namespace, where " + host
                            + " does not resolve: name the broker fully (<service>.<namespace>.svc)");
                }
                if (so.path("spec").path("maxReplicaCount").asInt()
                        > Integer.parseInt(config.get("LORACURVE_PARTITIONS"))) {
                    problems.add(name(so) + ": more replicas than partitions would idle");
                }
            }
            if (!INPUT.keySet().stream()
                    .allMatch(stage -> scaledObjects.stream()
                            .anyMatch(so -> so.path("spec")
                                    .path("scaleTargetRef")
                                    .path("name")
                                    .asText()
                                    .equals(stage)))) {
                problems.add("every stage scales on its lag");
            }
            if (!topics.isEmpty()) {
                Set<String> declared = new TreeSet<>();
                for (JsonNode t : topics) {
                    declared.add(t.path("spec").path("topicName").asText());
                    if (!t.path("spec").path("partitions").asText().equals(config.get("LORACURVE_PARTITIONS"))) {
                        problems.add(name(t) + ": partitions differ from LORACURVE_PARTITIONS");
                    }
                }
                if (!declared.equals(new TreeSet<>(Topics.ALL))) {
                    problems.add("KafkaTopics " + declared + " are not the topics the services use " + Topics.ALL);
                }
            }
        }

        /**
         * Every variable the services' configuration reads is set for every container, and every
         * variable set is read by something (our code, our configuration, or a library in the image).
         */
        void checkEnvironment(List<String> problems) throws IOException {
            Set<String> configured = placeholders();
            Set<String> readByCode = literals();
            for (var w : workloads.entrySet()) {
                for (Container c :
                        w.getValue().getSpec().getTemplate().getSpec().getContainers()) {
                    Set<String> set = new TreeSet<>();
                    c.getEnv().stream().map(EnvVar::getName).forEach(set::add);
                    for (EnvFromSource from : c.getEnvFrom()) {
                        if (from.getConfigMapRef() != null
                                && configMaps.containsKey(from.getConfigMapRef().getName())) {
                            set.addAll(configMaps
                                    .get(from.getConfigMapRef().getName())
                                    .getData()
                                    .keySet());
                        }
                    }
                    for (String v : configured) {
                        if (!set.contains(v)) {
                            problems.add(w.getKey() + ": " + v + " is read by the services but not set");
                        }
                    }
                    for (String v : set) {
                        if (!configured.contains(v) && !readByCode.contains(v) && !READ_BY_LIBRARIES.contains(v)) {
                            problems.add(w.getKey() + ": " + v + " is set but nothing reads it");
                        }
                    }
                }
            }
        }

        /** ${VAR} and ${VAR:default} of the services' configuration files. */
        private static Set<String> placeholders() throws IOException {
            Set<String> out = new TreeSet<>();
            List<Path> files = new ArrayList<>(List.of(
                    HOME.resolve("service-quarkus/src/main/resources/META-INF/microprofile-config.properties")));
            for (String svc : List.of("trainer-svc", "curve-svc", "eval-svc", "gateway")) {
                files.add(HOME.resolve(svc).resolve("src/main/resources/application.properties"));
            }
            Pattern p = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(:[^}]*)?}");
            for (Path f : files) {
                Matcher m = p.matcher(Files.readString(f));
                while (m.find()) {
                    out.add(m.group(1));
                }
            }
            assertTrue(out.contains("LORACURVE_STORE") && out.contains("KAFKA_BOOTSTRAP_SERVERS"), out.toString());
            return out;
        }

        /** Variable names our main sources spell out (read with System.getenv or a setting helper). */
        private static Set<String> literals() throws IOException {
            Set<String> out = new TreeSet<>();
            Pattern p = Pattern.compile("\"((?:LORACURVE|KAFKA|AWS)_[A-Z0-9_]+)\"");
            for (String module : List.of(
                    "core", "service-common", "service-quarkus", "trainer-svc", "curve-svc", "eval-svc", "gateway")) {
                try (Stream<Path> files = Files.walk(HOME.resolve(module).resolve("src/main/java"))) {
                    for (Path f :
                            (Iterable<Path>) files.filter(x -> x.toString().endsWith(".java"))::iterator) {
                        Matcher m = p.matcher(Files.readString(f));
                        while (m.find()) {
                            out.add(m.group(1));
                        }
                    }
                }
            }
            return out;
        }

        private static String value(IntOrString port) {
            return port.getStrVal() != null ? port.getStrVal() : String.valueOf(port.getIntVal());
        }
    }
}
