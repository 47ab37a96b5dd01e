package network.aios.server.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import network.aios.api.Json;
import network.aios.member.desired.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;
import network.aios.server.TestServer.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** What create-cluster-infra checks before it answers, and what two requests at once get. */
class InfraRequestsIT {
    static KubeTestCluster kube;
    static TestServer server;

    @BeforeAll
    static void start() {
        kube = KubeTestCluster.shared();
        kube.prepare(List.of("node-1", "node-2"));
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String body(String clusterId, String kubeconfigYaml) {
        ObjectNode b = Json.object().put("cluster_id", clusterId);
        b.put("kube_config_data", kubeconfigYaml);
        return Json.MAPPER.writeValueAsString(b);
    }

    static void register(String id, String... nodeIds) {
        String doc = TestServer.seedWithId(id);
        if (nodeIds.length > 0) {
            doc = doc.replace("\"node-2\"", "\"" + nodeIds[0] + "\"");
        }
        assertThat(server.post("/api/createCluster", doc, server.adminToken).status())
                .isEqualTo(201);
    }

    static List<String> paths(Answer a) {
        List<String> out = new ArrayList<>();
        a.body().at("/error/details").forEach(d -> out.add(d.get("path").asString()));
        return out;
    }

    @Test
    void requestsAreCheckedBeforeAnyJobExists() {
        register("checked");
        String owner = kube.ownerKubeconfigYaml();
        assertThat(server.post("/create-cluster-infra", "{\"kube_config_data\": {}}", server.adminToken)
                        .status())
                .isEqualTo(422);
        assertThat(server.post("/create-cluster-infra", body("nope", owner), server.adminToken)
                        .status())
                .isEqualTo(404);
        assertThat(server.post("/create-cluster-infra", body("checked", owner), null)
                        .status())
                .isEqualTo(401);
        Answer exec = server.post(
                "/create-cluster-infra",
                body("checked", owner.replaceFirst("token: .*", "exec: {command: /bin/sh}")),
                server.adminToken);
        assertThat(exec.status()).isEqualTo(422);
        assertThat(paths(exec)).containsExactly("/kube_config_data/users/0/user/exec");
        Answer unreachable = server.post(
                "/create-cluster-infra",
                body("checked", owner.replaceFirst("server: .*", "server: https://127.0.0.1:1")),
                server.adminToken);
        assertThat(unreachable.status()).isEqualTo(422);
        assertThat(unreachable.text("/error/code")).isEqualTo("cluster_unreachable");
        Answer badToken = server.post(
                "/create-cluster-infra",
                body("checked", owner.replaceFirst("token: .*", "token: not-a-real-token")),
                server.adminToken);
        assertThat(badToken.text("/error/code")).isEqualTo("kubeconfig_rejected");
        assertThat(server.get("/api/v1/clusters/checked/infra", server.adminToken)
                        .body()
                        .get("job")
                        .isNull())
                .isTrue();
    }

    @Test
    void preflightNamesWhatIsMissingAndHowToFixIt() {
        register("unlabelled", "node-7");
        Answer a =
                server.post("/create-cluster-infra", body("unlabelled", kube.ownerKubeconfigYaml()), server.adminToken);
        assertThat(a.status()).isEqualTo(422);
        assertThat(a.text("/error/code")).isEqualTo("preflight_failed");
        assertThat(a.text("/error/details/0/path")).isEqualTo("/preflight/node-labels");
        assertThat(a.text("/error/details/0/message")).contains("nodeID=node-7", "kubectl label node");
        Answer report = server.post(
                "/api/v1/clusters/unlabelled/preflight",
                body("unlabelled", kube.ownerKubeconfigYaml()),
                server.adminToken);
        assertThat(report.status()).isEqualTo(200);
        assertThat(report.body().get("passed").asBoolean()).isFalse();
        List<String> names = new ArrayList<>();
        report.body()
                .get("checks")
                .forEach(c -> names.add(
                        c.get("name").asString() + ":" + c.get("status").asString()));
        assertThat(names)
                .contains(
                        "api-server:pass",
                        "permissions:pass",
                        "node-labels:fail",
                        "node-ports:pass",
                        "ambassador:pass",
                        "ambassador-mapping-crd:pass",
                        "kubeadm:pass",
                        "external-nodes:warn");
    }

    @Test
    void aKubeconfigWithoutAdminRightsFailsPreflight() {
        register("limited");
        kube.admin
                .resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName("limited")
                        .withNamespace("default")
                        .endMetadata()
                        .build())
                .serverSideApply();
        kube.admin
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("limited-token")
                        .withNamespace("default")
                        .withAnnotations(Map.of("kubernetes.io/service-account.name", "limited"))
                        .endMetadata()
                        .withType("kubernetes.io/service-account-token")
                        .build())
                .serverSideApply();
        KubeTestCluster.await(
                () -> {
                    var data = kube.admin
                            .secrets()
                            .inNamespace("default")
                            .withName("limited-token")
                            .get()
                            .getData();
                    return data != null && data.get("token") != null;
                },
                Duration.ofSeconds(30),
                "the token controller to fill in the limited token");
        String token = new String(
                Base64.getDecoder()
                        .decode(kube.admin
                                .secrets()
                                .inNamespace("default")
                                .withName("limited-token")
                                .get()
                                .getData()
                                .get("token")),
                StandardCharsets.UTF_8);
        String limited = kube.ownerKubeconfigYaml().replaceFirst("token: .*", "token: " + token);
        Answer a = server.post("/create-cluster-infra", body("limited", limited), server.adminToken);
        assertThat(a.status()).isEqualTo(422);
        assertThat(paths(a)).contains("/preflight/permissions");
        assertThat(a.toString()).doesNotContain(token);
    }

    @Test
    void deletingAClusterWithInfraIsRefusedOrCascadesByFlag() {
        register("cascade");
        String job = server.post(
                        "/create-cluster-infra", body("cascade", kube.ownerKubeconfigYaml()), server.adminToken)
                .text("/job_id");
        KubeTestCluster.await(
                () -> "WaitingReady"
                        .equals(server.get("/api/v1/jobs/" + job, server.adminToken)
                                .text("/state")),
                Duration.ofSeconds(60),
                "the create job to apply everything");
        Answer refused = server.send("DELETE", "/api/v1/clusters/cascade", null, server.adminToken);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.text("/error/message")).contains("remove it first", "cascade");
        assertThat(refused.text("/error/hint")).contains("/remove-cluster-infra", "?cascade=true");
        assertThat(refused.text("/error/next/method") + " " + refused.text("/error/next/path"))
                .isEqualTo("DELETE /api/v1/clusters/cascade/infra");
        Answer cascade = null;
        for (int i = 0; i < 50 && (cascade == null || cascade.status() == 409); i++) {
            cascade = server.send("DELETE", "/api/v1/clusters/cascade?cascade=true", null, server.adminToken);
        }
        assertThat(cascade.status()).isEqualTo(202);
        String removal = cascade.text("/job_id");
        try (AutoCloseable kubeletPart = kube.podTerminator(InfraNames.NAMESPACE)) {
            KubeTestCluster.await(
                    () -> server.get("/api/v1/jobs/" + removal, server.adminToken)
                            .body()
                            .hasNonNull("finishedAt"),
                    Duration.ofMinutes(2),
                    "the removal");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        JsonNode done = server.get("/api/v1/jobs/" + removal, server.adminToken).body();
        assertThat(done.at("/receipt/clusterDeleted").asBoolean())
                .as(done.toString())
                .isTrue();
        assertThat(server.get("/api/v1/clusters/cascade", server.adminToken).status())
                .isEqualTo(404);
        assertThat(kube.everythingLabelled(InfraNames.CLUSTER_LABEL + "=cascade"))
                .isEmpty();
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);

        register("no-infra");
        Answer plain = server.send("DELETE", "/api/v1/clusters/no-infra?cascade=true", null, server.adminToken);
        assertThat(plain.status()).isEqualTo(200);
        assertThat(server.get("/api/v1/clusters/no-infra", server.adminToken).status())
                .isEqualTo(404);
    }

    @Test
    void twoCreatesAtOnceMakeOneJob() throws Exception {
        register("race");
        String req = body("race", kube.ownerKubeconfigYaml());
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Answer> answers = new ArrayList<>();
        try {
            List<Callable<Answer>> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                calls.add(() -> server.post("/create-cluster-infra", req, server.adminToken));
            }
            for (Future<Answer> f : pool.invokeAll(calls)) {
                answers.add(f.get());
            }
        } finally {
            pool.shutdown();
        }
        assertThat(answers).filteredOn(a -> a.status() == 200).hasSize(1);
        assertThat(answers).filteredOn(a -> a.status() == 409).hasSize(5).allSatisfy(a -> {
            assertThat(a.text("/error/message")).contains("already has a create job under way");
            assertThat(a.text("/error/next/path")).endsWith("/infra");
        });
        // no kubelet here: the job waits for the deployments; a removal supersedes it and cleans up
        String jobId = answers.stream()
                .filter(a -> a.status() == 200)
                .findFirst()
                .orElseThrow()
                .text("/job_id");
        KubeTestCluster.await(
                () -> "WaitingReady"
                        .equals(server.get("/api/v1/jobs/" + jobId, server.adminToken)
                                .text("/state")),
                Duration.ofSeconds(60),
                "the create job to wait for readiness");
        Answer remove = null;
        for (int i = 0; i < 50 && (remove == null || remove.status() == 409); i++) {
            remove = server.send("DELETE", "/api/v1/clusters/race/infra", null, server.adminToken);
        }
        assertThat(remove.status()).isEqualTo(202);
        assertThat(server.get("/api/v1/jobs/" + jobId, server.adminToken).text("/reason"))
                .isEqualTo("Superseded");
        String removal = remove.text("/job_id");
        try (AutoCloseable kubeletPart = kube.podTerminator(InfraNames.NAMESPACE)) {
            KubeTestCluster.await(
                    () -> server.get("/api/v1/jobs/" + removal, server.adminToken)
                            .body()
                            .hasNonNull("finishedAt"),
                    Duration.ofMinutes(2),
                    "the removal");
        }
        JsonNode job = server.get("/api/v1/jobs/" + removal, server.adminToken).body();
        assertThat(job.get("state").asString()).as(job.toString()).isEqualTo("Removed");
        assertThat(kube.everythingLabelled(InfraNames.CLUSTER_LABEL + "=race")).isEmpty();
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
    }
}
