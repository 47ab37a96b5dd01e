package network.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The default mode: embedded PostgreSQL in the data folder, kept across restarts, admin token bootstrapped once. */
class EmbeddedRestartIT {
    private final HttpClient http = HttpClient.newHttpClient();

    private int send(ControlPlane cp, String method, String path, String token, byte[] body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp.port() + path))
                .header("Authorization", "Bearer " + token)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void dataAndAdminTokenSurviveARestart() throws Exception {
        Path data = Files.createTempDirectory("aios-data");
        ServerConfig config = ServerConfig.defaults(data).withPort(0);
        String token;
        try (ControlPlane first = ControlPlane.start(config)) {
            token = first.bootstrapToken();
            assertThat(token).startsWith("aios_");
            assertThat(Files.readString(data.resolve(ControlPlane.ADMIN_TOKEN_FILE))
                            .trim())
                    .isEqualTo(token);
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(data.resolve(ControlPlane.ADMIN_TOKEN_FILE))))
                    .isEqualTo("rw-------");
            assertThat(send(first, "POST", "/api/createCluster", token, TestServer.example("cluster.json")))
                    .isEqualTo(201);
        }
        try (ControlPlane second = ControlPlane.start(config)) {
            assertThat(second.bootstrapToken()).isNull();
            assertThat(send(second, "GET", "/api/v1/clusters/cluster-west-vision-001", token, null))
                    .isEqualTo(200);
        }
    }

    @Test
    void anOwnersKubeconfigDoesNotReachTheEmbeddedDatabaseEvenWithLoopbackAllowed() throws Exception {
        Path data = Files.createTempDirectory("aios-data");
        ServerConfig config =
                ServerConfig.defaults(data).withPort(0).withEgress(java.util.List.of("127.0.0.0/8"), false);
        try (ControlPlane cp = ControlPlane.start(config)) {
            String token = cp.bootstrapToken();
            assertThat(send(cp, "POST", "/api/createCluster", token, TestServer.example("cluster.json")))
                    .isEqualTo(201);
            String pgPort = Files.readAllLines(data.resolve("postgres").resolve("postmaster.pid"))
                    .get(3)
                    .trim();
            String kubeconfig = "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  cluster:"
                    + " {server: 'https://127.0.0.1:" + pgPort + "'}\nusers:\n- name: u\n  user: {token: t}\n"
                    + "contexts:\n- name: c\n  context: {cluster: k, user: u}\n";
            byte[] body =
                    network.aios.api.Json.bytes(network.aios.api.Json.object().put("kube_config_data", kubeconfig));
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp.port()
                                    + "/api/v1/clusters/cluster-west-vision-001/preflight"))
                            .header("Authorization", "Bearer " + token)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
            assertThat(r.body()).contains("egress_refused", "own database");
        }
    }
}
