package network.aios.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import network.aios.api.Json;
import network.aios.server.KubeTestCluster;
import network.aios.server.TestServer;
import network.aios.server.TestServer.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * Outbound calls made on an owner's behalf (member API server, policy executor, add-on probe) aimed at
 * loopback, metadata or the control plane itself are refused by the egress guard, and the target sees
 * no request. A listener on loopback stands in for "an internal service"; no other address is ever
 * connected to (the guard refuses before connecting).
 */
class EgressIT {
    HttpServer internal;
    final AtomicInteger hits = new AtomicInteger();

    @BeforeEach
    void internalService() throws Exception {
        internal = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        internal.createContext("/", ex -> {
            hits.incrementAndGet();
            byte[] b = "{\"allowed\": true}".getBytes();
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        internal.start();
    }

    @AfterEach
    void stop() {
        internal.stop(0);
    }

    String internalUrl() {
        return "http://127.0.0.1:" + internal.getAddress().getPort();
    }

    static String kubeconfig(String server) {
        return "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  cluster: {server: '" + server
                + "'}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n";
    }

    static Answer preflight(TestServer s, String token, String apiServer) {
        // an API server is https:// (http:// is refused at intake unless allowed); the guard refuses it first
        ObjectNode b =
                Json.object().put("kube_config_data", kubeconfig(apiServer.replaceFirst("^http://", "https://")));
        return s.post("/api/v1/clusters/egress-1/preflight", Json.MAPPER.writeValueAsString(b), token);
    }

    @Test
    void aKubeconfigServerOnLoopbackOrMetadataIsRefusedUnlessAllowListed() {
        try (TestServer strict = TestServer.configured(c -> c.withEgress(List.of(), false))) {
            String owner = strict.ownerToken("eve");
            assertThat(strict.post("/api/createCluster", TestServer.seedWithId("egress-1"), owner)
                            .status())
                    .isEqualTo(201);
            for (String target : List.of(
                    internalUrl(),
                    "https://169.254.169.254",
                    "https://[::1]:" + internal.getAddress().getPort(),
                    "https://[::ffff:127.0.0.1]:" + internal.getAddress().getPort(),
                    "https://0.0.0.0:" + internal.getAddress().getPort(),
                    "https://localhost:" + internal.getAddress().getPort())) {
                Answer a = preflight(strict, owner, target);
                assertThat(a.status()).as(target + " " + a.body()).isEqualTo(422);
                assertThat(a.text("/error/code")).as(target).isEqualTo("egress_refused");
                assertThat(a.text("/error/hint")).contains("--egress-allow");
            }
            assertThat(hits.get()).isZero();
        }
    }

    @Test
    void theControlPlanesOwnListenerIsRefusedEvenWhenLoopbackIsAllowed() {
        try (TestServer server = new TestServer()) { // tests allow 127.0.0.0/8
            assertThat(server.post("/api/createCluster", TestServer.seedWithId("egress-1"), server.adminToken)
                            .status())
                    .isEqualTo(201);
            Answer a = preflight(server, server.adminToken, server.url());
            assertThat(a.status()).as(a.body().toString()).isEqualTo(422);
            assertThat(a.text("/error/message")).contains("own listener");
        }
    }

    @Test
    void aRemoteExecutorOnLoopbackIsNotAskedAndTheRequestFailsWithoutADecision() {
        try (TestServer strict = TestServer.configured(c -> c.withEgress(List.of(), false))) {
            String policy = "{\"rules\": [], \"executor\": {\"url\": \"" + internalUrl() + "/run\", "
                    + "\"policyRuleUri\": \"p\"}}";
            assertThat(strict.send("PUT", "/api/v1/policies/add_cluster", policy.getBytes(), strict.adminToken)
                            .status())
                    .isEqualTo(201);
            Answer a = strict.post("/api/createCluster", TestServer.seedWithId("egress-2"), strict.adminToken);
            assertThat(a.status()).isEqualTo(502);
            assertThat(a.text("/error/message")).contains("egress guard");
            assertThat(hits.get()).isZero();
        }
    }

    @Test
    void redirectsAreNotFollowed() throws Exception {
        HttpServer redirector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        redirector.createContext("/", ex -> {
            ex.getResponseHeaders().add("Location", internalUrl() + "/run");
            ex.sendResponseHeaders(307, -1);
            ex.close();
        });
        redirector.start();
        try (TestServer server = new TestServer()) {
            String policy = "{\"rules\": [], \"executor\": {\"url\": \"http://127.0.0.1:"
                    + redirector.getAddress().getPort() + "/run\", \"policyRuleUri\": \"p\"}}";
            assertThat(server.send("PUT", "/api/v1/policies/add_cluster", policy.getBytes(), server.adminToken)
                            .status())
                    .isEqualTo(201);
            Answer a = server.post("/api/createCluster", TestServer.seedWithId("egress-3"), server.adminToken);
            assertThat(a.status()).isEqualTo(502);
            assertThat(a.text("/error/message")).contains("HTTP 307");
            assertThat(hits.get()).isZero();
        } finally {
            redirector.stop(0);
        }
    }

    @Test
    void anAddonOnLoopbackIsNotProbedAndItsHealthSaysWhy() {
        try (TestServer strict = TestServer.configured(
                c -> c.withEgress(List.of(), false).withAddonProbeInterval(Duration.ofMillis(200)))) {
            String owner = strict.ownerToken("eve");
            Answer reg = strict.post(
                    "/container_registry",
                    "{\"container_registry_name\":\"inside\"," + "\"container_registry_public_url\":\"" + internalUrl()
                            + "\"}",
                    owner);
            assertThat(reg.status()).isEqualTo(201);
            String path = "/container_registry/" + reg.text("/id");
            KubeTestCluster.await(
                    () -> "down".equals(strict.get(path, owner).text("/system/health/status")),
                    Duration.ofSeconds(10),
                    "the probe to be refused");
            assertThat(strict.get(path, owner).text("/system/health/message"))
                    .contains("egress guard")
                    .doesNotContain("allowed");
            assertThat(hits.get()).isZero();
        }
    }

    @Test
    void aHealthPathCannotChangeTheProbedHost() {
        try (TestServer server = new TestServer()) {
            for (String bad : List.of("@169.254.169.254/", "//evil.example/", "/x?y", "/a b", "healthz")) {
                Answer a = server.post(
                        "/inference_server",
                        "{\"inference_server_name\":\"i\","
                                + "\"inference_server_public_url\":\"http://10.0.0.7:8000\",\"inference_server_health_path\":"
                                + Json.MAPPER.writeValueAsString(bad) + "}",
                        server.adminToken);
                assertThat(a.status()).as(bad).isEqualTo(422);
                assertThat(a.body().at("/error/details/0/path").asString()).isEqualTo("/inference_server_health_path");
            }
        }
    }

    @Test
    void anOperatorDeniesARangeAndTheMostSpecificRangeDecides() {
        // loopback allowed as in every test, but this listener's own address denied: 127.0.0.1/32 beats 127.0.0.0/8
        try (TestServer s = TestServer.configured(c -> c.withEgressDeny(List.of("127.0.0.1/32")))) {
            assertThat(s.post("/api/createCluster", TestServer.seedWithId("egress-1"), s.adminToken)
                            .status())
                    .isEqualTo(201);
            Answer a = preflight(s, s.adminToken, internalUrl());
            assertThat(a.status()).isEqualTo(422);
            assertThat(a.text("/error/message")).contains("--egress-deny");
            assertThat(hits.get()).isZero();
        }
    }
}
