package network.aios.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import network.aios.api.Json;
import network.aios.api.kubeconfig.HostileKubeconfigs;
import network.aios.server.TestServer;
import network.aios.server.TestServer.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every hostile kubeconfig shape, sent by an owner through every route that takes a kubeconfig: each
 * answers 422 naming a field under the kubeconfig, and the command inside never runs (its marker file
 * never appears). No kube-apiserver is needed: nothing may get as far as a connection.
 */
class HostileKubeconfigIT {
    @TempDir
    static Path dir;

    static TestServer server;
    static String owner;

    /** A route that takes a kubeconfig: method, path, and how the kubeconfig is placed in the body. */
    record Route(String method, String path, String field, String extra) {
        byte[] body(JsonNode kubeconfig) {
            ObjectNode b = (ObjectNode) Json.parse(extra);
            b.set(field, kubeconfig);
            return Json.bytes(b);
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static final List<Route> ROUTES = List.of(
            new Route("POST", "/create-cluster-infra", "kube_config_data", "{\"cluster_id\":\"hostile-1\"}"),
            new Route("POST", "/remove-cluster-infra", "kube_config_data", "{\"cluster_id\":\"hostile-1\"}"),
            new Route("PUT", "/api/v1/clusters/hostile-1/infra", "kube_config_data", "{}"),
            new Route("DELETE", "/api/v1/clusters/hostile-1/infra", "kube_config_data", "{}"),
            new Route("POST", "/api/v1/clusters/hostile-1/preflight", "kube_config_data", "{}"),
            new Route("POST", "/executor/hostile-exec/create-infra", "cluster_config", "{}"),
            new Route("DELETE", "/executor/hostile-exec/remove-infra", "cluster_config", "{}"),
            new Route("POST", "/split-runner", "cluster_k8s_config", "{\"split_runner_public_host\":\"10.0.0.9\"}"));

    @BeforeAll
    static void start() {
        server = new TestServer();
        owner = server.ownerToken("mallory");
        assertThat(server.post("/api/createCluster", TestServer.seedWithId("hostile-1"), owner)
                        .status())
                .isEqualTo(201);
        assertThat(server.post("/executor", "{\"executor_id\":\"hostile-exec\",\"cluster_id\":\"hostile-1\"}", owner)
                        .status())
                .isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> attacks() {
        List<Arguments> out = new ArrayList<>();
        for (HostileKubeconfigs.Shape s : HostileKubeconfigs.all(dir.resolve("marker"))) {
            for (Route r : ROUTES) {
                out.add(Arguments.of(r, s));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("attacks")
    void refusedAtAFieldAndNothingRuns(Route route, HostileKubeconfigs.Shape shape) {
        Answer a = server.send(route.method(), route.path(), route.body(shape.value()), owner);
        assertThat(a.status()).as(a.body() == null ? "" : a.body().toString()).isEqualTo(422);
        assertThat(a.text("/error/code")).isEqualTo("invalid_kubeconfig");
        assertThat(a.body().at("/error/details"))
                .isNotEmpty()
                .allSatisfy(d -> assertThat(d.path("path").asString()).startsWith("/" + route.field()));
        assertThat(Files.exists(dir.resolve("marker"))).as("the command ran").isFalse();
    }

    @org.junit.jupiter.api.Test
    void credentialsThatCannotBeLoadedAreA422NotA500() {
        String pem = java.util.Base64.getEncoder()
                .encodeToString(("-----BEGIN CERTIFICATE-----\n!!not base64!!\n" + "-----END CERTIFICATE-----\n")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String key = java.util.Base64.getEncoder()
                .encodeToString(("-----BEGIN PRIVATE KEY-----\n%%%\n" + "-----END PRIVATE KEY-----\n")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String kc =
                "apiVersion: v1\ncurrent-context: c\nclusters:\n- name: k\n  cluster: {server: 'https://127.0.0.1:1'}\n"
                        + "users:\n- name: u\n  user: {client-certificate-data: " + pem + ", client-key-data: " + key
                        + "}\n"
                        + "contexts:\n- name: c\n  context: {cluster: k, user: u}\n";
        ObjectNode body = Json.object().put("kube_config_data", kc);
        Answer a = server.post("/api/v1/clusters/hostile-1/preflight", Json.MAPPER.writeValueAsString(body), owner);
        assertThat(a.status()).as(a.body().toString()).isEqualTo(422);
    }
}
