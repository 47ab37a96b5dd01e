package network.aios.server.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import network.aios.api.Json;
import network.aios.egress.EgressGuard;
import network.aios.member.ClusterOps;
import network.aios.member.Fabric8ClusterOps;
import network.aios.member.desired.AddonDeployment;
import network.aios.member.desired.InfraNames;
import network.aios.member.desired.Owner;
import network.aios.server.KubeTestCluster;
import network.aios.server.KubeletStandIn;
import network.aios.server.TestServer;
import network.aios.server.TestServer.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Several registrations on one member cluster, on a real kube-apiserver: a removal deletes only what its own
 * registration made. A cluster registration that never had infrastructure removes nothing of another's; two
 * executors share their namespace and removing one leaves the other running; a removal racing another
 * registration's create never deletes what that create made; and the API server itself refuses the namespace
 * deletion a claim landed before.
 */
class SharedClusterIT {
    static KubeTestCluster kube;
    static TestServer server;
    static List<KubeletStandIn> kubelets;

    @BeforeAll
    static void start() {
        kube = KubeTestCluster.shared();
        kube.prepare(List.of("node-1", "node-2"));
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        kube.awaitNamespaceGone(AddonDeployment.EXECUTOR_NAMESPACE);
        server = new TestServer();
        kubelets = List.of(
                kube.fakeKubelet(InfraNames.NAMESPACE, 600), kube.fakeKubelet(AddonDeployment.EXECUTOR_NAMESPACE, 600));
    }

    @AfterAll
    static void stop() {
        if (kubelets != null) {
            kubelets.forEach(KubeletStandIn::close);
        }
        if (server != null) {
            server.close();
        }
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        kube.awaitNamespaceGone(AddonDeployment.EXECUTOR_NAMESPACE);
    }

    static String kubeconfigJson() {
        return Json.MAPPER.writeValueAsString(Json.YAML.readTree(kube.ownerKubeconfigYaml()));
    }

    static void register(String id) {
        assertThat(server.post("/api/createCluster", TestServer.seedWithId(id), server.adminToken)
                        .status())
                .isEqualTo(201);
    }

    static String clusterInfra(String path, String id) {
        Answer a = server.post(
                path,
                "{\"cluster_id\": \"" + id + "\", \"kube_config_data\": " + kubeconfigJson() + "}",
                server.adminToken);
        assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
        return a.text("/job_id");
    }

    static String item(JsonNode job, String object) {
        for (JsonNode i : job.at("/receipt/items")) {
            if (object.equals(i.path("object").asString())) {
                return i.path("outcome").asString()
                        + (i.has("reason") ? ": " + i.path("reason").asString() : "");
            }
        }
        throw new AssertionError("no " + object + " in " + job);
    }

    @Test
    void removingARegistrationWithoutInfrastructureLeavesAnothersRunning() {
        register("shared-a");
        register("shared-b");
        server.awaitJob(clusterInfra("/create-cluster-infra", "shared-a"), "Ready");

        // the second registration may not move in where the first one's services live
        Answer refused = server.post(
                "/create-cluster-infra",
                "{\"cluster_id\": \"shared-b\", \"kube_config_data\": " + kubeconfigJson() + "}",
                server.adminToken);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body().at("/error/details").toString())
                .contains("/preflight/namespace", "holds the AIOS services of cluster shared-a");

        // the ordinary mistake: removing the registration that never had infrastructure, with the owner's kubeconfig
        JsonNode removal = server.awaitJob(clusterInfra("/remove-cluster-infra", "shared-b"), "Removed");
        assertThat(removal.get("reason").asString()).isEqualTo("NothingToRemove");
        assertThat(item(removal, "Namespace aios-system"))
                .isEqualTo("kept: it holds cluster shared-a, not cluster shared-b");

        // the first registration's infrastructure is untouched, and its own credential still works
        assertThat(kube.admin
                        .namespaces()
                        .withName(InfraNames.NAMESPACE)
                        .get()
                        .getMetadata()
                        .getDeletionTimestamp())
                .isNull();
        assertThat(kube.admin
                        .apps()
                        .deployments()
                        .inNamespace(InfraNames.NAMESPACE)
                        .list()
                        .getItems())
                .hasSize(4);
        assertThat(server.get("/api/v1/clusters/shared-a", server.adminToken).text("/status"))
                .isEqualTo("degraded");
        Answer route = server.post(
                "/api/v1/clusters/shared-a/routes",
                "{\"kind\": \"task\", \"id\": \"shared-task\", \"service\": \"svc.default:80\"}",
                server.adminToken);
        assertThat(route.status())
                .as("applied with shared-a's own credential: " + route.body())
                .isEqualTo(201);

