package dev.loracurve.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loracurve.service.StageDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * What an install on a real cluster needs and a render does not show: who owns the replica counts,
 * where topics come from, that probes and scrapes work when the gRPC port asks for client
 * certificates, that the caches fit their volume, that the audit log outlives its pod, immutable
 * images, heap flags for off-heap tensors, least privilege (a ServiceAccount and a NetworkPolicy per
 * workload, Kafka ACLs that are exactly what each service's StageDescriptor uses), and the
 * gateway's route, autoscaler and spread. Each overlay and the site example, rendered offline.
 */
class InstallChecksTest {
    /** Room a stage's cache volume keeps beyond the two caches: the running job's work folder and DJL's natives. */
    private static final long WORK_RESERVE = 4L << 30;

    static final String[] OVERLAYS = ManifestsTest.OVERLAYS;

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theInstallationMeetsWhatAClusterNeeds(String overlay) throws Exception {
        Map<String, List<JsonNode>> byKind = new HashMap<>();
        for (JsonNode d : ManifestsTest.render(overlay)) {
            byKind.computeIfAbsent(d.path("kind").asText(), k -> new ArrayList<>())
                    .add(d);
        }
        List<String> problems = new ArrayList<>();
        Map<String, String> config = data(one(byKind, "ConfigMap", "loracurve-config"));
        checkAutoscaledReplicas(byKind, problems);
        if (!"false".equals(config.get("LORACURVE_CREATE_TOPICS"))) {
            problems.add("services must not create topics in a cluster (LORACURVE_CREATE_TOPICS=false)");
        }
        for (JsonNode w : byKind.getOrDefault("StatefulSet", List.of())) {
            checkWorkload(w, config, byKind, problems);
        }
        for (JsonNode svc : byKind.getOrDefault("Service", List.of())) {
            svc.at("/spec/ports").forEach(p -> {
                if (p.path("appProtocol").asText().equals("grpc")) {
                    problems.add(ManifestsTest.name(svc) + ": appProtocol grpc on a TLS port misleads meshes");
                }
            });
        }
        checkMonitoring(byKind, problems);
        if (byKind.containsKey("KafkaUser")) {
            checkAcls(byKind, problems);
        }
        if (byKind.containsKey("GRPCRoute")) {
            checkRoute(byKind, problems);
        }
        assertEquals(List.of(), problems, overlay);
    }

    /** No spec.replicas where KEDA or an HPA owns the count: kubectl apply would reset it. */
    private static void checkAutoscaledReplicas(Map<String, List<JsonNode>> byKind, List<String> problems) {
        Set<String> scaled = new TreeSet<>();
        byKind.getOrDefault("ScaledObject", List.of())
                .forEach(s -> scaled.add(s.at("/spec/scaleTargetRef/name").asText()));
        byKind.getOrDefault("HorizontalPodAutoscaler", List.of())
                .forEach(s -> scaled.add(s.at("/spec/scaleTargetRef/name").asText()));
        for (JsonNode w : byKind.getOrDefault("StatefulSet", List.of())) {
            String name = w.at("/metadata/name").asText();
            if (!scaled.contains(name)) {
                problems.add(name + ": no autoscaler owns its replicas");
            } else if (w.at("/spec").has("replicas")) {
                problems.add(name + ": sets spec.replicas, which its autoscaler owns");
            }
        }
    }

    private static void checkWorkload(
            JsonNode w, Map<String, String> config, Map<String, List<JsonNode>> byKind, List<String> problems) {
        String name = w.at("/metadata/name").asText();
        JsonNode pod = w.at("/spec/template/spec");
        JsonNode c = pod.path("containers").path(0);
        Map<String, String> env = new HashMap<>(config); // env overrides envFrom
        c.path("env")
                .forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        // probes on the management port, which never asks for a client certificate
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            JsonNode get = c.path(probe).path("httpGet");
            if (!get.path("port").asText().equals("management")
                    || !get.path("scheme").asText().equals("HTTPS")) {
                problems.add(name + ": " + probe + " must be HTTPS on the management port");
            }
        }
        if (!env.get("MANAGEMENT_PORT").equals(containerPort(c, "management"))) {
            problems.add(name + ": MANAGEMENT_PORT is not its management container port");
        }
        if (w.at("/spec/template/metadata/annotations").has("prometheus.io/scrape")) {
            problems.add(name + ": prometheus.io annotations cannot say https with a CA: the PodMonitor scrapes it");
        }
        // both caches, the work folder and DJL on the cache volume; every emptyDir in ephemeral-storage
        long cacheVolume = 0;
        long emptyDirs = 0;
        for (JsonNode v : pod.path("volumes")) {
            if (v.has("emptyDir")) {
                long size = quantity(v.at("/emptyDir/sizeLimit").asText());
                emptyDirs += size;
                if (v.path("name").asText().equals("cache")) {
                    cacheVolume = size;
                }
            }
        }
        long caches = Long.parseLong(env.get("LORACURVE_CACHE_MAX_BYTES"))
                + Long.parseLong(env.get("LORACURVE_DATA_CACHE_MAX_BYTES"));
        long reserve = name.equals("gateway") ? 0 : WORK_RESERVE;
        if (caches + reserve > cacheVolume) {
            problems.add(name + ": caches of " + caches + " bytes and " + reserve
                    + " for work do not fit its cache volume of " + cacheVolume);
        }
        for (String kind : List.of("requests", "limits")) {
            String eph = c.at("/resources/" + kind).path("ephemeral-storage").asText("");
            if (eph.isEmpty() || quantity(eph) < emptyDirs) {
                problems.add(
                        name + ": ephemeral-storage " + kind + " must cover its emptyDirs (" + emptyDirs + " bytes)");
            }
        }
        // the audit log on a volume that outlives the pod
        String auditDir = env.get("LORACURVE_AUDIT_LOG").replaceAll("/[^/]*$", "");
        String auditVolume = null;
        for (JsonNode m : c.path("volumeMounts")) {
            if (m.path("mountPath").asText().equals(auditDir)) {
                auditVolume = m.path("name").asText();
            }
        }
        String audit = auditVolume;
        if (audit == null
                || StreamSupport.stream(w.at("/spec/volumeClaimTemplates").spliterator(), false)
                        .noneMatch(t -> t.at("/metadata/name").asText().equals(audit))) {
            problems.add(name + ": the audit log (" + auditDir + ") must be on a volumeClaimTemplate");
        }
        // immutable images
        String image = c.path("image").asText();
        if (!image.contains("@sha256:") && !image.matches(".*:[0-9]+\\.[0-9]+\\.[0-9]+(-gpu)?$")) {
            problems.add(name + ": image " + image + " is neither a digest nor a release version");
        }
        // libtorch's tensors are off-heap: a stage's heap gets at most a quarter of the memory
        Matcher heap = Pattern.compile("MaxRAMPercentage=([0-9.]+)").matcher(env.getOrDefault("JAVA_TOOL_OPTIONS", ""));
        if (!heap.find()) {
            problems.add(name + ": JAVA_TOOL_OPTIONS must bound the heap");
        } else if (!name.equals("gateway") && Double.parseDouble(heap.group(1)) > 25) {
            problems.add(name + ": a heap of " + heap.group(1) + "% leaves too little for libtorch's tensors");
        }
        // least privilege: its own ServiceAccount without a token, and a NetworkPolicy that selects it
        JsonNode sa =
                one(byKind, "ServiceAccount", pod.path("serviceAccountName").asText());
        if (!pod.path("serviceAccountName").asText().equals(name)
                || sa == null
                || sa.path("automountServiceAccountToken").asBoolean(true)
                || pod.path("automountServiceAccountToken").asBoolean(true)) {
            problems.add(name + ": needs a ServiceAccount of its own, with no token mounted");
        }
        Map<String, String> labels = labels(w.at("/spec/template/metadata/labels"));
        boolean isolated = byKind.getOrDefault("NetworkPolicy", List.of()).stream()
                .anyMatch(np -> labels.entrySet()
                        .containsAll(
                                labels(np.at("/spec/podSelector/matchLabels")).entrySet()));
        if (!isolated) {
            problems.add(name + ": no NetworkPolicy selects its pods");
        }
        if (name.equals("gateway")) {
            if (!pod.at("/affinity/podAntiAffinity").isObject()) {
                problems.add("gateway: replicas need anti-affinity");
            }
        }
    }

    /** Scraped over https with the services' CA; the dashboard counts each experiment once. */
    private static void checkMonitoring(Map<String, List<JsonNode>> byKind, List<String> problems) throws IOException {
        List<JsonNode> monitors = byKind.getOrDefault("PodMonitor", List.of());
        if (monitors.isEmpty()) {
            problems.add("no PodMonitor scrapes the services");
        }
        for (JsonNode m : monitors) {
            for (JsonNode e : m.at("/spec/podMetricsEndpoints")) {
                if (!e.path("scheme").asText().equalsIgnoreCase("https")
                        || !e.at("/tlsConfig/ca/secret/name").isTextual()
                        || !e.path("port").asText().equals("management")) {
                    problems.add(ManifestsTest.name(m) + ": must scrape the management port over https with the CA");
                }
            }
        }
        Set<String> alerts = new TreeSet<>();
        byKind.getOrDefault("PrometheusRule", List.of())
                .forEach(r -> r.at("/spec/groups")
                        .forEach(g -> g.path("rules")
                                .forEach(rule -> alerts.add(rule.path("alert").asText()))));
        for (String needed : List.of(
                "LoraCurveInstanceDown",
                "LoraCurveStageLagGrowing",
                "LoraCurveJobsFailing",
                "LoraCurveGpuPodPending")) {
            if (!alerts.contains(needed)) {
                problems.add("no alert " + needed);
            }
        }
        String dashboard = Files.readString(ManifestsTest.HOME.resolve("deploy/base/dashboards/loracurve.json"));
        if (dashboard.contains("sum(loracurve_experiments_active)")) {
            problems.add(
                    "the dashboard sums loracurve_experiments_active, which every gateway replica reports in full");
        }
    }

    /**
     * Each service's KafkaUser may do exactly what its descriptor says it does (its topics, its
     * group), and KEDA's may only describe the stages' input topics and groups.
     */
    private static void checkAcls(Map<String, List<JsonNode>> byKind, List<String> problems) {
        for (StageDescriptor d : StageDescriptor.values()) {
            Set<String> expected = new TreeSet<>();
            for (String t : d.topics()) {
                expected.add("topic " + t + " literal Describe");
                if (d.reads().contains(t)) {
                    expected.add("topic " + t + " literal Read");
                }
                if (d.publishes().contains(t)) {
                    expected.add("topic " + t + " literal Write");
                }
            }
            String pattern = d == StageDescriptor.GATEWAY ? "prefix" : "literal";
            expected.add("group " + d.groupPrefix() + " " + pattern + " Read");
            compareAcls("loracurve-" + d.serviceName(), expected, byKind, problems);
        }
        Set<String> keda = new TreeSet<>();
        for (JsonNode so : byKind.getOrDefault("ScaledObject", List.of())) {
            JsonNode md = so.at("/spec/triggers/0/metadata");
            keda.add("topic " + md.path("topic").asText() + " literal Describe");
            keda.add("group " + md.path("consumerGroup").asText() + " literal Describe");
        }
        compareAcls("loracurve-keda", keda, byKind, problems);
        JsonNode kafka = one(byKind, "Kafka", "loracurve");
        if (kafka != null
                && !kafka.at("/spec/kafka/authorization/type").asText().equals("simple")) {
            problems.add("the Kafka cluster must enforce the users' ACLs (authorization: simple)");
        }
        for (JsonNode w : byKind.getOrDefault("StatefulSet", List.of())) {
            String name = w.at("/metadata/name").asText();
            if (!w.toString().contains("\"name\":\"loracurve-" + name + "\"")) {
                problems.add(name + ": must mount its own KafkaUser's Secret loracurve-" + name);
            }
        }
    }

    private static void compareAcls(
            String user, Set<String> expected, Map<String, List<JsonNode>> byKind, List<String> problems) {
        JsonNode u = one(byKind, "KafkaUser", user);
        if (u == null) {
            problems.add("no KafkaUser " + user);
            return;
        }
        Set<String> granted = new TreeSet<>();
        for (JsonNode acl : u.at("/spec/authorization/acls")) {
            JsonNode r = acl.path("resource");
            for (JsonNode op : acl.path("operations")) {
                granted.add(r.path("type").asText() + " " + r.path("name").asText() + " "
                        + r.path("patternType").asText("literal") + " " + op.asText());
            }
        }
        if (!granted.equals(expected)) {
            problems.add("KafkaUser " + user + " grants " + granted + " but its service uses " + expected);
        }
    }

    /** The route reaches the gateway's gRPC port, over TLS both ways, and the gateway scales on its own. */
    private static void checkRoute(Map<String, List<JsonNode>> byKind, List<String> problems) {
        JsonNode route = byKind.get("GRPCRoute").get(0);
        JsonNode backend = route.at("/spec/rules/0/backendRefs/0");
        if (!backend.path("name").asText().equals("gateway")
                || backend.path("port").asInt() != 8080) {
            problems.add("the GRPCRoute must reach Service gateway:8080");
        }
        JsonNode gw = byKind.get("Gateway").get(0);
        if (!gw.at("/spec/listeners/0/tls/mode").asText().equals("Terminate")) {
            problems.add("the Gateway must terminate TLS for other teams' clients");
        }
        JsonNode policy = one(byKind, "BackendTLSPolicy", "gateway");
        if (policy == null
                || !policy.at("/spec/targetRefs/0/name").asText().equals("gateway")
                || !policy.at("/spec/validation/hostname").isTextual()
                || !policy.at("/spec/validation/caCertificateRefs/0/name").isTextual()) {
            problems.add("a BackendTLSPolicy must make the proxy verify the gateway's TLS port");
        }
        boolean predictions = false;
        for (JsonNode rule : route.path("spec").path("rules")) {
            boolean named = rule.path("matches").findValuesAsText("service").contains("loracurve.v1.PredictionService");
            JsonNode to = rule.at("/backendRefs/0");
            predictions |= named
                    && to.path("name").asText().equals("eval-svc")
                    && to.path("port").asInt() == 8080;
        }
        if (!predictions) {
            problems.add("the GRPCRoute must route loracurve.v1.PredictionService to Service eval-svc:8080");
        }
        JsonNode evalPolicy = one(byKind, "BackendTLSPolicy", "eval-svc");
        if (evalPolicy == null
                || !evalPolicy.at("/spec/validation/hostname").asText().equals("eval-svc.loracurve.svc")) {
            problems.add("a BackendTLSPolicy must make the proxy verify the eval stage's TLS port");
        }
        if (one(byKind, "HorizontalPodAutoscaler", "gateway") == null) {
            problems.add("the gateway needs a HorizontalPodAutoscaler");
        }
    }

    private static JsonNode one(Map<String, List<JsonNode>> byKind, String kind, String name) {
        return byKind.getOrDefault(kind, List.of()).stream()
                .filter(d -> d.at("/metadata/name").asText().equals(name))
                .findFirst()
                .orElse(null);
    }

    private static Map<String, String> data(JsonNode configMap) {
        return labels(configMap.path("data"));
    }

    /** A YAML map of strings (labels, a ConfigMap's data) as a Java map. */
    private static Map<String, String> labels(JsonNode node) {
        Map<String, String> out = new HashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static String containerPort(JsonNode container, String name) {
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals(name)) {
                return p.path("containerPort").asText();
            }
        }
        return "";
    }

    /** Bytes of a Kubernetes quantity with a binary suffix (Gi, Mi, Ki) or none. */
    static long quantity(String q) {
        Matcher m = Pattern.compile("([0-9]+)(Ki|Mi|Gi|Ti)?").matcher(q);
        assertTrue(m.matches(), "quantity " + q);
        int shift = m.group(2) == null
                ? 0
                : switch (m.group(2)) {
                    case "Ki" -> 10;
                    case "Mi" -> 20;
                    case "Gi" -> 30;
                    default -> 40;
                };
        return Long.parseLong(m.group(1)) << shift;
    }
}
