package network.aios.server.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import network.aios.api.Json;
import network.aios.member.desired.AddonDeployment;
import network.aios.member.desired.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.KubeletStandIn;
import network.aios.server.TestServer;
import network.aios.server.TestServer.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the control plane deploys goes through a real admission controller: an API server of its own that
 * enforces a restricted PodSecurityPolicy on every pod (v1.20 predates Pod Security Admission; see
 * ../shared/k8s/README.md). The pods are made by the real ReplicaSet controller from our Deployments; each is
 * admitted under the restricted policy with its security fields as the template wrote them (the policy had
 * nothing to default). A privileged Deployment on the same server is refused, so the admission is on.
 */
class PodSecurityAdmissionIT {
    static KubeTestCluster kube;
    static TestServer server;
    static final List<KubeletStandIn> KUBELETS = new java.util.ArrayList<>();
    static final List<String> NAMESPACES =
            List.of(InfraNames.NAMESPACE, AddonDeployment.EXECUTOR_NAMESPACE, AddonDeployment.SPLIT_RUNNER_NAMESPACE);

    @BeforeAll
    static void start() {
        kube = KubeTestCluster.startLocal(Map.of("AIOS_KUBE_PSP", "restricted"));
        kube.prepare(List.of("node-1", "node-2"));
        NAMESPACES.forEach(ns -> KUBELETS.add(kube.fakeKubelet(ns, 600)));
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        KUBELETS.forEach(KubeletStandIn::close);
        if (server != null) {
            server.close();
        }
    }

    static String kubeconfigJson() {
        return Json.MAPPER.writeValueAsString(Json.YAML.readTree(kube.ownerKubeconfigYaml()));
    }

    @Test
    void aPrivilegedPodIsRefusedByTheAdmissionController() {
        kube.admin
                .namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("psp-control")
                        .endMetadata()
                        .build())
                .create();
        Deployment bad = new DeploymentBuilder()
                .withNewMetadata()
                .withName("privileged")
                .withNamespace("psp-control")
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .addToMatchLabels("app", "privileged")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "privileged")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("c")
                .withImage("busybox")
                .withNewSecurityContext()
                .withPrivileged(true)
                .endSecurityContext()
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        kube.admin.apps().deployments().resource(bad).create();
        KubeTestCluster.await(
                () -> kube.admin.apps().replicaSets().inNamespace("psp-control").list().getItems().stream()
                        .anyMatch(rs -> rs.getStatus() != null
                                && rs.getStatus().getConditions() != null
                                && rs.getStatus().getConditions().stream()
                                        .anyMatch(c -> "ReplicaFailure".equals(c.getType())
                                                && "FailedCreate".equals(c.getReason())
                                                && c.getMessage().contains("PodSecurityPolicy"))),
                Duration.ofSeconds(60),
                "the ReplicaSet to be refused its pod");
        assertThat(kube.admin.pods().inNamespace("psp-control").list().getItems())
                .isEmpty();
    }

    @Test
    void everyPodTheControlPlaneDeploysIsAdmittedAsWritten() {
        Answer registered =
                server.send("POST", "/api/createCluster", TestServer.example("cluster.json"), server.adminToken);
        assertThat(registered.status()).isEqualTo(201);
        String cluster = registered.text("/id");
        Answer infra = server.post(
                "/create-cluster-infra",
                "{\"cluster_id\":\"" + cluster + "\",\"kube_config_data\":" + kubeconfigJson() + "}",
                server.adminToken);
        assertThat(infra.status()).as(infra.body().toString()).isIn(200, 202);
        server.awaitJob(infra.text("/job_id"), "Ready");

        assertThat(server.post("/executor", "{\"executor_id\":\"psp-exec\"}", server.adminToken)
                        .status())
                .isEqualTo(201);
        Answer executor = server.post(
                "/executor/psp-exec/create-infra", "{\"cluster_config\":" + kubeconfigJson() + "}", server.adminToken);
        assertThat(executor.status()).as(executor.body().toString()).isIn(200, 202);
        server.awaitJob(executor.text("/job_id"), "Ready");
        Answer runner = server.post(
                "/split-runner",
                "{\"split_runner_id\":\"psp-runner\",\"split_runner_public_host\":\"10.0.0.9\","
                        + "\"cluster_k8s_config\":" + kubeconfigJson() + "}",
                server.adminToken);
        assertThat(runner.status()).as(runner.body().toString()).isEqualTo(201);
        server.awaitJob(runner.text("/job/job_id"), "Ready");

        int checked = 0;
        for (String ns : NAMESPACES) {
            for (Deployment d :
                    kube.admin.apps().deployments().inNamespace(ns).list().getItems()) {
                var template = d.getSpec().getTemplate().getSpec();
                List<Pod> pods = kube.admin
                        .pods()
                        .inNamespace(ns)
                        .withLabels(d.getSpec().getSelector().getMatchLabels())
                        .list()
                        .getItems();
                assertThat(pods).as(ns + "/" + d.getMetadata().getName()).isNotEmpty();
                for (Pod p : pods) {
                    String name = ns + "/" + p.getMetadata().getName();
                    assertThat(p.getMetadata().getAnnotations())
                            .as(name + " admitted under")
                            .containsEntry("kubernetes.io/psp", "restricted");
                    assertThat(io.fabric8.kubernetes.client.utils.Serialization.asJson(
                                    p.getSpec().getSecurityContext()))
                            .as(name + ": the pod's security context as written")
                            .isEqualTo(io.fabric8.kubernetes.client.utils.Serialization.asJson(
                                    template.getSecurityContext()));
                    for (Container c : p.getSpec().getContainers()) {
                        Container written = template.getContainers().stream()
                                .filter(t -> t.getName().equals(c.getName()))
                                .findFirst()
                                .orElseThrow();
                        assertThat(io.fabric8.kubernetes.client.utils.Serialization.asJson(c.getSecurityContext()))
                                .as(name + "/" + c.getName() + ": the container's security context as written")
                                .isEqualTo(io.fabric8.kubernetes.client.utils.Serialization.asJson(
                                        written.getSecurityContext()));
                    }
                    checked++;
                }
            }
        }
        assertThat(checked)
                .as("pods admitted: the four services, the executor, the split runner")
                .isGreaterThanOrEqualTo(6);
    }
}