        // and its own removal takes everything, the namespace last
        try (AutoCloseable terminator = kube.podTerminator(InfraNames.NAMESPACE)) {
            JsonNode own = server.awaitJob(clusterInfra("/remove-cluster-infra", "shared-a"), "Removed");
            assertThat(item(own, "Namespace aios-system")).isEqualTo("deleted");
            assertThat(own.at("/receipt/clean").asBoolean()).isTrue();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        assertThat(kube.admin.namespaces().withName(InfraNames.NAMESPACE).get()).isNull();
    }

    static String registerExecutor(String id, int nodePort) {
        Answer a = server.post(
                "/executor",
                "{\"executor_id\": \"" + id + "\", \"executor_node_port\": " + nodePort + "}",
                server.adminToken);
        assertThat(a.status()).as(a.body().toString()).isEqualTo(201);
        return id;
    }

    static String executorInfra(String id, boolean create) {
        Answer a = create
                ? server.post(
                        "/executor/" + id + "/create-infra",
                        "{\"cluster_config\": " + kubeconfigJson() + "}",
                        server.adminToken)
                : server.send(
                        "DELETE",
                        "/executor/" + id + "/remove-infra",
                        ("{\"cluster_config\": " + kubeconfigJson() + "}").getBytes(),
                        server.adminToken);
        assertThat(a.status()).as(a.body().toString()).isIn(200, 202);
        return a.text("/job_id");
    }

    static boolean deployed(String id) {
        return kube.admin
                        .apps()
                        .deployments()
                        .inNamespace(AddonDeployment.EXECUTOR_NAMESPACE)
                        .withName(id)
                        .get()
                != null;
    }

    static Map<String, String> claims() {
        return Owner.claims(Owner.NamespaceState.of(kube.admin
                .namespaces()
                .withName(AddonDeployment.EXECUTOR_NAMESPACE)
                .get()));
    }

    @Test
    void executorsShareTheirNamespaceAndTheLastOneTakesIt() throws Exception {
        registerExecutor("shared-exec-1", 30911);
        registerExecutor("shared-exec-2", 30912);
        registerExecutor("never-deployed", 30913);
        server.awaitJob(executorInfra("shared-exec-1", true), "Ready");
        server.awaitJob(executorInfra("shared-exec-2", true), "Ready");
        assertThat(claims())
                .containsOnlyKeys(
                        "executor.claims.aios.network/shared-exec-1", "executor.claims.aios.network/shared-exec-2");

        // an executor that was never deployed: nothing of the others goes
        JsonNode nothing = server.awaitJob(executorInfra("never-deployed", false), "Removed");
        assertThat(nothing.get("reason").asString()).isEqualTo("NothingToRemove");
        assertThat(deployed("shared-exec-1") && deployed("shared-exec-2")).isTrue();

        // removing one leaves the other running, its identity in place
        JsonNode one = server.awaitJob(executorInfra("shared-exec-2", false), "Removed");
        assertThat(item(one, "Deployment policies-system/shared-exec-2")).isEqualTo("deleted");
        assertThat(item(one, "Namespace policies-system")).isEqualTo("kept: shared with executor shared-exec-1");
        assertThat(item(one, "ServiceAccount policies-system/" + InfraNames.CONTROL_PLANE_SA))
                .startsWith("kept_shared");
        assertThat(deployed("shared-exec-2")).isFalse();
        assertThat(deployed("shared-exec-1")).isTrue();
        assertThat(claims()).containsOnlyKeys("executor.claims.aios.network/shared-exec-1");
        assertThat(server.get("/executor/shared-exec-1", server.adminToken).text("/system/infra/status"))
                .isEqualTo("ready");

        // the last one takes the namespace, with its own credential (no kubeconfig)
        try (AutoCloseable terminator = kube.podTerminator(AddonDeployment.EXECUTOR_NAMESPACE)) {
            Answer last = server.send("DELETE", "/executor/shared-exec-1/remove-infra", null, server.adminToken);
            JsonNode removed = server.awaitJob(last.text("/job_id"), "Removed");
            // deleted; with its own credential, whose token lived there, the removal may not see the end (it says so)
            assertThat(item(removed, "Namespace policies-system")).startsWith("deleted");
        }
        KubeTestCluster.await(
                () -> kube.admin
                                .namespaces()
                                .withName(AddonDeployment.EXECUTOR_NAMESPACE)
                                .get()
                        == null,
                Duration.ofMinutes(2),
                "namespace policies-system to be gone");
    }

