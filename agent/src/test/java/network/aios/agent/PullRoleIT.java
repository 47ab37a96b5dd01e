package network.aios.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import network.aios.api.Json;
import network.aios.server.KubeTestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The pull role on a real API server, against a stub control plane that follows docs/PULL.md: it exchanges the
 * bootstrap token once and keeps the credential for its owner only, applies the desired set and reports what it
 * did, reports again when a Deployment's readiness changes, puts back what is deleted at the next resync, prunes
 * only its own stamped objects, removes everything of its own on {@code remove: true}, rotates an old
 * credential, and stops when its credential is revoked. The agent reads the test cluster's own kubeconfig
 * (which names its CA by file) as kubectl would.
 */
class PullRoleIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SELECTOR_LABEL = "aios.network/cluster";

    private KubeTestCluster kube;
    private PullStubControlPlane cp;
    private AgentMain.Running agent;
    private String ns;
    private String stamp;

    @BeforeEach
    void setUp() {
        kube = KubeTestCluster.shared();
        cp = new PullStubControlPlane();
        ns = "pull-it-" + Long.toHexString(System.nanoTime());
        stamp = "cluster/" + PullStubControlPlane.CLUSTER_ID + "@" + Long.toHexString(System.nanoTime());
        kube.admin
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(ns)
                        .endMetadata()
                        .build())
                .create();
    }

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
        cp.close();
        kube.admin.namespaces().withName(ns).delete();
    }

    @Test
    void joinsAppliesReportsRepairsPrunesItsOwnAndRemoves(@TempDir Path dir) throws Exception {
        // before the agent: one of this registration's objects no longer desired, and someone else's alike
        kube.admin.resource(configMap("stale", stamp)).create();
        kube.admin.resource(configMap("foreign", null)).create();
        String rev1 = cp.serve(desired(3600, configMapJson("cm-a"), serviceJson("svc-a"), deploymentJson("web")));

        Path state = dir.resolve("state");
        agent = start(dir, state, cp.bootstrapToken);

        JsonNode first = cp.awaitReport(r -> rev1.equals(r.path("revision").asString()), WAIT, "the first report");
        assertThat(outcome(first, "ConfigMap", "cm-a")).isEqualTo("created");
        assertThat(outcome(first, "Service", "svc-a")).isEqualTo("created");
        assertThat(outcome(first, "Deployment", "web")).isEqualTo("created");
        assertThat(outcome(first, "ConfigMap", "stale"))
                .as("stamped, not desired")
                .isEqualTo("pruned");
        assertThat(outcome(first, "ConfigMap", "foreign")).as("never touched").isNull();
        assertThat(first.at("/results/0/uid").asString()).isNotBlank();
        assertThat(first.get("removed").asBoolean()).isFalse();
        assertThat(first.get("notReady")).hasSize(1);
        assertThat(first.at("/notReady/0").asString()).isEqualTo("web (0/1)");

        // the exchange: once, with the cluster's identity; the credential kept for its owner only
        assertThat(cp.exchanges.get()).isEqualTo(1);
        assertThat(cp.clusterUid)
                .isEqualTo(kube.admin
                        .namespaces()
                        .withName("kube-system")
                        .get()
                        .getMetadata()
                        .getUid());
        Path credential = state.resolve("credential");
        assertThat(Files.readString(credential)).isEqualTo(cp.issued.get(0));
        assertThat(Files.getPosixFilePermissions(credential))
                .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        assertThat(get("cm-a")).isNotNull();
        assertThat(get("stale")).isNull();
        assertThat(get("foreign")).isNotNull();

        // readiness: the Deployment scaled to nothing is available, and the agent says so without a resync
        kube.admin.apps().deployments().inNamespace(ns).withName("web").scale(0);
        JsonNode ready = cp.awaitReport(r -> r.get("notReady").isEmpty(), WAIT, "a report of readiness");
        assertThat(ready.path("revision").asString()).isEqualTo(rev1);

        // drift repair: with a short resync, what is deleted on the cluster comes back
        String rev2 = cp.serve(desired(2, configMapJson("cm-a"), serviceJson("svc-a"), deploymentJson("web")));
        JsonNode again = cp.awaitReport(r -> rev2.equals(r.path("revision").asString()), WAIT, "revision 2");
        for (String[] o : List.of(
                new String[] {"ConfigMap", "cm-a"}, new String[] {"Service", "svc-a"}, new String[] {"Deployment", "web"
                })) {
            assertThat(outcome(again, o[0], o[1])).as(o[1]).isEqualTo("unchanged");
        }
        cp.forgetReports(); // from now on, a report of cm-a created can only follow its deletion
        kube.admin.configMaps().inNamespace(ns).withName("cm-a").delete();
        KubeTestCluster.await(() -> get("cm-a") == null, WAIT, "cm-a deleted");
        JsonNode repaired =
                cp.awaitReport(r -> "created".equals(outcome(r, "ConfigMap", "cm-a")), WAIT, "cm-a put back");
        assertThat(repaired.path("revision").asString()).isEqualTo(rev2);
        assertThat(get("cm-a")).isNotNull();
        // and what is edited is put back
        cp.forgetReports();
        kube.admin.configMaps().inNamespace(ns).withName("cm-a").edit(c -> {
            c.getData().put("greeting", "edited");
            return c;
        });
        cp.awaitReport(r -> "patched".equals(outcome(r, "ConfigMap", "cm-a")), WAIT, "cm-a put back as it was");
        assertThat(get("cm-a").getData()).containsEntry("greeting", "hello");

        // no longer desired: this registration's Service is pruned; the unstamped ConfigMap still is not
        String rev3 = cp.serve(desired(2, configMapJson("cm-a"), deploymentJson("web")));
        JsonNode pruned = cp.awaitReport(r -> rev3.equals(r.path("revision").asString()), WAIT, "revision 3");
        assertThat(outcome(pruned, "Service", "svc-a")).isEqualTo("pruned");
        assertThat(outcome(pruned, "ConfigMap", "foreign")).isNull();
        assertThat(kube.admin.services().inNamespace(ns).withName("svc-a").get())
                .isNull();
        assertThat(get("foreign")).isNotNull();

        // removal: everything of this registration's is deleted, reported, and the role stops
        ObjectNode removal = desired(2);
        removal.put("remove", true);
        String rev4 = cp.serve(removal);
        JsonNode removed = cp.awaitReport(r -> r.path("removed").asBoolean(), WAIT, "the removal report");
        assertThat(removed.path("revision").asString()).isEqualTo(rev4);
        assertThat(outcome(removed, "ConfigMap", "cm-a")).isEqualTo("deleted");
        assertThat(outcome(removed, "Deployment", "web")).isEqualTo("deleted");
        assertThat(outcome(removed, "ConfigMap", "foreign")).isNull();
        assertThat(agent.finished().get(30, TimeUnit.SECONDS)).isZero();
        assertThat(get("cm-a")).isNull();
        assertThat(kube.admin
                        .apps()
                        .deployments()
                        .inNamespace(ns)
                        .withName("web")
                        .get())
                .isNull();
        assertThat(get("foreign")).isNotNull();
        assertThat(cp.exchanges.get()).isEqualTo(1);

        // the agent still answers, and tells nothing secret
        JsonNode status = agentGet("/status");
        assertThat(status.get("state").asString()).isEqualTo("removed");
        assertThat(status.get("lastRevision").asString()).isEqualTo(rev3);
        assertThat(status.get("clusterId").asString()).isEqualTo(PullStubControlPlane.CLUSTER_ID);
        assertThat(status.toString()).doesNotContain(cp.issued.get(0)).doesNotContain(cp.bootstrapToken);
        assertThat(agentGet("/healthz").get("role").asString()).isEqualTo("pull");
    }

    @Test
    void anOldKeptCredentialIsRotatedAndARevokedOneStopsTheRole(@TempDir Path dir) throws Exception {
        Path state = Files.createDirectory(dir.resolve("state"));
        String kept = cp.issue();
        new PullCredentialFile(state).save(kept);
        Files.setLastModifiedTime(
                state.resolve("credential"), FileTime.from(Instant.now().minus(Duration.ofHours(25))));
        cp.serve(desired(3600, configMapJson("cm-a")));
        cp.revokeOnDesired = true;

        agent = start(dir, state, cp.bootstrapToken);

        assertThat(agent.finished().get(60, TimeUnit.SECONDS))
                .as("revoked: a non-zero exit")
                .isEqualTo(1);
        assertThat(cp.exchanges.get())
                .as("a kept credential is used, not the token")
                .isZero();
        assertThat(cp.rotations.get()).isEqualTo(1);
        String rotated = cp.issued.get(1);
        assertThat(Files.readString(state.resolve("credential"))).isEqualTo(rotated);
        assertThat(Files.getPosixFilePermissions(state.resolve("credential")))
                .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        assertThat(cp.desiredCalls).containsExactly(rotated);
        assertThat(agentGet("/status").get("state").asString()).isEqualTo("revoked");
        assertThat(get("cm-a")).as("nothing applied").isNull();
    }

    @Test
    void aRefusedBootstrapTokenStopsTheRole(@TempDir Path dir) throws Exception {
        agent = start(dir, dir.resolve("state"), "aiosjoin_0000000000000000_notTheTokenTheControlPlaneIssued000000");
        assertThat(agent.finished().get(60, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(agentGet("/status").get("state").asString()).isEqualTo("bootstrap-refused");
        assertThat(Files.exists(dir.resolve("state").resolve("credential"))).isFalse();
    }

    @Test
    void inAPodTheCredentialIsKeptInASecretOfTheAgentsNamespace() throws Exception {
        java.time.Clock clock = java.time.Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), java.time.ZoneOffset.UTC);
        PullCredentialSecret store = new PullCredentialSecret(kube.admin, ns, clock);
        assertThat(store.load()).isEmpty();
        store.save("aios_0123456789abcdef_first");
        var secret = kube.admin
                .secrets()
                .inNamespace(ns)
                .withName("aios-pull-credential")
                .get();
        assertThat(new String(
                        java.util.Base64.getDecoder().decode(secret.getData().get("credential")),
                        java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("aios_0123456789abcdef_first");
        store.save("aios_0123456789abcdef_second");
        var kept = store.load().orElseThrow();
        assertThat(kept.secret()).isEqualTo("aios_0123456789abcdef_second");
        assertThat(kept.storedAt()).isEqualTo(clock.instant());
        assertThat(store.where()).isEqualTo("Secret " + ns + "/aios-pull-credential");
    }

    private AgentMain.Running start(Path dir, Path state, String bootstrapToken) throws Exception {
        Path token = Files.writeString(dir.resolve("bootstrap-token"), bootstrapToken);
        AgentMain main = new AgentMain();
        new CommandLine(main)
                .parseArgs(
                        "--role=pull",
                        "--port=0",
                        "--host=127.0.0.1",
                        "--control-plane=" + cp.url(),
                        "--bootstrap-token-file=" + token,
                        "--state-dir=" + state,
                        "--kubeconfig=" + kube.kubeconfig);
        return main.start();
    }

    private ObjectNode desired(int resyncSeconds, ObjectNode... objects) {
        ObjectNode d = Json.object()
                .put("clusterId", PullStubControlPlane.CLUSTER_ID)
                .put("remove", false)
                .put("fieldManager", "aios-pull-agent");
        ArrayNode waves = d.putArray("waves");
        if (objects.length > 0) {
            ObjectNode wave = waves.addObject().put("name", "services");
            ArrayNode list = wave.putArray("objects");
            for (ObjectNode o : objects) {
                list.add(o);
            }
        }
        ObjectNode prune = d.putObject("prune").put("namespace", ns).put("stamp", stamp);
        prune.putObject("selector").put(SELECTOR_LABEL, PullStubControlPlane.CLUSTER_ID);
        ArrayNode kinds = prune.putArray("kinds");
        kinds.addObject().put("apiVersion", "v1").put("kind", "ConfigMap");
        kinds.addObject().put("apiVersion", "v1").put("kind", "Service");
        kinds.addObject().put("apiVersion", "apps/v1").put("kind", "Deployment");
        ArrayNode deployments = d.putArray("deployments");
        for (ObjectNode o : objects) {
            if ("Deployment".equals(o.get("kind").asString())) {
                deployments.add(o.at("/metadata/name").asString());
            }
        }
        d.put("resyncSeconds", resyncSeconds);
        return d;
    }

    private ObjectNode object(String apiVersion, String kind, String name) {
        ObjectNode o = Json.object().put("apiVersion", apiVersion).put("kind", kind);
        ObjectNode m = o.putObject("metadata").put("name", name).put("namespace", ns);
        m.putObject("labels").put(SELECTOR_LABEL, PullStubControlPlane.CLUSTER_ID);
        m.putObject("annotations").put(PullPrune.STAMP_ANNOTATION, stamp);
        return o;
    }

    private ObjectNode configMapJson(String name) {
        ObjectNode o = object("v1", "ConfigMap", name);
        o.putObject("data").put("greeting", "hello");
        return o;
    }

    private ObjectNode serviceJson(String name) {
        ObjectNode o = object("v1", "Service", name);
        ObjectNode spec = o.putObject("spec");
        spec.putObject("selector").put("app", "web");
        // v1.20's server-side apply needs the protocol of every port spelt out
        spec.putArray("ports")
                .addObject()
                .put("port", 80)
                .put("targetPort", 8080)
                .put("protocol", "TCP");
        return o;
    }

    /** No {@code replicas}: the API server defaults it to 1, and a scale by someone else is not undone. */
    private ObjectNode deploymentJson(String name) {
        ObjectNode o = object("apps/v1", "Deployment", name);
        ObjectNode spec = o.putObject("spec");
        spec.putObject("selector").putObject("matchLabels").put("app", name);
        ObjectNode template = spec.putObject("template");
        template.putObject("metadata").putObject("labels").put("app", name);
        template.putObject("spec")
                .putArray("containers")
                .addObject()
                .put("name", "web")
                .put("image", "aios/web:1");
        return o;
    }

    private HasMetadata configMap(String name, String ownerStamp) {
        ConfigMapBuilder b = new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .withLabels(Map.of(SELECTOR_LABEL, PullStubControlPlane.CLUSTER_ID))
                .endMetadata();
        if (ownerStamp != null) {
            b.editMetadata()
                    .withAnnotations(Map.of(PullPrune.STAMP_ANNOTATION, ownerStamp))
                    .endMetadata();
        }
        return b.build();
    }

    private io.fabric8.kubernetes.api.model.ConfigMap get(String name) {
        return kube.admin.configMaps().inNamespace(ns).withName(name).get();
    }

    /** The outcome a report gives an object, null when it names it not. */
    private static String outcome(JsonNode report, String kind, String name) {
        List<String> found = new ArrayList<>();
        for (JsonNode r : report.path("results")) {
            if (kind.equals(r.path("kind").asString())
                    && name.equals(r.path("name").asString())) {
                found.add(r.path("outcome").asString());
            }
        }
        assertThat(found).as("results for " + kind + " " + name).hasSizeLessThanOrEqualTo(1);
        return found.isEmpty() ? null : found.get(0);
    }

    private JsonNode agentGet(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return Json.parse(r.body());
    }
}
