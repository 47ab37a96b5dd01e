package network.aios.server.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import network.aios.api.AddonKind;
import network.aios.api.Json;
import network.aios.member.desired.AddonDeployment;
import network.aios.member.desired.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.SeedCurl;
import network.aios.server.TestServer;
import network.aios.server.TestServer.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The seed's "Deploying Policy Executor" and "Deploying Model Splitter" against a real kube-apiserver,
 * with its curl commands: deploy through the same job machinery as a cluster's infrastructure, find
 * the seed's NodePorts and route, remove, and find nothing of ours left.
 */
class AddonInfraIT {
    static KubeTestCluster kube;
    static TestServer server;
    static List<network.aios.server.KubeletStandIn> kubelets;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        kube = KubeTestCluster.shared();
        kube.prepare(List.of("node-1", "node-2"));
        kube.awaitNamespaceGone(AddonDeployment.EXECUTOR_NAMESPACE);
        kube.awaitNamespaceGone(AddonDeployment.SPLIT_RUNNER_NAMESPACE);
        server = new TestServer();
        assertThat(server.send("POST", "/api/createCluster", TestServer.example("cluster.json"), server.adminToken)
                        .status())
                .isEqualTo(201);
        kubelets = List.of(
                kube.fakeKubelet(AddonDeployment.EXECUTOR_NAMESPACE, 600),
                kube.fakeKubelet(AddonDeployment.SPLIT_RUNNER_NAMESPACE, 600));
        dir = Files.createTempDirectory("seed-addons");
        Files.copy(Path.of("..", "examples", "executor.json"), dir.resolve("executor.json"));
    }

    @AfterAll
    static void stop() {
        if (kubelets != null) {
            kubelets.forEach(network.aios.server.KubeletStandIn::close);
        }
        if (server != null) {
            server.close();
        }
    }

    /** The owner's admin kubeconfig as JSON, for the seed's {@code <kubeconfig JSON>}. */
    static String kubeconfigJson() {
        return Json.MAPPER.writeValueAsString(Json.YAML.readTree(kube.ownerKubeconfigYaml()));
    }

    static JsonNode curl(String method, String path) throws Exception {
        return SeedCurl.run(SeedCurl.pointed(server, method, path).replace("<kubeconfig JSON>", kubeconfigJson()), dir);
    }

    static JsonNode awaitJob(String id, String state) {
        return server.awaitJob(id, state);
    }

    @Test
    void thePolicyExecutorIsDeployedAndRemovedAsTheSeedShows() throws Exception {
        JsonNode registered = curl("POST", "/executor");
        assertThat(registered.get("id").asString()).isEqualTo("executor-001");

        JsonNode created = curl("POST", "/executor/executor-001/create-infra");
        assertThat(created.get("addon_id").asString()).as(created.toString()).isEqualTo("executor-001");
        JsonNode job = awaitJob(created.get("job_id").asString(), "Ready");
        assertThat(job.get("addonKind").asString()).isEqualTo("executor");

        // the seed's endpoints: Service executor-001.policies-system on 10250, NodePort 30900, route /executor/<id>/
        Service svc = kube.admin
                .services()
                .inNamespace("policies-system")
                .withName("executor-001")
                .get();
        assertThat(svc.getSpec().getPorts().get(0).getPort()).isEqualTo(10250);
        assertThat(svc.getSpec().getPorts().get(0).getNodePort()).isEqualTo(30900);
        var mapping = kube.admin
                .genericKubernetesResources("getambassador.io/v3alpha1", "Mapping")
                .inNamespace("policies-system")
                .withName("executor-001")
                .get();
        assertThat(((Map<?, ?>) mapping.getAdditionalProperties().get("spec")).get("prefix"))
                .isEqualTo("/executor/executor-001/");
        JsonNode executor =
                server.get("/executor/executor-001", server.adminToken).body();
        assertThat(executor.at("/system/infra/status").asString()).isEqualTo("ready");
        // bound to the seed cluster: reached on its public host name at the NodePort
        assertThat(executor.get("publicUrl").asString()).isEqualTo("http://cluster-west-vision-001.company.net:30900");

        // the control plane's identity for it is confined to its namespace, and nothing is bound to cluster-admin
        String sa = "system:serviceaccount:policies-system:" + InfraNames.CONTROL_PLANE_SA;
        assertThat(InfraLifecycleIT.allowed(kube, sa, "create", "apps", "deployments", "policies-system"))
                .isTrue();
        assertThat(InfraLifecycleIT.allowed(kube, sa, "create", "apps", "deployments", "default"))
                .isFalse();
        assertThat(InfraLifecycleIT.allowed(kube, sa, "list", "", "secrets", "kube-system"))
                .isFalse();
        assertThat(InfraLifecycleIT.allowed(kube, sa, "delete", "", "namespaces", "aios-system"))
                .isFalse();
        assertThat(kube.admin.rbac().clusterRoleBindings().list().getItems())
                .filteredOn(b -> "cluster-admin".equals(b.getRoleRef().getName()))
                .allSatisfy(
                        b -> assertThat(b.getSubjects()).noneMatch(s -> "policies-system".equals(s.getNamespace())));

        // the owner's admin credentials were used once and are not kept
        assertThat(InfraLifecycleIT.databaseDump(server)).doesNotContain(kube.adminToken());

        // its cluster cannot be deleted with its add-ons while this one is deployed
        Answer clusterCascade =
                server.send("DELETE", "/api/v1/clusters/cluster-west-vision-001?cascade=true", null, server.adminToken);
        assertThat(clusterCascade.status()).isEqualTo(409);
        assertThat(clusterCascade.text("/error/message")).contains("executor executor-001");

        // deploying it again is a no-op that says so
        Answer again = server.post(
                "/executor/executor-001/create-infra",
                "{\"cluster_config\": " + kubeconfigJson() + "}",
                server.adminToken);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.text("/message")).contains("already deployed");

        // a deployed executor is not deleted from under its infrastructure
        Answer refused = server.send("DELETE", "/executor/executor-001", null, server.adminToken);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.text("/error/code")).isEqualTo("has_infrastructure");

        // remove, as the seed shows: {"cluster_config": {"provider": "kubernetes"}} means "with what you stored"
        JsonNode removal;
        try (AutoCloseable kubeletPart = kube.podTerminator("policies-system")) {
            JsonNode removed = curl("DELETE", "/executor/executor-001/remove-infra");
            removal = awaitJob(removed.get("job_id").asString(), "Removed");
        }
        assertThat(removal.at("/receipt/clean").asBoolean())
                .as(removal.toString())
                .isTrue();
        assertThat(removal.at("/receipt/items").toString()).contains("Deployment policies-system/executor-001");
        KubeTestCluster.await(
                () -> kube.admin.namespaces().withName("policies-system").get() == null,
                Duration.ofMinutes(2),
                "namespace policies-system to be gone");
        String selector = AddonDeployment.of(AddonKind.EXECUTOR, "executor-001", null, null)
                .selector();
        KubeTestCluster.await(
                () -> kube.everythingLabelled(selector).isEmpty(),
                Duration.ofMinutes(1),
                "every object of the executor to be gone");
        JsonNode after = server.get("/executor/executor-001", server.adminToken).body();
        assertThat(after.at("/system/infra/status").asString()).isEqualTo("none");
        assertThat(after.get("publicUrl").isNull()).isTrue();
        assertThat(server.send("DELETE", "/executor/executor-001", null, server.adminToken)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void theSplitRunnerIsRegisteredDeployedAndRemovedInOneGo() throws Exception {
        JsonNode created = curl("POST", "/split-runner");
        String id = created.get("id").asString();
        assertThat(id).as(created.toString()).startsWith("split-runner-");
        assertThat(created.has("cluster_k8s_config")).isFalse();
        JsonNode job = awaitJob(created.at("/job/job_id").asString(), "Ready");
        assertThat(job.get("addonId").asString()).isEqualTo(id);

        Service svc = kube.admin
                .services()
                .inNamespace("split-runner-system")
                .withName(id)
                .get();
        assertThat(svc.getSpec().getPorts().get(0).getNodePort()).isEqualTo(31701);
        JsonNode runner = server.get("/split-runner/" + id, server.adminToken).body();
        assertThat(runner.get("publicUrl").asString()).isEqualTo("http://192.168.0.106:31701");
        assertThat(runner.get("split_runner_tags").toString()).isEqualTo("[\"tag1\",\"tag2\"]");
        assertThat(runner.toString()).doesNotContain(kube.adminToken());
        assertThat(InfraLifecycleIT.databaseDump(server)).doesNotContain(kube.adminToken());

        // one split runner per cluster: its NodePort and namespace are taken
        Answer second = server.post(
                "/split-runner",
                "{\"cluster_k8s_config\": " + kubeconfigJson() + ", \"split_runner_public_host\": \"192.168.0.107\"}",
                server.adminToken);
        assertThat(second.status()).isEqualTo(422);
        assertThat(second.text("/error/code")).isEqualTo("preflight_failed");
        assertThat(second.body().at("/error/details").toString()).contains("/preflight/node-ports", "31701");
        assertThat(server.get("/split-runner", server.adminToken)
                        .body()
                        .get("items")
                        .size())
                .isEqualTo(1);

        // delete with cascade: the infrastructure goes, then the registration
        try (AutoCloseable kubeletPart = kube.podTerminator("split-runner-system")) {
            Answer delete = server.send("DELETE", "/split-runner/" + id + "?cascade=true", null, server.adminToken);
            assertThat(delete.status()).isEqualTo(202);
            JsonNode removal = awaitJob(delete.text("/job_id"), "Removed");
            assertThat(removal.at("/receipt/addonDeleted").asBoolean())
                    .as(removal.toString())
                    .isTrue();
        }
        assertThat(server.get("/split-runner/" + id, server.adminToken).status())
                .isEqualTo(404);
        KubeTestCluster.await(
                () -> kube.admin.namespaces().withName("split-runner-system").get() == null,
                Duration.ofMinutes(2),
                "namespace split-runner-system to be gone");
        String selector =
                AddonDeployment.of(AddonKind.SPLIT_RUNNER, id, null, null).selector();
        assertThat(kube.everythingLabelled(selector)).isEmpty();
    }
}