    @Test
    void aRemovalRacingAnotherRegistrationsCreateNeverDeletesWhatTheCreateMade() throws Exception {
        registerExecutor("race-old", 30921);
        registerExecutor("race-new", 30922);
        server.awaitJob(executorInfra("race-old", true), "Ready");

        // both at once: whichever way the namespace decision falls, race-new ends up running
        try (AutoCloseable terminator = kube.podTerminator(AddonDeployment.EXECUTOR_NAMESPACE)) {
            String removal = server.send("DELETE", "/executor/race-old/remove-infra", null, server.adminToken)
                    .text("/job_id");
            String create = executorInfra("race-new", true);
            server.awaitJob(removal, "Removed");
            server.awaitJob(create, "Ready");
        }
        assertThat(deployed("race-new")).isTrue();
        assertThat(deployed("race-old")).isFalse();
        // race-old's claim may stay (its removal ran with the control plane's own credential, which may not patch
        // a namespace): it no longer counts, as the last removal shows
        assertThat(claims()).containsKey("executor.claims.aios.network/race-new");

        try (AutoCloseable terminator = kube.podTerminator(AddonDeployment.EXECUTOR_NAMESPACE)) {
            server.awaitJob(executorInfra("race-new", false), "Removed");
        }
    }

    @Test
    void eachApplySaysWhetherItCreatedPatchedOrLeftTheObjectAsItWas() {
        try (ClusterOps ops = new Fabric8ClusterOps(
                io.fabric8.kubernetes.client.Config.fromKubeconfig(kube.ownerKubeconfigYaml()),
                network.aios.member.GuardedHttpClients.factory(EgressGuard.of(List.of("127.0.0.0/8"), () -> -1)))) {
            java.util.function.Function<String, io.fabric8.kubernetes.api.model.ConfigMap> map =
                    v -> new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                            .withNewMetadata()
                            .withName("aios-outcome-it")
                            .withNamespace("default")
                            .endMetadata()
                            .withData(Map.of("k", v))
                            .build();
            ClusterOps.Applied created = ops.apply(map.apply("1"));
            assertThat(created.outcome()).isEqualTo(ClusterOps.Outcome.CREATED);
            assertThat(created.before()).isEmpty();
            ClusterOps.Applied same = ops.apply(map.apply("1"));
            assertThat(same.outcome()).isEqualTo(ClusterOps.Outcome.NOOP);
            assertThat(same.revision()).isEqualTo(created.revision());
            ClusterOps.Applied patched = ops.apply(map.apply("2"));
            assertThat(patched.outcome()).isEqualTo(ClusterOps.Outcome.PATCHED);
            assertThat(patched.before()).contains(created.revision());
            assertThat(patched.revision()).isNotEqualTo(created.revision());
        } finally {
            kube.admin
                    .configMaps()
                    .inNamespace("default")
                    .withName("aios-outcome-it")
                    .delete();
        }
    }

    @Test
    void theApiServerRefusesANamespaceDeletionThatAClaimLandedBefore() {
        String ns = "aios-claims-it";
        kube.awaitNamespaceGone(ns);
        kube.admin
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(ns)
                        .endMetadata()
                        .build())
                .create();
        try (ClusterOps ops = new Fabric8ClusterOps(
                io.fabric8.kubernetes.client.Config.fromKubeconfig(kube.ownerKubeconfigYaml()),
                network.aios.member.GuardedHttpClients.factory(EgressGuard.of(List.of("127.0.0.0/8"), () -> -1)))) {
            Owner a = Owner.addon(network.aios.api.AddonKind.EXECUTOR, "a", "i1");
            Owner b = Owner.addon(network.aios.api.AddonKind.EXECUTOR, "b", "i2");
            ops.annotateNamespace(ns, a.claimKey(), a.incarnation());
            // a's removal releases its claim and looks: nobody else claims it
            Owner.NamespaceState looked =
                    ops.annotateNamespace(ns, a.claimKey(), null).orElseThrow();
            assertThat(Owner.claims(looked)).isEmpty();
            // b's create claims it before a's delete arrives
            ops.annotateNamespace(ns, b.claimKey(), b.incarnation());
            assertThat(ops.delete(
                            new network.aios.member.desired.ObjectRef("v1", "Namespace", null, ns, looked.uid()),
                            looked.resourceVersion()))
                    .isEqualTo(ClusterOps.Deletion.CONFLICT);
            Owner.NamespaceState now = ops.namespace(ns).orElseThrow();
            assertThat(now.terminating()).isFalse();
            assertThat(b.holds(now)).isTrue();
            // applying the namespace for one registration (server-side apply) keeps every other's claim
            ops.apply(new NamespaceBuilder()
                    .withNewMetadata()
                    .withName(ns)
                    .withLabels(Map.of(InfraNames.MANAGED_BY_LABEL, InfraNames.MANAGED_BY))
                    .endMetadata()
                    .build());
            assertThat(b.holds(ops.namespace(ns).orElseThrow())).isTrue();
            assertThat(ops.delete(
                            new network.aios.member.desired.ObjectRef("v1", "Namespace", null, ns, now.uid()),
                            ops.namespace(ns).orElseThrow().resourceVersion()))
                    .isEqualTo(ClusterOps.Deletion.DELETED);
        }
        kube.awaitNamespaceGone(ns);
    }
}
