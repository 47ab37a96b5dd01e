package network.aios.server.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import network.aios.member.desired.InfraNames;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;
import network.aios.server.TestServer.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * The seed's "Create Cluster Infrastructure" and "Uninstalling" against a real kube-apiserver, with
 * the seed's own Python scripts: deploy, verify what is there and what the control plane may do,
 * remove, and find nothing of ours left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InfraLifecycleIT {
    static final String CLUSTER = "cluster-west-vision-001";
    static KubeTestCluster kube;
    static TestServer server;
    static network.aios.server.KubeletStandIn kubelet;
    static final java.io.ByteArrayOutputStream LOG = new java.io.ByteArrayOutputStream();
    static java.io.PrintStream originalErr;
    // what one step finds and a later one checks (the steps run in order, one lifecycle)
    static JsonNode job;
    static String saToken;
    static String agentToken;
    static String inferenceId;

    @BeforeAll
    static void start() {
        // everything the control plane logs during this test is kept and searched for secrets
        originalErr = System.err;
        java.io.PrintStream err = originalErr;
        System.setErr(new java.io.PrintStream(
                new java.io.OutputStream() {
                    @Override
                    public void write(int b) {
                        err.write(b);
                        synchronized (LOG) {
                            LOG.write(b);
                        }
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        err.write(b, off, len);
                        synchronized (LOG) {
                            LOG.write(b, off, len);
                        }
                    }
                },
                true));
        kube = KubeTestCluster.shared();
        kube.prepare(List.of("node-1", "node-2"));
        kube.awaitNamespaceGone(InfraNames.NAMESPACE);
        server = new TestServer();
        assertThat(server.send("POST", "/api/createCluster", TestServer.example("cluster.json"), server.adminToken)
                        .status())
                .isEqualTo(201);
        kubelet = kube.fakeKubelet(InfraNames.NAMESPACE, 600);
    }

    @AfterAll
    static void stop() {
        if (kubelet != null) {
            kubelet.destroy();
        }
        if (server != null) {
            server.close();
        }
        System.setErr(originalErr);
    }

    /** The seed's Python script, unchanged but for API_URL (with the token as Basic-auth password). */
    static String seedScript(int which, String path) throws Exception {
        String md = Files.readString(Path.of("..", "..", "shared", "seed", "onboarding-cluster.md"));
        Matcher m = Pattern.compile("```python\\n(.*?)```", Pattern.DOTALL).matcher(md);
        List<String> scripts = new ArrayList<>();
        while (m.find()) {
            scripts.add(m.group(1));
        }
        String url = "http://admin:" + server.adminToken + "@127.0.0.1:" + server.cp.port() + path;
        return scripts.get(which)
                .replaceFirst("API_URL = \"http://<server-url>/[a-z-]+\"", "API_URL = \"" + url + "\"");
    }

    static String python(String script, String... args) throws Exception {
        Path file = Files.createTempFile("seed", ".py");
        Files.writeString(file, script);
        Path kubeconfig = Files.createTempFile("owner-kubeconfig", ".yaml");
        Files.writeString(kubeconfig, kube.ownerKubeconfigYaml());
        List<String> cmd = new ArrayList<>(List.of("python3", file.toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--config", kubeconfig.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Files.delete(kubeconfig);
        return out;
    }

    static String jobId(String scriptOutput) {
        Matcher m = Pattern.compile("'job_id': '([^']+)'").matcher(scriptOutput);
        assertThat(m.find()).as(scriptOutput).isTrue();
        return m.group(1);
    }

    static JsonNode awaitJob(String id, String state) {
        return server.awaitJob(id, state);
    }

    @Test
    @Order(1)
    void createdWithTheSeedScriptTheClusterIsLiveWithItsUrls() throws Exception {
        // create, as the seed's script does it (kube_config_data = the file's text)
        String created = python(seedScript(0, "/create-cluster-infra"), CLUSTER);
        assertThat(created).startsWith("Cluster creation scheduled successfully:");
        job = awaitJob(jobId(created), "Ready");
        assertThat(job.at("/conditions/0/type").asString()).isEqualTo("Ready");
        assertThat(job.at("/conditions/0/status").asString()).isEqualTo("True");

        JsonNode cluster =
                server.get("/api/v1/clusters/" + CLUSTER, server.adminToken).body();
        assertThat(cluster.get("status").asString()).isEqualTo("degraded");
        assertThat(cluster.at("/config/urlMap/controllerService").asString())
                .isEqualTo("http://cluster-west-vision-001.company.net:32000/controller");
        assertThat(cluster.at("/config/urlMap/mgmtService").asString())
                .isEqualTo("http://cluster-west-vision-001.company.net:32000/mgmt");
    }

    @Test
    @Order(2)
    void theFourServicesTheirNodePortsAndGatewayMappingsAreThere() throws Exception {
        // what is on the cluster
        var services =
                kube.admin.services().inNamespace(InfraNames.NAMESPACE).list().getItems();
        assertThat(services)
                .extracting(s -> s.getSpec().getPorts().get(0).getNodePort())
                .containsExactlyInAnyOrder(32300, 32301, 32302, 32303);
        assertThat(kube.admin
                        .apps()
                        .deployments()
                        .inNamespace(InfraNames.NAMESPACE)
                        .list()
                        .getItems())
                .hasSize(4)
                .allSatisfy(
                        d -> assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(1));
        var mappings = kube.admin
                .genericKubernetesResources("getambassador.io/v3alpha1", "Mapping")
                .inNamespace(InfraNames.NAMESPACE)
                .list()
                .getItems();
        assertThat(mappings)
                .extracting(m -> (Object)
                        ((java.util.Map<?, ?>) m.getAdditionalProperties().get("spec")).get("prefix"))
                .containsExactlyInAnyOrder("/controller/", "/metrics/", "/blocks/", "/mgmt/");
        assertThat(kube.everythingLabelled(InfraNames.CLUSTER_LABEL + "=" + CLUSTER))
                .contains(
                        "deployment.apps/aios-controller",
                        "clusterrole.rbac.authorization.k8s.io/aios-control-plane-" + CLUSTER);
    }

    @Test
    @Order(3)
    void nothingOfOursIsClusterAdminAndTheControlPlanesIdentityIsNarrow() throws Exception {
        // least privilege: nothing of ours is bound to cluster-admin, and the control plane's identity is narrow
        assertThat(kube.admin.rbac().clusterRoleBindings().list().getItems())
                .filteredOn(b -> "cluster-admin".equals(b.getRoleRef().getName()))
                .allSatisfy(
                        b -> assertThat(b.getSubjects()).noneMatch(s -> InfraNames.NAMESPACE.equals(s.getNamespace())));
        String sa = "system:serviceaccount:" + InfraNames.NAMESPACE + ":" + InfraNames.CONTROL_PLANE_SA;
        assertThat(allowed(sa, "create", "", "namespaces", null)).isFalse();
        assertThat(allowed(sa, "list", "", "secrets", "kube-system")).isFalse();
        assertThat(allowed(sa, "delete", "", "nodes", null)).isFalse();
        assertThat(allowed(sa, "create", "apps", "deployments", InfraNames.NAMESPACE))
                .isTrue();
        assertThat(allowed(sa, "create", "apps", "deployments", "default")).isFalse();
    }

    @Test
    @Order(4)
    void noTokenIsInTheDatabaseOrTheJob() throws Exception {
        // secrets: the control plane's token and the owner's admin token appear nowhere in the database
        saToken = kube.secretValue(InfraNames.NAMESPACE, InfraNames.CONTROL_PLANE_TOKEN_SECRET, "token");
        String dump = databaseDump();
        assertThat(dump).doesNotContain(saToken).doesNotContain(kube.adminToken());
        assertThat(job.toString()).doesNotContain(saToken).doesNotContain(kube.adminToken());
        assertThat(Files.readString(Path.of("target", "kubelet-stand-in.log"))).doesNotContain(saToken);
        agentToken = new String(
                Base64.getDecoder()
                        .decode(kube.admin
                                .secrets()
                                .inNamespace(InfraNames.NAMESPACE)
                                .withName(InfraNames.AGENT_SECRET)
                                .get()
                                .getData()
                                .get("AIOS_AGENT_TOKEN")),
                StandardCharsets.UTF_8);
        assertThat(dump).doesNotContain(agentToken);
    }

    @Test
    @Order(5)
    void creatingAgainIsANoOpAndTheRegistrationCannotBeDeletedUnderIt() throws Exception {
        // create again: a no-op; deleting the registration is refused while infra is there
        Answer again = server.post(
                "/create-cluster-infra",
                "{\"cluster_id\":\"" + CLUSTER
                        + "\",\"kube_config_data\":"
                        + network.aios.api.Json.MAPPER.writeValueAsString(kube.ownerKubeconfigYaml())
                        + "}",
                server.adminToken);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.text("/message")).contains("already ready");
        assertThat(server.send("DELETE", "/api/v1/clusters/" + CLUSTER, null, server.adminToken)
                        .status())
                .isEqualTo(409);
    }

    @Test
    @Order(6)
    void dynamicRoutesAreMappingsOnTheOwnersGateway() throws Exception {
        // dynamic routes on the owner's gateway: a block's, a vDAG controller's, and an inference server's
        for (String route : List.of(
                "{\"kind\": \"block\", \"id\": \"block-42\", \"service\": \"block-42.blocks:8080\"}",
                "{\"kind\": \"vdag\", \"id\": \"vdag-ctrl-7\", \"service\": \"vdag-ctrl-7.vdags\"}")) {
            Answer added = server.post("/api/v1/clusters/" + CLUSTER + "/routes", route, server.adminToken);
            assertThat(added.status()).as(added.body().toString()).isEqualTo(201);
        }
        Answer inference = server.post(
                "/inference_server",
                "{\"inference_server_name\": \"server-pr-home-123\", "
                        + "\"inference_server_public_url\": \"http://192.168.0.101:31500\", \"cluster_id\": \""
                        + CLUSTER + "\"}",
                server.adminToken);
        inferenceId = inference.text("/id");
        Answer taskRoute = server.post(
                "/inference_server/" + inferenceId + "/route",
                "{\"service\": \"inference-server.inference-server:31500\"}",
                server.adminToken);
        assertThat(taskRoute.status()).as(taskRoute.body().toString()).isEqualTo(201);
        assertThat(taskRoute.text("/prefix")).isEqualTo("/tasks/server-pr-home-123/");
        Answer taken = server.post(
                "/api/v1/clusters/" + CLUSTER + "/routes",
                "{\"kind\": \"block\", \"id\": \"block-42\", " + "\"service\": \"other.blocks:80\"}",
                server.adminToken);
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.text("/error/hint")).contains("aios cluster route delete " + CLUSTER + " block block-42");
        assertThat(taken.text("/error/next/path")).isEqualTo("/api/v1/clusters/" + CLUSTER + "/routes/block/block-42");
        Answer reserved = server.post(
                "/api/v1/clusters/" + CLUSTER + "/routes",
                "{\"kind\": \"vdag\", \"id\": " + "\"controller\", \"service\": \"x.y\"}",
                server.adminToken);
        assertThat(reserved.status()).isEqualTo(422);
        assertThat(reserved.body().at("/error/details/0/path").asString()).isEqualTo("/id");
        // a route is desired state: the engine applies its Mapping under its lease, not the request
        KubeTestCluster.await(
                () -> routePrefixes().size() == 3, Duration.ofSeconds(60), "the routes' Mappings to be applied");
        assertThat(routePrefixes())
                .containsExactlyInAnyOrder("/tasks/server-pr-home-123/", "/block/block-42/", "/vdag-ctrl-7/");
        assertThat(server.send(
                                "DELETE",
                                "/api/v1/clusters/" + CLUSTER + "/routes/block/block-42",
                                null,
                                server.adminToken)
                        .status())
                .isEqualTo(200);
        KubeTestCluster.await(
                () -> kube.admin
                                .genericKubernetesResources("getambassador.io/v3alpha1", "Mapping")
                                .inNamespace(InfraNames.NAMESPACE)
                                .withName("aios-route-block-block-42")
                                .get()
                        == null,
                Duration.ofSeconds(60),
                "the deleted route's Mapping to be pruned");
        assertThat(server.get("/api/v1/clusters/" + CLUSTER + "/routes", server.adminToken)
                        .body()
                        .get("items"))
                .hasSize(2);
        // deleting the inference server takes its route with it
        Answer deleted = server.send("DELETE", "/inference_server/" + inferenceId, null, server.adminToken);
        assertThat(deleted.body().get("routeRemoved").asBoolean()).isTrue();
        KubeTestCluster.await(
                () -> kube.admin
                                .genericKubernetesResources("getambassador.io/v3alpha1", "Mapping")
                                .inNamespace(InfraNames.NAMESPACE)
                                .withName("aios-route-task-server-pr-home-123")
                                .get()
                        == null,
                Duration.ofSeconds(60),
                "the inference server's route Mapping to be pruned");
    }

    private static List<Object> routePrefixes() {
        return kube
                .admin
                .genericKubernetesResources("getambassador.io/v3alpha1", "Mapping")
                .inNamespace(InfraNames.NAMESPACE)
                .withLabel(InfraNames.COMPONENT_LABEL, "route")
                .list()
                .getItems()
                .stream()
                .map(m -> (Object)
                        ((java.util.Map<?, ?>) m.getAdditionalProperties().get("spec")).get("prefix"))
                .toList();
    }

    @Test
    @Order(7)
    void removedWithTheSeedScriptNothingOfOursIsLeftAndNoSecretWasLogged() throws Exception {
        // remove, as the seed's script does it
        JsonNode removal;
        try (AutoCloseable kubeletPart = kube.podTerminator(InfraNames.NAMESPACE)) {
            String removed = python(seedScript(1, "/remove-cluster-infra"), CLUSTER);
            assertThat(removed).startsWith("Cluster removal scheduled successfully:");
            removal = awaitJob(jobId(removed), "Removed");
        }
        assertThat(removal.at("/receipt/clean").asBoolean())
                .as(removal.toString())
                .isTrue();
        assertThat(removal.at("/receipt/items").toString())
                .contains("Deployment aios-system/aios-controller", "deleted");

        KubeTestCluster.await(
                () -> kube.admin.namespaces().withName(InfraNames.NAMESPACE).get() == null,
                Duration.ofMinutes(2),
                "namespace aios-system to be gone");
        KubeTestCluster.await(
                () -> kube.everythingLabelled(InfraNames.CLUSTER_LABEL + "=" + CLUSTER)
                        .isEmpty(),
                Duration.ofMinutes(1),
                "every labelled object to be gone");
        // removing again is harmless: nothing recorded, the namespace already gone
        Answer twice = server.post("/remove-cluster-infra", "{\"cluster_id\":\"" + CLUSTER + "\"}", server.adminToken);
        assertThat(twice.status()).isEqualTo(200);
        JsonNode second = awaitJob(twice.text("/job_id"), "Removed");
        assertThat(second.at("/receipt/clean").asBoolean()).isTrue();
        assertThat(second.at("/receipt/items").size()).isZero();

        // removing the infrastructure removed the routes too (their Mappings were in the inventory)
        assertThat(server.get("/api/v1/clusters/" + CLUSTER + "/routes", server.adminToken)
                        .body()
                        .get("items"))
                .isEmpty();
        JsonNode after =
                server.get("/api/v1/clusters/" + CLUSTER, server.adminToken).body();
        assertThat(after.get("status").asString()).isEqualTo("registered");
        assertThat(after.at("/config/urlMap").isMissingNode()).isTrue();
        assertThat(databaseDump()).doesNotContain(saToken);
        String logged = LOG.toString(StandardCharsets.UTF_8);
        assertThat(logged)
                .contains("infrastructure ready")
                .doesNotContain(saToken)
                .doesNotContain(kube.adminToken())
                .doesNotContain(agentToken)
                .doesNotContain(server.adminToken);
    }

    static boolean allowed(String user, String verb, String group, String resource, String namespace) {
        return allowed(kube, user, verb, group, resource, namespace);
    }

    /** Whether a ServiceAccount ({@code system:serviceaccount:<ns>:<name>}) may do it (SubjectAccessReview). */
    static boolean allowed(
            KubeTestCluster kube, String user, String verb, String group, String resource, String namespace) {
        String saNamespace = user.split(":")[2];
        SubjectAccessReview review = new SubjectAccessReviewBuilder()
                .withNewSpec()
                .withUser(user)
                .withGroups("system:serviceaccounts", "system:serviceaccounts:" + saNamespace, "system:authenticated")
                .withNewResourceAttributes()
                .withVerb(verb)
                .withGroup(group)
                .withResource(resource)
                .withNamespace(namespace)
                .endResourceAttributes()
                .endSpec()
                .build();
        return kube.admin
                .authorization()
                .v1()
                .subjectAccessReview()
                .create(review)
                .getStatus()
                .getAllowed();
    }

    /** Every row of every table as text (bytea as hex, then also decoded as latin-1), to search for secrets. */
    static String databaseDump() throws Exception {
        return databaseDump(server);
    }

    static String databaseDump(TestServer server) throws Exception {
        StringBuilder sb = new StringBuilder();
        try (Connection c = server.db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String t : tables) {
                try (ResultSet rs = s.executeQuery("SELECT * FROM " + t)) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= n; i++) {
                            byte[] b = rs.getBytes(i);
                            if (b != null) {
                                sb.append(new String(b, StandardCharsets.ISO_8859_1))
                                        .append('\n');
                            }
                        }
                    }
                }
            }
        }
        return sb.toString();
    }
}
